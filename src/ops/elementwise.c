/* Elementwise math: the unary ops (Neg, Abs, Sqrt, Exp, Log, Reciprocal, Ceil, Floor), the
 * activations with parameters (LeakyRelu, Elu, HardSigmoid, Softplus, Softsign), Clip (attribute
 * form before opset 11, input form from 11, integer types from 12), Pow with broadcasting, and the
 * variadic broadcasting Min, Max, Sum, Mean. */
#include <string.h>

#include <tgmath.h> /* float kernels call the float functions (expf, ...) */

#include "typed.h"

/* ---- unary ----------------------------------------------------------------------------------- */

enum {
    U_NEG, U_ABS, U_SQRT, U_EXP, U_LOG, U_RECIP, U_CEIL, U_FLOOR,
    U_LEAKY, U_ELU, U_HSIG, U_SOFTPLUS, U_SOFTSIGN
};

static const struct {
    const char *name;
    int op;
    float alpha, beta;  /* attribute defaults */
} unary_ops[] = {
    {"Neg", U_NEG, 0, 0}, {"Abs", U_ABS, 0, 0}, {"Sqrt", U_SQRT, 0, 0}, {"Exp", U_EXP, 0, 0},
    {"Log", U_LOG, 0, 0}, {"Reciprocal", U_RECIP, 0, 0}, {"Ceil", U_CEIL, 0, 0}, {"Floor", U_FLOOR, 0, 0},
    {"LeakyRelu", U_LEAKY, 0.01f, 0}, {"Elu", U_ELU, 1.0f, 0}, {"HardSigmoid", U_HSIG, 0.2f, 0.5f},
    {"Softplus", U_SOFTPLUS, 0, 0}, {"Softsign", U_SOFTSIGN, 0, 0},
};

typedef struct unary_params {
    int op;
    double alpha, beta;
} unary_params;

int rr_infer_unary(rr_ctx *c) {
    const rr_tensor *x = rr_in(c, 0);
    unary_params *p = rr_pool_alloc(c->pool, sizeof *p);
    if (!p) return rr_op_fail(c, RNNRUN_ERR_NOMEM, "out of memory");
    int k = 0, n = (int)(sizeof unary_ops / sizeof unary_ops[0]);
    while (k < n && strcmp(unary_ops[k].name, c->node->op_type) != 0) k++;
    if (k == n) return rr_op_fail(c, RNNRUN_ERR_UNSUPPORTED, "not a unary op");
    p->op = unary_ops[k].op;
    float alpha = unary_ops[k].alpha, beta = unary_ops[k].beta;
    if (p->op == U_LEAKY || p->op == U_ELU || p->op == U_HSIG) {
        if (rr_attr_float(c->node, "alpha", alpha, &alpha, c->err)) return rr_op_prefix(c);
        if (p->op == U_HSIG && rr_attr_float(c->node, "beta", beta, &beta, c->err)) return rr_op_prefix(c);
    }
    p->alpha = alpha;
    p->beta = beta;
    unsigned mask = RR_M_FLOATS;
    if (p->op == U_NEG) mask |= RR_M(RR_INT8) | RR_M(RR_INT16) | RR_M(RR_INT32) | RR_M(RR_INT64);
    if (p->op == U_ABS) mask |= RR_M_INTS;
    if (rr_need_dtype(c, x, "input", mask)) return c->err->status;
    c->params = p;
    return rr_set_out_like(c, 0, x);
}

