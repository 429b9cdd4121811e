/* Reductions: ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceSumSquare over any set of axes
 * (an attribute before opset 13 for ReduceSum and 18 for the others, an optional input after,
 * with noop_with_empty_axes), keepdims; ArgMax and ArgMin over one axis with keepdims and
 * select_last_index. Float sums accumulate in double; integer sums wrap. */
#include <string.h>

#include "typed.h"

enum { R_SUM, R_MEAN, R_MAX, R_MIN, R_SUMSQ };

typedef struct reduce_params {
    int op;
    bool noop;                       /* empty axes with noop_with_empty_axes: a copy */
    int nk, nr;                      /* kept and reduced dims */
    int64_t kd[RR_MAX_RANK], ks[RR_MAX_RANK];   /* kept dims and their input strides */
    int64_t rd[RR_MAX_RANK], rs[RR_MAX_RANK];   /* reduced dims and their input strides */
    int64_t count;                   /* elements reduced into each output */
} reduce_params;

static int reduce_axes(rr_ctx *c, bool input_form, const int64_t **axes, int *n) {
    *axes = NULL;
    *n = 0;
    if (input_form) {
        if (rr_attr_find(c->node, "axes"))
            return rr_op_fail(c, RNNRUN_ERR_MODEL, "axes is an input at opset %d, not an attribute", rr_opset(c));
        rr_tensor *a = rr_in(c, 1);
        int64_t *v;
        if (a && rr_read_ints(c, a, "axes", &v, n)) return c->err->status;
        if (a) *axes = v;
        return RNNRUN_OK;
    }
    if (rr_attr_ints(c->node, "axes", axes, n, c->err)) return rr_op_prefix(c);
    if (*n < 0) *n = 0;
    return RNNRUN_OK;
}

int rr_infer_reduce(rr_ctx *c) {
    const rr_tensor *x = rr_in(c, 0);
    const char *t = c->node->op_type + 6; /* after "Reduce" */
    int op = strcmp(t, "Sum") == 0 ? R_SUM : strcmp(t, "Mean") == 0 ? R_MEAN : strcmp(t, "Max") == 0 ? R_MAX
           : strcmp(t, "Min") == 0 ? R_MIN : R_SUMSQ;
    bool input_form = rr_opset(c) >= (op == R_SUM ? 13 : 18);
    if (!input_form && c->node->n_in > 1 && c->node->in[1] >= 0)
        return rr_op_fail(c, RNNRUN_ERR_MODEL, "axes is an attribute at opset %d, not an input", rr_opset(c));
    unsigned mask = RR_M_NUM;
    if ((op == R_MAX || op == R_MIN) && rr_opset(c) >= 20) mask |= RR_M(RR_BOOL);
    if (rr_need_dtype(c, x, "input", mask)) return c->err->status;
    int64_t keepdims = 1, noop = 0;
    if (rr_attr_int(c->node, "keepdims", 1, &keepdims, c->err)) return rr_op_prefix(c);
    if (input_form && rr_attr_int(c->node, "noop_with_empty_axes", 0, &noop, c->err)) return rr_op_prefix(c);
    const int64_t *axes;
    int n;
    if (reduce_axes(c, input_form, &axes, &n)) return c->err->status;
    reduce_params *p = rr_pool_alloc(c->pool, sizeof *p);
    if (!p) return rr_op_fail(c, RNNRUN_ERR_NOMEM, "out of memory");
    p->op = op;
    c->params = p;
    if (n == 0 && noop) {
        p->noop = true;
        return rr_set_out_like(c, 0, x);
    }
    bool red[RR_MAX_RANK] = {false};
    for (int i = 0; i < n; i++) {
        int a;
        if (rr_axis(c, axes[i], x->rank, "axis", &a)) return c->err->status;
        if (red[a]) return rr_op_fail(c, RNNRUN_ERR_MODEL, "axis %lld is given twice", (long long)axes[i]);
        red[a] = true;
    }
    if (n == 0)
        for (int d = 0; d < x->rank; d++) red[d] = true;
    int64_t dims[RR_MAX_RANK], st = 1;
    int r = 0;
    p->count = 1;
    for (int d = x->rank - 1; d >= 0; d--) {
        if (red[d]) {
            p->rd[p->nr] = x->dims[d];
            p->rs[p->nr++] = st;
            p->count *= x->dims[d];
        }
        st *= x->dims[d];
    }
    st = 1;
    int64_t kst[RR_MAX_RANK];
    for (int d = x->rank - 1; d >= 0; d--) {
        kst[d] = st;
        st *= x->dims[d];
    }
    for (int d = 0; d < x->rank; d++) {
        if (!red[d]) {
            p->kd[p->nk] = x->dims[d];
            p->ks[p->nk++] = kst[d];
            dims[r++] = x->dims[d];
        } else if (keepdims) {
            dims[r++] = 1;
        }
    }
    return rr_set_out(c, 0, x->dtype, r, dims);
}

