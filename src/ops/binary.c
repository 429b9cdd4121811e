/* Add, Sub, Mul, Div with multidirectional broadcasting (opset 7+), for float, double and every
 * integer type. Integer arithmetic wraps (computed unsigned); integer division by zero gives 0
 * and INT_MIN / -1 gives INT_MIN, so no input can trap. */
#include <string.h>

#include "ops.h"

enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV };

typedef void (*bin_kernel)(int64_t n, const void *a, int64_t sa, const void *b, int64_t sb, void *o);

typedef struct bin_params {
    rr_bcast bc;
    bin_kernel fn;
    int op;
    bool rows_f32; /* float (R, L) OP a row (L,) either side, L short: one loop (see run_rows) */
} bin_params;

/* o (R, L) = a OP b where the full operand is (R, L) and the other a row (L,) repeated: the
 * common bias Add after a MatMul, with rows too short for a call per row to pay */
static void run_rows(const bin_params *p, const float *restrict a, const float *restrict b, float *restrict o) {
    const int64_t R = p->bc.dims[0], L = p->bc.dims[1];
    const bool a_row = p->bc.st[0][0] == 0;
    for (int64_t r = 0; r < R; r++, o += L) {
        const float *x = a_row ? a : a + r * L, *y = a_row ? b + r * L : b;
        switch (p->op) {
        case OP_ADD: for (int64_t i = 0; i < L; i++) o[i] = x[i] + y[i]; break;
        case OP_SUB: for (int64_t i = 0; i < L; i++) o[i] = x[i] - y[i]; break;
        case OP_MUL: for (int64_t i = 0; i < L; i++) o[i] = x[i] * y[i]; break;
        default: for (int64_t i = 0; i < L; i++) o[i] = x[i] / y[i]; break;
        }
    }
}

/* o (n,) = a (n, stride sa) OP b (n, stride sb); strides are 0 or 1 in the fast cases. */
#define BIN_KERNEL(name, T, EXPR)                                                                  \
    static void name(int64_t n, const void *va, int64_t sa, const void *vb, int64_t sb, void *vo) { \
        const T *restrict a = va, *restrict b = vb;                                                \
        T *restrict o = vo;                                                                        \
        if (sa == 1 && sb == 1)                                                                    \
            for (int64_t i = 0; i < n; i++) { T x = a[i], y = b[i]; o[i] = (EXPR); }               \
        else if (sa == 1 && sb == 0) {                                                             \
            T y = b[0];                                                                            \
            for (int64_t i = 0; i < n; i++) { T x = a[i]; o[i] = (EXPR); }                         \
        } else if (sa == 0 && sb == 1) {                                                           \
            T x = a[0];                                                                            \
            for (int64_t i = 0; i < n; i++) { T y = b[i]; o[i] = (EXPR); }                         \
        } else                                                                                     \
            for (int64_t i = 0; i < n; i++) { T x = a[i * sa], y = b[i * sb]; o[i] = (EXPR); }     \
    }