/* y (n,) = f(x) in the precision of T (tgmath: float calls expf, sqrtf, ...) */
#define UNARY_FLOAT(T, sfx)                                                                          \
    static void unary_##sfx(const unary_params *p, T *restrict y, const T *restrict x, int64_t n) { \
        const T a = (T)p->alpha, b = (T)p->beta;                                                     \
        switch (p->op) {                                                                             \
        case U_NEG: for (int64_t i = 0; i < n; i++) y[i] = -x[i]; break;                             \
        case U_ABS: for (int64_t i = 0; i < n; i++) y[i] = x[i] < 0 ? -x[i] : x[i]; break;           \
        case U_SQRT: for (int64_t i = 0; i < n; i++) y[i] = (T)sqrt(x[i]); break;                    \
        case U_EXP: for (int64_t i = 0; i < n; i++) y[i] = (T)exp(x[i]); break;                      \
        case U_LOG: for (int64_t i = 0; i < n; i++) y[i] = (T)log(x[i]); break;                      \
        case U_RECIP: for (int64_t i = 0; i < n; i++) y[i] = (T)1 / x[i]; break;                     \
        case U_CEIL: for (int64_t i = 0; i < n; i++) y[i] = (T)ceil(x[i]); break;                    \
        case U_FLOOR: for (int64_t i = 0; i < n; i++) y[i] = (T)floor(x[i]); break;                  \
        case U_LEAKY: for (int64_t i = 0; i < n; i++) y[i] = x[i] < 0 ? a * x[i] : x[i]; break;      \
        case U_ELU: for (int64_t i = 0; i < n; i++) y[i] = x[i] < 0 ? a * (T)expm1(x[i]) : x[i]; break; \
        case U_HSIG:                                                                                 \
            for (int64_t i = 0; i < n; i++) {                                                        \
                T v = a * x[i] + b;                                                                  \
                y[i] = v < 0 ? 0 : v > 1 ? 1 : v;                                                    \
            }                                                                                        \
            break;                                                                                   \
        case U_SOFTPLUS: /* log(1 + exp(x)) without overflow */                                     \
            for (int64_t i = 0; i < n; i++)                                                          \
                y[i] = x[i] > 0 ? x[i] + (T)log1p(exp(-x[i])) : (T)log1p(exp(x[i]));                 \
            break;                                                                                   \
        case U_SOFTSIGN: for (int64_t i = 0; i < n; i++) y[i] = x[i] / (1 + (x[i] < 0 ? -x[i] : x[i])); break; \
        }                                                                                            \
    }
UNARY_FLOAT(float, f32)
UNARY_FLOAT(double, f64)

/* integer Neg and Abs wrap like numpy (computed unsigned: -INT_MIN stays INT_MIN) */
#define UNARY_INT(T, sfx)                                                                     \
    static void unary_##sfx(int op, T *restrict y, const T *restrict x, int64_t n) {          \
        if (op == U_NEG)                                                                      \
            for (int64_t i = 0; i < n; i++) y[i] = (T)(0u - (uint64_t)x[i]);                  \
        else                                                                                  \
            for (int64_t i = 0; i < n; i++) y[i] = x[i] < 0 ? (T)(0u - (uint64_t)x[i]) : x[i]; \
    }
#define UNARY_INT_RUN(T, sfx) unary_##sfx(p->op, y->data, x->data, x->numel);
UNARY_INT(int8_t, i8)
UNARY_INT(int16_t, i16)
UNARY_INT(int32_t, i32)
UNARY_INT(int64_t, i64)

int rr_run_unary(const rr_ctx *c) {
    const unary_params *p = c->params;
    const rr_tensor *x = rr_in(c, 0);
    rr_tensor *y = rr_out(c, 0);
    switch (x->dtype) {
    case RR_FLOAT: unary_f32(p, y->data, x->data, x->numel); break;
    case RR_DOUBLE: unary_f64(p, y->data, x->data, x->numel); break;
    case RR_INT8: UNARY_INT_RUN(int8_t, i8) break;
    case RR_INT16: UNARY_INT_RUN(int16_t, i16) break;
    case RR_INT32: UNARY_INT_RUN(int32_t, i32) break;
    case RR_INT64: UNARY_INT_RUN(int64_t, i64) break;
    default: /* unsigned Abs */
        if (x->numel && y->data != x->data) memcpy(y->data, x->data, rr_tensor_bytes(x));
        break;
    }
    return RNNRUN_OK;
}