/* Odometer over dims n[0..k-1] (last fastest) with strides s: advances *off to the next element. */
static inline void odo_next(int k, const int64_t *n, const int64_t *s, int64_t *idx, int64_t *off) {
    for (int d = k - 1; d >= 0; d--) {
        *off += s[d];
        if (++idx[d] < n[d]) return;
        *off -= s[d] * n[d];
        idx[d] = 0;
    }
}

/* reduced dims are stored innermost first: iterate them with the odometer reversed */
static inline void red_next(const reduce_params *p, int64_t *idx, int64_t *off) {
    for (int d = 0; d < p->nr; d++) {
        *off += p->rs[d];
        if (++idx[d] < p->rd[d]) return;
        *off -= p->rs[d] * p->rd[d];
        idx[d] = 0;
    }
}

/* y (kept,) = reduce over the reduced dims of x; A: accumulator type for sums; MEAN: the mean
 * from acc and n (an empty float mean is NaN, an empty integer mean 0) */
#define REDUCE_RUN(T, A, LOWEST, HIGHEST, MEAN)                                                         \
    {                                                                                               \
        const T *xs = x->data;                                                                      \
        T *ys = y->data;                                                                            \
        int64_t kidx[RR_MAX_RANK] = {0}, koff = 0;                                                  \
        for (int64_t o = 0; o < y->numel; o++) {                                                    \
            int64_t ridx[RR_MAX_RANK] = {0}, off = koff;                                            \
            if (p->op == R_MAX || p->op == R_MIN) {                                                 \
                T m = p->op == R_MAX ? (LOWEST) : (HIGHEST);                                        \
                for (int64_t j = 0; j < p->count; j++, red_next(p, ridx, &off)) {                   \
                    T v = xs[off];                                                                  \
                    if (rr_isnan_d((double)v) || (p->op == R_MAX ? v > m : v < m)) m = v;           \
                    if (rr_isnan_d((double)v)) break;                                               \
                }                                                                                   \
                ys[o] = m;                                                                          \
            } else {                                                                                \
                A acc = 0;                                                                          \
                if (p->op == R_SUMSQ)                                                               \
                    for (int64_t j = 0; j < p->count; j++, red_next(p, ridx, &off)) acc += (A)xs[off] * (A)xs[off]; \
                else                                                                                \
                    for (int64_t j = 0; j < p->count; j++, red_next(p, ridx, &off)) acc += (A)xs[off]; \
                int64_t n = p->count;                                                               \
                ys[o] = p->op == R_MEAN ? (T)(MEAN) : (T)acc;                                       \
            }                                                                                       \
            odo_next(p->nk, p->kd, p->ks, kidx, &koff);                                             \
        }                                                                                           \
    }

int rr_run_reduce(const rr_ctx *c) {
    const reduce_params *p = c->params;
    const rr_tensor *x = rr_in(c, 0);
    rr_tensor *y = rr_out(c, 0);
    if (p->noop) {
        if (x->numel && y->data != x->data) memcpy(y->data, x->data, rr_tensor_bytes(x));
        return RNNRUN_OK;
    }
    switch (x->dtype) {
    case RR_FLOAT: REDUCE_RUN(float, double, -INFINITY, INFINITY, (double)acc / (double)n) break;
    case RR_DOUBLE: REDUCE_RUN(double, double, -INFINITY, INFINITY, (double)acc / (double)n) break;
    case RR_INT8: REDUCE_RUN(int8_t, uint64_t, INT8_MIN, INT8_MAX, n ? (int64_t)acc / n : 0) break;
    case RR_UINT8: REDUCE_RUN(uint8_t, uint64_t, 0, UINT8_MAX, n ? (uint64_t)acc / (uint64_t)n : 0) break;
    case RR_INT16: REDUCE_RUN(int16_t, uint64_t, INT16_MIN, INT16_MAX, n ? (int64_t)acc / n : 0) break;
    case RR_UINT16: REDUCE_RUN(uint16_t, uint64_t, 0, UINT16_MAX, n ? (uint64_t)acc / (uint64_t)n : 0) break;
    case RR_INT32: REDUCE_RUN(int32_t, uint64_t, INT32_MIN, INT32_MAX, n ? (int64_t)acc / n : 0) break;
    case RR_UINT32: REDUCE_RUN(uint32_t, uint64_t, 0, UINT32_MAX, n ? (uint64_t)acc / (uint64_t)n : 0) break;
    case RR_INT64: REDUCE_RUN(int64_t, uint64_t, INT64_MIN, INT64_MAX, n ? (int64_t)acc / n : 0) break;
    case RR_UINT64: REDUCE_RUN(uint64_t, uint64_t, 0, UINT64_MAX, n ? (uint64_t)acc / (uint64_t)n : 0) break;
    case RR_BOOL: REDUCE_RUN(uint8_t, uint64_t, 0, 1, n ? (uint64_t)acc / (uint64_t)n : 0) break;
    default: break;
    }
    return RNNRUN_OK;
}

