/* Softmax and LogSoftmax. Before opset 13 the input is coerced to 2-D at `axis` (default 1) and
 * normalised over everything from axis on; from opset 13 over the single axis (default -1). Both
 * become a walk over the input viewed as (outer, n, inner). */
#include <string.h>

#include <tgmath.h> /* float kernels call the float functions (expf, ...) */

#include "typed.h"

typedef struct softmax_params {
    bool log;
    int64_t outer, n, inner;
} softmax_params;

int rr_infer_softmax(rr_ctx *c) {
    const rr_tensor *x = rr_in(c, 0);
    if (rr_need_dtype(c, x, "input", RR_M_FLOATS)) return c->err->status;
    bool coerce = rr_opset(c) < 13;
    int64_t axis;
    if (rr_attr_int(c->node, "axis", coerce ? 1 : -1, &axis, c->err)) return rr_op_prefix(c);
    softmax_params *p = rr_pool_alloc(c->pool, sizeof *p);
    if (!p) return rr_op_fail(c, RNNRUN_ERR_NOMEM, "out of memory");
    p->log = strcmp(c->node->op_type, "LogSoftmax") == 0;
    p->outer = p->n = p->inner = 1;
    if (coerce) {
        /* axis may equal rank before opset 13 (everything in the outer part); a scalar is (1, 1) */
        if (axis < -(int64_t)x->rank || axis > x->rank)
            return rr_op_fail(c, RNNRUN_ERR_MODEL, "axis %lld is out of range for rank %d", (long long)axis, x->rank);
        int ax = (int)(axis < 0 ? axis + x->rank : axis);
        for (int d = 0; d < x->rank; d++) {
            if (d < ax) p->outer *= x->dims[d];
            else p->n *= x->dims[d];
        }
    } else {
        int ax;
        if (rr_axis(c, axis, x->rank, "axis", &ax)) return c->err->status;
        for (int d = 0; d < x->rank; d++) {
            if (d < ax) p->outer *= x->dims[d];
            else if (d == ax) p->n = x->dims[d];
            else p->inner *= x->dims[d];
        }
    }
    c->params = p;
    return rr_set_out_like(c, 0, x);
}

/* for each (outer, inner): y[j] = exp(x[j] - max) / sum_k exp(x[k] - max), or its log */
#define SOFTMAX_RUN(T, sfx)                                                         \
    {                                                                               \
        const T *xs = x->data;                                                      \
        T *ys = y->data;                                                            \
        const int64_t n = p->n, in = p->inner;                                      \
        for (int64_t o = 0; o < p->outer; o++)                                      \
            for (int64_t i = 0; i < in; i++) {                                      \
                const T *v = xs + o * n * in + i;                                   \
                T *w = ys + o * n * in + i;                                         \
                T m = v[0];                                                         \
                for (int64_t j = 1; j < n; j++)                                     \
                    if (v[j * in] > m) m = v[j * in];                               \
                double s = 0;                                                       \
                for (int64_t j = 0; j < n; j++) {                                   \
                    T e = (T)exp(v[j * in] - m);                                    \
                    s += e;                                                         \
                    if (!p->log) w[j * in] = e;                                     \
                }                                                                   \
                if (p->log) {                                                       \
                    T ls = (T)log(s);                                               \
                    for (int64_t j = 0; j < n; j++) w[j * in] = v[j * in] - m - ls; \
                } else {                                                            \
                    T r = (T)(1.0 / s);                                             \
                    for (int64_t j = 0; j < n; j++) w[j * in] *= r;                 \
                }                                                                   \
            }                                                                       \
    }

int rr_run_softmax(const rr_ctx *c) {
    const softmax_params *p = c->params;
    const rr_tensor *x = rr_in(c, 0);
    rr_tensor *y = rr_out(c, 0);
    if (x->numel == 0) return RNNRUN_OK;
    switch (x->dtype) { RR_CASE_FLOATS(SOFTMAX_RUN) default: break; }
    return RNNRUN_OK;
}