/* ---- Clip ------------------------------------------------------------------------------------ */

typedef struct clip_params {
    double lo, hi;   /* attribute form (opset < 11) */
} clip_params;

int rr_infer_clip(rr_ctx *c) {
    const rr_tensor *x = rr_in(c, 0);
    unsigned mask = rr_opset(c) >= 12 ? RR_M_NUM : RR_M_FLOATS;
    if (rr_need_dtype(c, x, "input", mask)) return c->err->status;
    clip_params *p = rr_pool_alloc(c->pool, sizeof *p);
    if (!p) return rr_op_fail(c, RNNRUN_ERR_NOMEM, "out of memory");
    if (rr_opset(c) < 11) {
        float lo, hi;
        if (rr_attr_float(c->node, "min", -INFINITY, &lo, c->err) || rr_attr_float(c->node, "max", INFINITY, &hi, c->err))
            return rr_op_prefix(c);
        p->lo = lo;
        p->hi = hi;
    } else {
        for (int i = 1; i <= 2; i++) {
            const rr_tensor *b = rr_in(c, i);
            if (!b) continue;
            if (b->dtype != x->dtype)
                return rr_op_fail(c, RNNRUN_ERR_DTYPE, "%s is %s but the input is %s", i == 1 ? "min" : "max",
                                  rr_dtype_name(b->dtype), rr_dtype_name(x->dtype));
            if (b->numel != 1 || b->rank > 1)
                return rr_op_fail(c, RNNRUN_ERR_SHAPE, "%s must be a scalar, has %lld elements", i == 1 ? "min" : "max",
                                  (long long)b->numel);
        }
    }
    c->params = p;
    return rr_set_out_like(c, 0, x);
}

/* y (n,) = min(max(x, lo), hi); lo > hi gives hi everywhere (as numpy.clip); NaN stays NaN */
#define CLIP_RUN(T, sfx)                                                                      \
    {                                                                                         \
        const T *xs = x->data;                                                                \
        T *ys = y->data;                                                                      \
        int has_lo = 1, has_hi = 1;                                                           \
        T lo = 0, hi = 0;                                                                     \
        if (rr_opset(c) < 11) {                                                               \
            lo = (T)p->lo, hi = (T)p->hi;                                                     \
        } else {                                                                              \
            const rr_tensor *tl = rr_in(c, 1), *th = rr_in(c, 2);                             \
            has_lo = tl != NULL, has_hi = th != NULL;                                         \
            if (tl) lo = *(const T *)tl->data;                                                \
            if (th) hi = *(const T *)th->data;                                                \
        }                                                                                     \
        for (int64_t i = 0; i < x->numel; i++) {                                              \
            T v = xs[i];                                                                      \
            if (has_lo && v < lo) v = lo;                                                     \
            if (has_hi && v > hi) v = hi;                                                     \
            ys[i] = v;                                                                        \
        }                                                                                     \
    }

int rr_run_clip(const rr_ctx *c) {
    const clip_params *p = c->params;
    const rr_tensor *x = rr_in(c, 0);
    rr_tensor *y = rr_out(c, 0);
    switch (x->dtype) { RR_CASE_FLOATS(CLIP_RUN) RR_CASE_INTS(CLIP_RUN) default: break; }
    return RNNRUN_OK;
}

/* ---- Pow ------------------------------------------------------------------------------------- */

typedef struct bc_params {
    rr_bcast bc;
} bc_params;