/* ---- ArgMax / ArgMin ------------------------------------------------------------------------- */

typedef struct arg_params {
    bool max, last;
    int64_t outer, n, inner;   /* input viewed as (outer, n, inner) around the axis */
} arg_params;

int rr_infer_arg(rr_ctx *c) {
    const rr_tensor *x = rr_in(c, 0);
    if (rr_need_dtype(c, x, "input", RR_M_NUM)) return c->err->status;
    int64_t axis, keepdims, last = 0;
    if (rr_attr_int(c->node, "axis", 0, &axis, c->err) || rr_attr_int(c->node, "keepdims", 1, &keepdims, c->err))
        return rr_op_prefix(c);
    if (rr_opset(c) >= 12 && rr_attr_int(c->node, "select_last_index", 0, &last, c->err)) return rr_op_prefix(c);
    if (rr_opset(c) < 11 && axis < 0)
        return rr_op_fail(c, RNNRUN_ERR_MODEL, "negative axis needs opset 11 (model has %d)", rr_opset(c));
    int ax;
    if (rr_axis(c, axis, x->rank, "axis", &ax)) return c->err->status;
    if (x->dims[ax] == 0) return rr_op_fail(c, RNNRUN_ERR_SHAPE, "axis %d has size 0: there is no extreme to index", ax);
    arg_params *p = rr_pool_alloc(c->pool, sizeof *p);
    if (!p) return rr_op_fail(c, RNNRUN_ERR_NOMEM, "out of memory");
    p->max = strcmp(c->node->op_type, "ArgMax") == 0;
    p->last = last != 0;
    p->outer = p->inner = 1;
    for (int d = 0; d < ax; d++) p->outer *= x->dims[d];
    for (int d = ax + 1; d < x->rank; d++) p->inner *= x->dims[d];
    p->n = x->dims[ax];
    int64_t dims[RR_MAX_RANK];
    int r = 0;
    for (int d = 0; d < x->rank; d++)
        if (d != ax) dims[r++] = x->dims[d];
        else if (keepdims) dims[r++] = 1;
    c->params = p;
    return rr_set_out(c, 0, RR_INT64, r, dims);
}

/* y (outer, inner) = index along n of the max (min); the first NaN wins, as numpy.argmax */
#define ARG_RUN(T, sfx)                                                                          \
    {                                                                                            \
        const T *xs = x->data;                                                                   \
        for (int64_t o = 0; o < p->outer; o++)                                                   \
            for (int64_t i = 0; i < p->inner; i++) {                                             \
                const T *v = xs + o * p->n * p->inner + i;                                       \
                int64_t best = 0;                                                                \
                T bv = v[0];                                                                     \
                for (int64_t j = 1; j < p->n && !rr_isnan_d((double)bv); j++) {                  \
                    T e = v[j * p->inner];                                                       \
                    bool take = rr_isnan_d((double)e) ||                                         \
                                (p->max ? (p->last ? e >= bv : e > bv) : (p->last ? e <= bv : e < bv)); \
                    if (take) best = j, bv = e;                                                  \
                }                                                                                \
                y[o * p->inner + i] = best;                                                      \
            }                                                                                    \
    }

int rr_run_arg(const rr_ctx *c) {
    const arg_params *p = c->params;
    const rr_tensor *x = rr_in(c, 0);
    int64_t *y = rr_out(c, 0)->data;
    switch (x->dtype) { RR_CASE_FLOATS(ARG_RUN) RR_CASE_INTS(ARG_RUN) default: break; }
    return RNNRUN_OK;
}
