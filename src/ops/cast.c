/* Cast and CastLike between every dtype rnnrun holds (float32/64, float16, the integer types and
 * bool). Floats to integers truncate toward zero; NaN gives 0 and values out of range saturate
 * (C leaves both undefined). Integers to narrower integers wrap, as numpy's astype. Anything
 * nonzero (NaN included) casts to true. The saturate attribute only concerns float8 types and is
 * ignored. */
#include <string.h>

#include "typed.h"

float rr_half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1f, man = h & 0x3ff, bits;
    if (exp == 0x1f) {
        bits = sign | 0x7f800000u | (man << 13);           /* inf, NaN */
    } else if (exp) {
        bits = sign | ((exp + 112) << 23) | (man << 13);   /* normal */
    } else if (man) {                                      /* subnormal: normalise */
        int e = -1;
        do {
            man <<= 1;
            e++;
        } while (!(man & 0x400));
        bits = sign | ((uint32_t)(112 - e) << 23) | ((man & 0x3ff) << 13);
    } else {
        bits = sign;
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

uint16_t rr_float_to_half(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
    uint32_t ax = x & 0x7fffffffu;
    if (ax >= 0x7f800000u) return (uint16_t)(sign | 0x7c00 | (ax > 0x7f800000u ? 0x200 : 0)); /* inf, NaN */
    if (ax >= 0x477ff000u) return (uint16_t)(sign | 0x7c00);                                   /* overflow */
    if (ax < 0x38800000u) {                         /* subnormal half (or zero): round the shifted mantissa */
        if (ax < 0x33000000u) return sign;          /* below half the smallest subnormal */
        uint32_t e = ax >> 23, m = (ax & 0x7fffff) | 0x800000;
        uint32_t shift = 126 - e;                   /* 14 .. 24 */
        uint32_t r = m >> shift, rem = m & ((1u << shift) - 1), half = 1u << (shift - 1);
        if (rem > half || (rem == half && (r & 1))) r++;
        return (uint16_t)(sign | r);
    }
    uint32_t r = ax - 0x38000000u;                  /* rebias exponent 127 -> 15 */
    uint32_t h = r >> 13, rem = r & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (h & 1))) h++;
    return (uint16_t)(sign | h);
}

typedef struct cast_params {
    int to;
} cast_params;

static int cast_infer(rr_ctx *c, int to) {
    const rr_tensor *x = rr_in(c, 0);
    if (!rr_dtype_ok(x->dtype)) return rr_need_dtype(c, x, "input", RR_M_ALL);
    if (!rr_dtype_ok(to))
        return rr_op_fail(c, RNNRUN_ERR_UNSUPPORTED, "cast to %s is not supported", rr_dtype_name(to));
    cast_params *p = rr_pool_alloc(c->pool, sizeof *p);
    if (!p) return rr_op_fail(c, RNNRUN_ERR_NOMEM, "out of memory");
    p->to = to;
    c->params = p;
    return rr_set_out(c, 0, to, x->rank, x->dims);
}

int rr_infer_cast(rr_ctx *c) {
    int64_t to;
    const rr_attr *a = rr_attr_find(c->node, "to");
    if (!a) return rr_op_fail(c, RNNRUN_ERR_MODEL, "attribute 'to' is required");
    if (rr_attr_int(c->node, "to", 0, &to, c->err)) return rr_op_prefix(c);
    if (to <= 0 || to > 64) return rr_op_fail(c, RNNRUN_ERR_MODEL, "'to' is %lld, not a dtype", (long long)to);
    return cast_infer(c, (int)to);
}

int rr_infer_castlike(rr_ctx *c) { return cast_infer(c, rr_in(c, 1)->dtype); }

/* One element in the widest form of its kind. */
typedef struct cval {
    int kind;   /* 0: real, 1: signed, 2: unsigned */
    double d;
    int64_t i;
    uint64_t u;
} cval;

static cval load(int dt, const void *p, int64_t i) {
    cval v = {0};
    switch (dt) {
    case RR_FLOAT: v.d = ((const float *)p)[i]; break;
    case RR_DOUBLE: v.d = ((const double *)p)[i]; break;
    case RR_FLOAT16: v.d = rr_half_to_float(((const uint16_t *)p)[i]); break;
    case RR_INT8: v.kind = 1, v.i = ((const int8_t *)p)[i]; break;
    case RR_INT16: v.kind = 1, v.i = ((const int16_t *)p)[i]; break;
    case RR_INT32: v.kind = 1, v.i = ((const int32_t *)p)[i]; break;
    case RR_INT64: v.kind = 1, v.i = ((const int64_t *)p)[i]; break;
    case RR_UINT8: case RR_BOOL: v.kind = 2, v.u = ((const uint8_t *)p)[i]; break;
    case RR_UINT16: v.kind = 2, v.u = ((const uint16_t *)p)[i]; break;
    case RR_UINT32: v.kind = 2, v.u = ((const uint32_t *)p)[i]; break;
    default: v.kind = 2, v.u = ((const uint64_t *)p)[i]; break;
    }
    return v;
}