int rr_infer_pow(rr_ctx *c) {
    const rr_tensor *a = rr_in(c, 0), *b = rr_in(c, 1);
    unsigned mask = rr_opset(c) >= 12 ? RR_M(RR_FLOAT) | RR_M(RR_DOUBLE) | RR_M(RR_INT32) | RR_M(RR_INT64) : RR_M_FLOATS;
    unsigned emask = rr_opset(c) >= 12 ? RR_M_NUM : RR_M_FLOATS;
    if (rr_need_dtype(c, a, "input X", mask) || rr_need_dtype(c, b, "input Y", emask)) return c->err->status;
    if (rr_opset(c) < 12 && a->dtype != b->dtype)
        return rr_op_fail(c, RNNRUN_ERR_DTYPE, "inputs have different dtypes (%s and %s)", rr_dtype_name(a->dtype),
                          rr_dtype_name(b->dtype));
    bc_params *p = rr_pool_alloc(c->pool, sizeof *p);
    if (!p) return rr_op_fail(c, RNNRUN_ERR_NOMEM, "out of memory");
    int rank;
    int64_t dims[RR_MAX_RANK];
    const rr_tensor *ins[2] = {a, b};
    if (rr_broadcast(c, 2, ins, &rank, dims, &p->bc)) return c->err->status;
    c->params = p;
    return rr_set_out(c, 0, a->dtype, rank, dims);
}

/* integer power by squaring, wrapping; a negative exponent gives 0 unless the base is +-1 */
static int64_t ipow(int64_t b, int64_t e) {
    if (e < 0) return b == 1 ? 1 : b == -1 ? (e % 2 ? -1 : 1) : 0;
    uint64_t r = 1, x = (uint64_t)b;
    while (e) {
        if (e & 1) r *= x;
        x *= x;
        e >>= 1;
    }
    return (int64_t)r;
}

#define POW_FLOAT(T, sfx) \
    { T *ys = y->data; const T *as = a->data; RR_BCAST_FOR(&p->bc, ys[o] = (T)pow(as[i0], rr_get_real(e, i1))); }
#define POW_INT(T, sfx)                                                                               \
    {                                                                                                 \
        T *ys = y->data;                                                                              \
        const T *as = a->data;                                                                        \
        if (e->dtype == RR_FLOAT || e->dtype == RR_DOUBLE) /* as numpy: computed in double */         \
            RR_BCAST_FOR(&p->bc, { double v = pow((double)as[i0], rr_get_real(e, i1));                \
                                   ys[o] = isfinite(v) && fabs(v) < 9.2e18 ? (T)(int64_t)v : 0; });   \
        else                                                                                          \
            RR_BCAST_FOR(&p->bc, ys[o] = (T)ipow((int64_t)as[i0], rr_get_int(e, i1)));                \
    }

int rr_run_pow(const rr_ctx *c) {
    const bc_params *p = c->params;
    const rr_tensor *a = rr_in(c, 0), *e = rr_in(c, 1);
    rr_tensor *y = rr_out(c, 0);
    switch (a->dtype) {
    case RR_FLOAT: POW_FLOAT(float, f32) break;
    case RR_DOUBLE: POW_FLOAT(double, f64) break;
    case RR_INT32: POW_INT(int32_t, i32) break;
    case RR_INT64: POW_INT(int64_t, i64) break;
    default: break;
    }
    return RNNRUN_OK;
}

/* ---- Min, Max, Sum, Mean --------------------------------------------------------------------- */

enum { V_MIN, V_MAX, V_SUM, V_MEAN };

typedef struct var_params {
    int op, n;
    rr_bcast *bc;   /* [n] walk of (output, input k) over the output shape */
} var_params;

