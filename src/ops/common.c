/* Helpers shared by the ops' infer functions. */
#include <stdio.h>
#include <string.h>

#include "../plan.h"
#include "ops.h"

int rr_op_fail(const rr_ctx *c, int status, const char *fmt, ...) {
    if (c->err->status != RNNRUN_OK) return c->err->status;
    char label[400], msg[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rr_node_label(c->model, c->node, label, sizeof label);
    return rr_fail(c->err, status, "%s: %s", label, msg);
}

int rr_op_prefix(const rr_ctx *c) {
    char label[400];
    rr_node_label(c->model, c->node, label, sizeof label);
    return rr_err_prefix(c->err, "%s", label);
}

int rr_set_out(rr_ctx *c, int i, int dtype, int rank, const int64_t *dims) {
    rr_tensor *o = rr_out(c, i);
    if (!o) return RNNRUN_OK;
    o->dtype = dtype;
    o->data = NULL;
    rr_err sub = {0};
    int64_t limit = c->max_tensor_bytes > 0 ? c->max_tensor_bytes : c->model->max_tensor_bytes;
    if (rr_tensor_set_shape(o, rank, dims, limit, &sub))
        return rr_op_fail(c, sub.status, "output %d: %s", i, sub.msg);
    return RNNRUN_OK;
}

int rr_set_out_like(rr_ctx *c, int i, const rr_tensor *like) {
    return rr_set_out(c, i, like->dtype, like->rank, like->dims);
}

int rr_need_dtype(const rr_ctx *c, const rr_tensor *t, const char *what, unsigned mask) {
    if (t->dtype > 0 && t->dtype < 32 && (mask & RR_M(t->dtype))) return RNNRUN_OK;
    return rr_op_fail(c, RNNRUN_ERR_UNSUPPORTED, "%s has dtype %s, which this op does not support", what,
                      rr_dtype_name(t->dtype));
}

int rr_need_const(const rr_ctx *c, rr_tensor *t, const char *what) {
    if (t->data) return RNNRUN_OK;
    if (c->plan && rr_plan_pin(c->plan, (int)(t - c->t))) return RNNRUN_OK;
    return rr_op_fail(c, RNNRUN_ERR_UNSUPPORTED,
                      "%s must be known when the model is planned (a constant, or computed from shapes only)", what);
}

int rr_axis(const rr_ctx *c, int64_t axis, int rank, const char *what, int *out) {
    if (axis < -(int64_t)rank || axis >= rank || rank == 0)
        return rr_op_fail(c, RNNRUN_ERR_MODEL, "%s %lld is out of range for rank %d", what, (long long)axis, rank);
    *out = (int)(axis < 0 ? axis + rank : axis);
    return RNNRUN_OK;
}

int rr_read_ints(const rr_ctx *c, rr_tensor *t, const char *what, int64_t **out, int *count) {
    if (rr_need_dtype(c, t, what, RR_M_INDEX)) return c->err->status;
    if (rr_need_const(c, t, what)) return c->err->status;
    if (t->rank > 1) return rr_op_fail(c, RNNRUN_ERR_SHAPE, "%s must be 1-D, has rank %d", what, t->rank);
    if (t->numel > 4096) return rr_op_fail(c, RNNRUN_ERR_LIMIT, "%s has %lld values", what, (long long)t->numel);
    int64_t *v = rr_pool_alloc(c->pool, (size_t)(t->numel + 1) * sizeof(int64_t));
    if (!v) return rr_op_fail(c, RNNRUN_ERR_NOMEM, "out of memory");
    for (int64_t i = 0; i < t->numel; i++) v[i] = rr_get_int(t, i);
    *out = v;
    *count = (int)t->numel;
    return RNNRUN_OK;
}

int rr_broadcast(const rr_ctx *c, int n, const rr_tensor *const *in, int *out_rank, int64_t *out_dims,
                 rr_bcast *b) {
    int r = 0;
    for (int k = 0; k < n; k++)
        if (in[k]->rank > r) r = in[k]->rank;
    /* output shape, right-aligned */
    for (int d = 0; d < r; d++) {
        int64_t size = 1;
        for (int k = 0; k < n; k++) {
            int dk = d - (r - in[k]->rank);
            if (dk < 0) continue;
            int64_t s = in[k]->dims[dk];
            if (s == size || s == 1) continue;
            if (size != 1) {
                char sa[160], sb[160];
                return rr_op_fail(c, RNNRUN_ERR_SHAPE, "shapes %s and %s do not broadcast",
                                  rr_shape_str(in[0]->dims, in[0]->rank, sa, sizeof sa),
                                  rr_shape_str(in[k]->dims, in[k]->rank, sb, sizeof sb));
            }
            size = s;
        }
        out_dims[d] = size;
    }
    *out_rank = r;
    /* the merged walk below multiplies output dims: refuse a result whose non-zero dims overflow
     * (the caller's rr_set_out applies the real limit) */
    int64_t nz = 1;
    for (int d = 0; d < r; d++)
        if (!rr_mul_ok(nz, out_dims[d] ? out_dims[d] : 1, &nz)) {
            char so[160];
            return rr_op_fail(c, RNNRUN_ERR_LIMIT, "broadcast result %s is too large",
                              rr_shape_str(out_dims, r, so, sizeof so));
        }
    /* strides per operand over the output dims */
    int64_t st[RR_BCAST_MAX][RR_MAX_RANK];
    for (int k = 0; k < n; k++) {
        int64_t s = 1;
        for (int d = r - 1; d >= 0; d--) {
            int dk = d - (r - in[k]->rank);
            int64_t size = dk >= 0 ? in[k]->dims[dk] : 1;
            st[k][d] = size == 1 ? 0 : s;
            s *= size;
        }
    }
    /* drop size-1 dims, merge dims that are contiguous (or broadcast) for every operand */
    memset(b, 0, sizeof *b);
    b->n = n;
    int m = 0;
    for (int d = 0; d < r; d++) {
        if (out_dims[d] == 1) continue;
        bool merge = m > 0;
        for (int k = 0; k < n && merge; k++) merge = b->st[k][m - 1] == st[k][d] * out_dims[d];
        if (merge) {
            b->dims[m - 1] *= out_dims[d];
            for (int k = 0; k < n; k++) b->st[k][m - 1] = st[k][d];
        } else {
            b->dims[m] = out_dims[d];
            for (int k = 0; k < n; k++) b->st[k][m] = st[k][d];
            m++;
        }
    }
    if (m == 0) {
        b->dims[0] = 1;
        m = 1;
    }
    b->rank = m;
    return RNNRUN_OK;
}

void rr_bcast_walk(const rr_bcast *b, rr_bcast_fn fn, void *ctx) {
    int r = b->rank;
    int64_t inner = b->dims[r - 1], outer = 1;
    for (int d = 0; d < r - 1; d++) outer *= b->dims[d];
    if (inner == 0 || outer == 0) return;
    int64_t idx[RR_MAX_RANK] = {0}, off[RR_BCAST_MAX] = {0};
    for (int64_t o = 0; o < outer; o++) {
        fn(ctx, inner, off, o * inner);
        for (int d = r - 2; d >= 0; d--) {
            for (int k = 0; k < b->n; k++) off[k] += b->st[k][d];
            if (++idx[d] < b->dims[d]) break;
            for (int k = 0; k < b->n; k++) off[k] -= b->st[k][d] * b->dims[d];
            idx[d] = 0;
        }
    }
}