/* floating point */
#define FLOAT_KERNELS(T, sfx)                 \
    BIN_KERNEL(add_##sfx, T, x + y)           \
    BIN_KERNEL(sub_##sfx, T, x - y)           \
    BIN_KERNEL(mul_##sfx, T, x * y)           \
    BIN_KERNEL(div_##sfx, T, x / y)
FLOAT_KERNELS(float, f32)
FLOAT_KERNELS(double, f64)

/* integers: U is an unsigned type at least as wide as int (so nothing promotes to signed int and
 * overflows); MIN is the most negative value (0 if unsigned) */
#define INT_KERNELS(T, U, MIN, sfx)                                              \
    BIN_KERNEL(add_##sfx, T, (T)((U)x + (U)y))                                   \
    BIN_KERNEL(sub_##sfx, T, (T)((U)x - (U)y))                                   \
    BIN_KERNEL(mul_##sfx, T, (T)((U)x * (U)y))                                   \
    BIN_KERNEL(div_##sfx, T, y == 0 ? (T)0 : ((MIN) != 0 && x == (T)(MIN) && y == (T)-1) ? x : (T)(x / y))
INT_KERNELS(int8_t, uint32_t, INT8_MIN, i8)
INT_KERNELS(uint8_t, uint32_t, 0, u8)
INT_KERNELS(int16_t, uint32_t, INT16_MIN, i16)
INT_KERNELS(uint16_t, uint32_t, 0, u16)
INT_KERNELS(int32_t, uint32_t, INT32_MIN, i32)
INT_KERNELS(uint32_t, uint32_t, 0, u32)
INT_KERNELS(int64_t, uint64_t, INT64_MIN, i64)
INT_KERNELS(uint64_t, uint64_t, 0, u64)

#define ROW(sfx) {add_##sfx, sub_##sfx, mul_##sfx, div_##sfx}
static bin_kernel pick(int dtype, int op) {
    static const bin_kernel f32[] = ROW(f32), f64[] = ROW(f64), i8[] = ROW(i8), u8[] = ROW(u8),
                            i16[] = ROW(i16), u16[] = ROW(u16), i32[] = ROW(i32), u32[] = ROW(u32),
                            i64[] = ROW(i64), u64[] = ROW(u64);
    switch (dtype) {
    case RR_FLOAT: return f32[op];
    case RR_DOUBLE: return f64[op];
    case RR_INT8: return i8[op];
    case RR_UINT8: return u8[op];
    case RR_INT16: return i16[op];
    case RR_UINT16: return u16[op];
    case RR_INT32: return i32[op];
    case RR_UINT32: return u32[op];
    case RR_INT64: return i64[op];
    case RR_UINT64: return u64[op];
    default: return NULL;
    }
}

int rr_infer_binary(rr_ctx *c) {
    const rr_tensor *a = rr_in(c, 0), *b = rr_in(c, 1);
    const char *t = c->node->op_type;
    int op = t[0] == 'A' ? OP_ADD : t[0] == 'S' ? OP_SUB : t[0] == 'M' ? OP_MUL : OP_DIV;
    if (a->dtype != b->dtype)
        return rr_op_fail(c, RNNRUN_ERR_DTYPE, "inputs have different dtypes (%s and %s)", rr_dtype_name(a->dtype),
                          rr_dtype_name(b->dtype));
    if (rr_need_dtype(c, a, "input A", RR_M_NUM)) return c->err->status;
    bin_params *p = rr_pool_alloc(c->pool, sizeof *p);
    if (!p) return rr_op_fail(c, RNNRUN_ERR_NOMEM, "out of memory");
    int rank;
    int64_t dims[RR_MAX_RANK];
    const rr_tensor *ins[2] = {a, b};
    if (rr_broadcast(c, 2, ins, &rank, dims, &p->bc)) return c->err->status;
    p->fn = pick(a->dtype, op);
    p->op = op;
    const rr_bcast *bc = &p->bc;
    p->rows_f32 = a->dtype == RR_FLOAT && bc->rank == 2 && bc->dims[1] <= 64 && bc->st[0][1] == 1 &&
                  bc->st[1][1] == 1 &&
                  ((bc->st[0][0] == bc->dims[1] && bc->st[1][0] == 0) || (bc->st[0][0] == 0 && bc->st[1][0] == bc->dims[1]));
    c->params = p;
    return rr_set_out(c, 0, a->dtype, rank, dims);
}

typedef struct walk_ctx {
    const bin_params *p;
    const char *a, *b;
    char *o;
    size_t es;
} walk_ctx;

static void walk_step(void *vctx, int64_t n, const int64_t *off, int64_t out_off) {
    const walk_ctx *w = vctx;
    w->p->fn(n, w->a + off[0] * (int64_t)w->es, w->p->bc.st[0][w->p->bc.rank - 1], w->b + off[1] * (int64_t)w->es,
             w->p->bc.st[1][w->p->bc.rank - 1], w->o + out_off * (int64_t)w->es);
}

int rr_run_binary(const rr_ctx *c) {
    const bin_params *p = c->params;
    const rr_tensor *y = rr_out(c, 0);
    if (p->rows_f32) {
        run_rows(p, rr_in(c, 0)->data, rr_in(c, 1)->data, y->data);
        return RNNRUN_OK;
    }
    walk_ctx w = {p, rr_in(c, 0)->data, rr_in(c, 1)->data, y->data, rr_dtype_size(y->dtype)};
    rr_bcast_walk(&p->bc, walk_step, &w);
    return RNNRUN_OK;
}