int rr_infer_variadic(rr_ctx *c) {
    const char *t = c->node->op_type;
    int op = strcmp(t, "Min") == 0 ? V_MIN : strcmp(t, "Max") == 0 ? V_MAX : strcmp(t, "Sum") == 0 ? V_SUM : V_MEAN;
    int n = c->node->n_in;
    const rr_tensor *ins[256];
    if (n > (int)(sizeof ins / sizeof ins[0])) return rr_op_fail(c, RNNRUN_ERR_LIMIT, "%d inputs is too many", n);
    const rr_tensor *x0 = rr_in(c, 0);
    unsigned mask = RR_M_FLOATS;
    if ((op == V_MIN || op == V_MAX) && rr_opset(c) >= 12) mask = RR_M_NUM;
    for (int k = 0; k < n; k++) {
        ins[k] = rr_in(c, k);
        if (!ins[k]) return rr_op_fail(c, RNNRUN_ERR_MODEL, "input %d is empty", k);
        if (ins[k]->dtype != x0->dtype)
            return rr_op_fail(c, RNNRUN_ERR_DTYPE, "input %d is %s, input 0 is %s", k, rr_dtype_name(ins[k]->dtype),
                              rr_dtype_name(x0->dtype));
    }
    if (rr_need_dtype(c, x0, "input 0", mask)) return c->err->status;
    /* output shape: broadcast of all inputs, pairwise */
    rr_tensor shape = *x0;
    rr_bcast tmp;
    for (int k = 1; k < n; k++) {
        const rr_tensor *pair[2] = {&shape, ins[k]};
        int r;
        int64_t dims[RR_MAX_RANK];
        if (rr_broadcast(c, 2, pair, &r, dims, &tmp)) return c->err->status;
        shape.rank = r;
        memcpy(shape.dims, dims, sizeof dims);
    }
    var_params *p = rr_pool_alloc(c->pool, sizeof *p);
    rr_bcast *bc = rr_pool_alloc(c->pool, (size_t)n * sizeof *bc);
    if (!p || !bc) return rr_op_fail(c, RNNRUN_ERR_NOMEM, "out of memory");
    for (int k = 0; k < n; k++) {
        const rr_tensor *pair[2] = {&shape, ins[k]};
        int r;
        int64_t dims[RR_MAX_RANK];
        if (rr_broadcast(c, 2, pair, &r, dims, &bc[k])) return c->err->status;
    }
    p->op = op;
    p->n = n;
    p->bc = bc;
    c->params = p;
    return rr_set_out(c, 0, x0->dtype, shape.rank, shape.dims);
}

/* y (out,) = x0 broadcast; then y = op(y, xk) for every further input; NaN propagates in Min/Max
 * (numpy.minimum/maximum) */
#define VAR_RUN(T, sfx)                                                                             \
    {                                                                                               \
        T *ys = y->data;                                                                            \
        const T *x0 = rr_in(c, 0)->data;                                                            \
        RR_BCAST_FOR(&p->bc[0], ys[o] = x0[i1]);                                                    \
        for (int k = 1; k < p->n; k++) {                                                            \
            const T *xk = rr_in(c, k)->data;                                                        \
            switch (p->op) {                                                                        \
            case V_MIN:                                                                             \
                RR_BCAST_FOR(&p->bc[k], { T v = xk[i1];                                             \
                    if (v < ys[o] || rr_isnan_d((double)v)) ys[o] = v; });                          \
                break;                                                                              \
            case V_MAX:                                                                             \
                RR_BCAST_FOR(&p->bc[k], { T v = xk[i1];                                             \
                    if (v > ys[o] || rr_isnan_d((double)v)) ys[o] = v; });                          \
                break;                                                                              \
            default: RR_BCAST_FOR(&p->bc[k], ys[o] = (T)(ys[o] + xk[i1])); break;                   \
            }                                                                                       \
        }                                                                                           \
        if (p->op == V_MEAN)                                                                        \
            for (int64_t i = 0; i < y->numel; i++) ys[i] = (T)(ys[i] / (T)p->n);                    \
    }

int rr_run_variadic(const rr_ctx *c) {
    const var_params *p = c->params;
    rr_tensor *y = rr_out(c, 0);
    switch (y->dtype) { RR_CASE_FLOATS(VAR_RUN) RR_CASE_INTS(VAR_RUN) default: break; }
    return RNNRUN_OK;
}