/* A real as int64 / uint64, truncated; NaN gives 0, out of range saturates. */
static int64_t real_to_i64(double d) {
    if (d != d) return 0;
    if (d >= 9223372036854775807.0) return INT64_MAX;
    if (d <= -9223372036854775808.0) return INT64_MIN;
    return (int64_t)d;
}
static uint64_t real_to_u64(double d) {
    if (d != d || d <= -1.0) return d != d ? 0 : (uint64_t)real_to_i64(d); /* negative: wraps as numpy does on x86 */
    if (d >= 18446744073709551615.0) return UINT64_MAX;
    return (uint64_t)d;
}

/* Saturate a real into [lo, hi] before narrowing (C leaves out-of-range conversion undefined). */
static int64_t real_to_range(double d, double lo, double hi) {
    if (d != d) return 0;
    if (d < lo) d = lo;
    if (d > hi) d = hi;
    return (int64_t)d;
}

static void store(int dt, void *p, int64_t i, cval v) {
    double d = v.kind == 0 ? v.d : v.kind == 1 ? (double)v.i : (double)v.u;
    int64_t s = v.kind == 1 ? v.i : (int64_t)v.u;   /* integer sources wrap into narrower types */
    switch (dt) {
    case RR_FLOAT: ((float *)p)[i] = v.kind == 1 ? (float)v.i : v.kind == 2 ? (float)v.u : (float)v.d; break;
    case RR_DOUBLE: ((double *)p)[i] = d; break;
    case RR_FLOAT16: ((uint16_t *)p)[i] = rr_float_to_half((float)d); break;
    case RR_BOOL: ((uint8_t *)p)[i] = v.kind == 0 ? v.d != 0 : v.kind == 1 ? v.i != 0 : v.u != 0; break;
    case RR_INT8: ((int8_t *)p)[i] = (int8_t)(v.kind ? s : real_to_range(d, INT8_MIN, INT8_MAX)); break;
    case RR_INT16: ((int16_t *)p)[i] = (int16_t)(v.kind ? s : real_to_range(d, INT16_MIN, INT16_MAX)); break;
    case RR_INT32: ((int32_t *)p)[i] = (int32_t)(v.kind ? s : real_to_range(d, INT32_MIN, INT32_MAX)); break;
    case RR_INT64: ((int64_t *)p)[i] = v.kind ? s : real_to_i64(d); break;
    case RR_UINT8: ((uint8_t *)p)[i] = (uint8_t)(v.kind ? s : real_to_range(d, 0, UINT8_MAX)); break;
    case RR_UINT16: ((uint16_t *)p)[i] = (uint16_t)(v.kind ? s : real_to_range(d, 0, UINT16_MAX)); break;
    case RR_UINT32: ((uint32_t *)p)[i] = (uint32_t)(v.kind ? s : real_to_range(d, 0, UINT32_MAX)); break;
    default: ((uint64_t *)p)[i] = v.kind == 1 ? (uint64_t)v.i : v.kind == 2 ? v.u : real_to_u64(d); break;
    }
}

/* y (n,) = x converted element by element */
int rr_run_cast(const rr_ctx *c) {
    const cast_params *p = c->params;
    const rr_tensor *x = rr_in(c, 0);
    rr_tensor *y = rr_out(c, 0);
    if (x->dtype == p->to) {
        if (x->numel && y->data != x->data) memcpy(y->data, x->data, rr_tensor_bytes(x));
        return RNNRUN_OK;
    }
    if (x->dtype == RR_FLOAT && p->to == RR_DOUBLE) {
        const float *xs = x->data;
        double *ys = y->data;
        for (int64_t i = 0; i < x->numel; i++) ys[i] = xs[i];
        return RNNRUN_OK;
    }
    for (int64_t i = 0; i < x->numel; i++) store(p->to, y->data, i, load(x->dtype, x->data, i));
    return RNNRUN_OK;
}

int rr_run_castlike(const rr_ctx *c) { return rr_run_cast(c); }
