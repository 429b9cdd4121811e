/* Comparisons and logic with multidirectional broadcasting: Equal, Less, Greater, LessOrEqual,
 * GreaterOrEqual (numeric inputs of one dtype, Equal also bool; bool output), And, Or, Xor, Not
 * (bool), and Where (bool condition selecting between two tensors of any one dtype). */
#include <string.h>

#include "typed.h"

enum { C_EQ, C_LT, C_GT, C_LE, C_GE, C_AND, C_OR, C_XOR };

typedef struct cmp_params {
    int op;
    rr_bcast bc;
} cmp_params;

int rr_infer_compare(rr_ctx *c) {
    const rr_tensor *a = rr_in(c, 0), *b = rr_in(c, 1);
    static const char *const names[] = {"Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor"};
    int op = 0;
    while (op < C_XOR && strcmp(names[op], c->node->op_type) != 0) op++;
    if (a->dtype != b->dtype)
        return rr_op_fail(c, RNNRUN_ERR_DTYPE, "inputs have different dtypes (%s and %s)", rr_dtype_name(a->dtype),
                          rr_dtype_name(b->dtype));
    unsigned mask = RR_M_NUM;
    if (op == C_EQ) mask |= RR_M(RR_BOOL);
    if (op >= C_AND) mask = RR_M(RR_BOOL);
    if ((op == C_LT || op == C_GT) && rr_opset(c) < 9) mask = RR_M_FLOATS;
    if (rr_need_dtype(c, a, "input A", mask)) return c->err->status;
    cmp_params *p = rr_pool_alloc(c->pool, sizeof *p);
    if (!p) return rr_op_fail(c, RNNRUN_ERR_NOMEM, "out of memory");
    p->op = op;
    int rank;
    int64_t dims[RR_MAX_RANK];
    const rr_tensor *ins[2] = {a, b};
    if (rr_broadcast(c, 2, ins, &rank, dims, &p->bc)) return c->err->status;
    c->params = p;
    return rr_set_out(c, 0, RR_BOOL, rank, dims);
}

/* y (out,) = a OP b, as 0 or 1 */
#define CMP_RUN(T, sfx)                                                                \
    {                                                                                  \
        const T *as = a->data, *bs = b->data;                                          \
        switch (p->op) {                                                               \
        case C_EQ: RR_BCAST_FOR(&p->bc, y[o] = as[i0] == bs[i1]); break;               \
        case C_LT: RR_BCAST_FOR(&p->bc, y[o] = as[i0] < bs[i1]); break;                \
        case C_GT: RR_BCAST_FOR(&p->bc, y[o] = as[i0] > bs[i1]); break;                \
        case C_LE: RR_BCAST_FOR(&p->bc, y[o] = as[i0] <= bs[i1]); break;               \
        case C_GE: RR_BCAST_FOR(&p->bc, y[o] = as[i0] >= bs[i1]); break;               \
        case C_AND: RR_BCAST_FOR(&p->bc, y[o] = (as[i0] != 0) & (bs[i1] != 0)); break; \
        case C_OR: RR_BCAST_FOR(&p->bc, y[o] = (as[i0] != 0) | (bs[i1] != 0)); break;  \
        default: RR_BCAST_FOR(&p->bc, y[o] = (as[i0] != 0) ^ (bs[i1] != 0)); break;    \
        }                                                                              \
    }

int rr_run_compare(const rr_ctx *c) {
    const cmp_params *p = c->params;
    const rr_tensor *a = rr_in(c, 0), *b = rr_in(c, 1);
    uint8_t *y = rr_out(c, 0)->data;
    switch (a->dtype) { RR_CASE_FLOATS(CMP_RUN) RR_CASE_INTS(CMP_RUN) RR_CASE_BOOL(CMP_RUN) default: break; }
    return RNNRUN_OK;
}

/* ---- Not ------------------------------------------------------------------------------------- */

int rr_infer_not(rr_ctx *c) {
    const rr_tensor *x = rr_in(c, 0);
    if (rr_need_dtype(c, x, "input", RR_M(RR_BOOL))) return c->err->status;
    return rr_set_out_like(c, 0, x);
}

/* y (n,) = !x */
int rr_run_not(const rr_ctx *c) {
    const rr_tensor *x = rr_in(c, 0);
    const uint8_t *xs = x->data;
    uint8_t *y = rr_out(c, 0)->data;
    for (int64_t i = 0; i < x->numel; i++) y[i] = xs[i] == 0;
    return RNNRUN_OK;
}

/* ---- Where ----------------------------------------------------------------------------------- */

int rr_infer_where(rr_ctx *c) {
    const rr_tensor *cond = rr_in(c, 0), *a = rr_in(c, 1), *b = rr_in(c, 2);
    if (rr_need_dtype(c, cond, "condition", RR_M(RR_BOOL))) return c->err->status;
    if (a->dtype != b->dtype)
        return rr_op_fail(c, RNNRUN_ERR_DTYPE, "X is %s but Y is %s", rr_dtype_name(a->dtype), rr_dtype_name(b->dtype));
    if (!rr_dtype_ok(a->dtype)) return rr_need_dtype(c, a, "X", RR_M_ALL);
    cmp_params *p = rr_pool_alloc(c->pool, sizeof *p);
    if (!p) return rr_op_fail(c, RNNRUN_ERR_NOMEM, "out of memory");
    int rank;
    int64_t dims[RR_MAX_RANK];
    const rr_tensor *ins[3] = {cond, a, b};
    if (rr_broadcast(c, 3, ins, &rank, dims, &p->bc)) return c->err->status;
    c->params = p;
    return rr_set_out(c, 0, a->dtype, rank, dims);
}

/* y (out,) = cond ? a : b, elements moved as unsigned integers of their size */
#define WHERE_RUN(T)                                                             \
    {                                                                            \
        const T *as = a->data, *bs = b->data;                                    \
        T *ys = y->data;                                                         \
        RR_BCAST_FOR(&p->bc, ys[o] = cs[i0] ? as[i1] : bs[i2]);                  \
    }

int rr_run_where(const rr_ctx *c) {
    const cmp_params *p = c->params;
    const rr_tensor *a = rr_in(c, 1), *b = rr_in(c, 2);
    const uint8_t *cs = rr_in(c, 0)->data;
    rr_tensor *y = rr_out(c, 0);
    switch (rr_dtype_size(a->dtype)) {
    case 1: WHERE_RUN(uint8_t) break;
    case 2: WHERE_RUN(uint16_t) break;
    case 4: WHERE_RUN(uint32_t) break;
    default: WHERE_RUN(uint64_t) break;
    }
    return RNNRUN_OK;
}
