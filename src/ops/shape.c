/* Ops that only produce or reinterpret shapes: Constant, Shape, Reshape, Squeeze, Unsqueeze,
 * Identity. Reshape, Squeeze, Unsqueeze and Identity are views (RR_OP_ALIAS): the planner gives
 * their output the input's storage, and their run (a copy) is used only for folding. */
#include <string.h>

#include "ops.h"

/* out = in, byte for byte */
static int run_copy(const rr_ctx *c) {
    const rr_tensor *x = rr_in(c, 0);
    rr_tensor *y = rr_out(c, 0);
    size_t n = rr_tensor_bytes(x);
    if (n && y->data != x->data) memmove(y->data, x->data, n);
    return RNNRUN_OK;
}

/* ---- Constant -------------------------------------------------------------------------------- */

int rr_infer_constant(rr_ctx *c) {
    const rr_node *n = c->node;
    const rr_attr *found = NULL;
    for (int i = 0; i < n->n_attr; i++) {
        const rr_attr *a = &n->attrs[i];
        if (strncmp(a->name, "value", 5) != 0 && strcmp(a->name, "sparse_value") != 0) continue;
        if (found) return rr_op_fail(c, RNNRUN_ERR_MODEL, "has both '%s' and '%s'; exactly one is allowed", found->name, a->name);
        found = a;
    }
    if (!found) return rr_op_fail(c, RNNRUN_ERR_MODEL, "has no value attribute");
    const char *k = found->name;
    int64_t dims[1];
    const void *src;
    int dtype, rank;
    if (strcmp(k, "value") == 0 && found->type == RR_ATTR_TENSOR && found->t) {
        dtype = found->t->dtype;
        src = found->t->data;
        c->params = (void *)src;
        return rr_set_out(c, 0, dtype, found->t->rank, found->t->dims);
    } else if (strcmp(k, "value_float") == 0 && found->type == RR_ATTR_FLOAT) {
        dtype = RR_FLOAT, rank = 0, src = &found->f;
    } else if (strcmp(k, "value_floats") == 0 && found->type == RR_ATTR_FLOATS) {
        dtype = RR_FLOAT, rank = 1, dims[0] = found->n, src = found->floats;
    } else if (strcmp(k, "value_int") == 0 && found->type == RR_ATTR_INT) {
        dtype = RR_INT64, rank = 0, src = &found->i;
    } else if (strcmp(k, "value_ints") == 0 && found->type == RR_ATTR_INTS) {
        dtype = RR_INT64, rank = 1, dims[0] = found->n, src = found->ints;
    } else if (strcmp(k, "value_string") == 0 || strcmp(k, "value_strings") == 0 || strcmp(k, "sparse_value") == 0) {
        return rr_op_fail(c, RNNRUN_ERR_UNSUPPORTED, "attribute '%s' is not supported (no string or sparse tensors)", k);
    } else {
        return rr_op_fail(c, RNNRUN_ERR_MODEL, "attribute '%s' is unknown or has the wrong type", k);
    }
    c->params = (void *)src;
    return rr_set_out(c, 0, dtype, rank, dims);
}

int rr_run_constant(const rr_ctx *c) {
    rr_tensor *y = rr_out(c, 0);
    size_t n = rr_tensor_bytes(y);
    if (n) memcpy(y->data, c->params, n);
    return RNNRUN_OK;
}

/* ---- Shape ----------------------------------------------------------------------------------- */

typedef struct shape_params {
    int start, end;
} shape_params;

int rr_infer_shape(rr_ctx *c) {
    const rr_tensor *x = rr_in(c, 0);
    int64_t start = 0, end = x->rank;
    if (rr_opset(c) >= 15) {
        if (rr_attr_int(c->node, "start", 0, &start, c->err) || rr_attr_int(c->node, "end", x->rank, &end, c->err))
            return rr_op_prefix(c);
    }
    /* negative counts from the back; both clamp to [0, rank] */
    if (start < 0) start += x->rank;
    if (end < 0) end += x->rank;
    start = start < 0 ? 0 : start > x->rank ? x->rank : start;
    end = end < 0 ? 0 : end > x->rank ? x->rank : end;
    if (end < start) end = start;
    shape_params *p = rr_pool_alloc(c->pool, sizeof *p);
    if (!p) return rr_op_fail(c, RNNRUN_ERR_NOMEM, "out of memory");
    p->start = (int)start;
    p->end = (int)end;
    c->params = p;
    int64_t dims[1] = {end - start};
    return rr_set_out(c, 0, RR_INT64, 1, dims);
}

int rr_run_shape(const rr_ctx *c) {
    const shape_params *p = c->params;
    const rr_tensor *x = rr_in(c, 0);
    int64_t *y = rr_out(c, 0)->data;
    for (int i = p->start; i < p->end; i++) y[i - p->start] = x->dims[i];
    return RNNRUN_OK;
}

/* ---- Reshape --------------------------------------------------------------------------------- */

int rr_infer_reshape(rr_ctx *c) {
    const rr_tensor *x = rr_in(c, 0);
    rr_tensor *s = rr_in(c, 1);
    int64_t allowzero = 0;
    if (rr_opset(c) >= 14 && rr_attr_int(c->node, "allowzero", 0, &allowzero, c->err)) return rr_op_prefix(c);
    int64_t *shape;
    int r;
    if (rr_read_ints(c, s, "shape", &shape, &r)) return c->err->status;
    if (r > RR_MAX_RANK) return rr_op_fail(c, RNNRUN_ERR_LIMIT, "target rank %d is above %d", r, RR_MAX_RANK);
    int64_t dims[RR_MAX_RANK], known = 1;
    int infer_at = -1;
    bool has_zero = false;
    for (int i = 0; i < r; i++) {
        int64_t d = shape[i];
        if (d == -1) {
            if (infer_at >= 0) return rr_op_fail(c, RNNRUN_ERR_SHAPE, "shape has more than one -1");
            infer_at = i;
            dims[i] = 1;
            continue;
        }
        if (d < -1) return rr_op_fail(c, RNNRUN_ERR_SHAPE, "shape has the invalid size %lld", (long long)d);
        if (d == 0 && !allowzero) {
            if (i >= x->rank)
                return rr_op_fail(c, RNNRUN_ERR_SHAPE, "shape[%d] is 0 (copy) but the input has rank %d", i, x->rank);
            d = x->dims[i];
        }
        has_zero = has_zero || d == 0;
        dims[i] = d;
        if (!rr_mul_ok(known, d, &known)) return rr_op_fail(c, RNNRUN_ERR_LIMIT, "shape is too large");
    }
    if (allowzero && has_zero && infer_at >= 0)
        return rr_op_fail(c, RNNRUN_ERR_SHAPE, "shape has both 0 and -1 with allowzero=1");
    char sx[160], sy[160];
    if (infer_at >= 0) {
        if (known == 0 || x->numel % known != 0)
            return rr_op_fail(c, RNNRUN_ERR_SHAPE, "cannot reshape %s into %s: no size fits the -1",
                              rr_shape_str(x->dims, x->rank, sx, sizeof sx), rr_shape_str(shape, r, sy, sizeof sy));
        dims[infer_at] = x->numel / known;
        known = x->numel;
    }
    if (known != x->numel)
        return rr_op_fail(c, RNNRUN_ERR_SHAPE, "cannot reshape %s (%lld elements) into %s", rr_shape_str(x->dims, x->rank, sx, sizeof sx),
                          (long long)x->numel, rr_shape_str(dims, r, sy, sizeof sy));
    return rr_set_out(c, 0, x->dtype, r, dims);
}

int rr_run_reshape(const rr_ctx *c) { return run_copy(c); }

/* ---- Squeeze / Unsqueeze --------------------------------------------------------------------- */

/* axes from the attribute (before opset 13) or the optional second input (13 and later) */
static int get_axes(rr_ctx *c, int64_t **axes, int *n) {
    *axes = NULL;
    *n = -1;
    if (rr_opset(c) >= 13) {
        if (rr_attr_find(c->node, "axes"))
            return rr_op_fail(c, RNNRUN_ERR_MODEL, "axes is an input since opset 13, not an attribute");
        rr_tensor *a = rr_in(c, 1);
        return a ? rr_read_ints(c, a, "axes", axes, n) : RNNRUN_OK;
    }
    const int64_t *v;
    if (rr_attr_ints(c->node, "axes", &v, n, c->err)) return rr_op_prefix(c);
    *axes = (int64_t *)v;
    return RNNRUN_OK;
}

/* Normalise axes against rank r into a mask; duplicates are an error. */
static int axes_mask(rr_ctx *c, const int64_t *axes, int n, int r, bool *mask) {
    for (int i = 0; i < r; i++) mask[i] = false;
    for (int i = 0; i < n; i++) {
        int a;
        if (rr_axis(c, axes[i], r, "axis", &a)) return c->err->status;
        if (mask[a]) return rr_op_fail(c, RNNRUN_ERR_MODEL, "axis %lld is given twice", (long long)axes[i]);
        mask[a] = true;
    }
    return RNNRUN_OK;
}

int rr_infer_squeeze(rr_ctx *c) {
    const rr_tensor *x = rr_in(c, 0);
    int64_t *axes;
    int n;
    if (get_axes(c, &axes, &n)) return c->err->status;
    bool mask[RR_MAX_RANK];
    if (n >= 0) {
        if (axes_mask(c, axes, n, x->rank, mask)) return c->err->status;
        for (int i = 0; i < x->rank; i++)
            if (mask[i] && x->dims[i] != 1)
                return rr_op_fail(c, RNNRUN_ERR_SHAPE, "cannot squeeze axis %d of size %lld", i, (long long)x->dims[i]);
    } else {
        for (int i = 0; i < x->rank; i++) mask[i] = x->dims[i] == 1;
    }
    int64_t dims[RR_MAX_RANK];
    int r = 0;
    for (int i = 0; i < x->rank; i++)
        if (!mask[i]) dims[r++] = x->dims[i];
    return rr_set_out(c, 0, x->dtype, r, dims);
}

int rr_run_squeeze(const rr_ctx *c) { return run_copy(c); }

int rr_infer_unsqueeze(rr_ctx *c) {
    const rr_tensor *x = rr_in(c, 0);
    int64_t *axes;
    int n;
    if (get_axes(c, &axes, &n)) return c->err->status;
    if (n < 0) return rr_op_fail(c, RNNRUN_ERR_MODEL, "axes are required");
    int r = x->rank + n;
    if (r > RR_MAX_RANK) return rr_op_fail(c, RNNRUN_ERR_LIMIT, "result rank %d is above %d", r, RR_MAX_RANK);
    bool mask[RR_MAX_RANK];
    if (axes_mask(c, axes, n, r, mask)) return c->err->status;
    int64_t dims[RR_MAX_RANK];
    for (int i = 0, k = 0; i < r; i++) dims[i] = mask[i] ? 1 : x->dims[k++];
    return rr_set_out(c, 0, x->dtype, r, dims);
}

int rr_run_unsqueeze(const rr_ctx *c) { return run_copy(c); }

/* ---- Identity -------------------------------------------------------------------------------- */

int rr_infer_identity(rr_ctx *c) { return rr_set_out_like(c, 0, rr_in(c, 0)); }
int rr_run_identity(const rr_ctx *c) { return run_copy(c); }

/* ---- Flatten --------------------------------------------------------------------------------- */

int rr_infer_flatten(rr_ctx *c) {
    const rr_tensor *x = rr_in(c, 0);
    int64_t axis;
    if (rr_attr_int(c->node, "axis", 1, &axis, c->err)) return rr_op_prefix(c);
    int64_t lo = rr_opset(c) >= 11 ? -(int64_t)x->rank : 0;
    if (axis < lo || axis > x->rank)
        return rr_op_fail(c, RNNRUN_ERR_MODEL, "axis %lld is out of range [%lld, %d] for rank %d", (long long)axis,
                          (long long)lo, x->rank, x->rank);
    if (axis < 0) axis += x->rank;
    int64_t dims[2] = {1, 1};
    for (int d = 0; d < x->rank; d++) dims[d >= axis] *= x->dims[d];
    return rr_set_out(c, 0, x->dtype, 2, dims);
}

int rr_run_flatten(const rr_ctx *c) { return run_copy(c); }

/* ---- Dropout (inference) --------------------------------------------------------------------- */

/* The output is the input; the optional mask is all true (bool from opset 10, the input's dtype
 * before). training_mode, when given, must be false, or the ratio 0. The planner makes output 0 a
 * view when the mask is not asked for. */
int rr_infer_dropout(rr_ctx *c) {
    const rr_tensor *x = rr_in(c, 0);
    if (rr_need_dtype(c, x, "input", RR_M_NUM)) return c->err->status;
    rr_tensor *ratio = rr_in(c, 1), *train = rr_in(c, 2);
    if (train) {
        if (rr_need_dtype(c, train, "training_mode", RR_M(RR_BOOL)) || rr_need_const(c, train, "training_mode"))
            return c->err->status;
        if (train->numel == 1 && rr_get_int(train, 0) != 0) {
            if (ratio && (rr_need_dtype(c, ratio, "ratio", RR_M_FLOATS) || rr_need_const(c, ratio, "ratio")))
                return c->err->status;
            if (!ratio || ratio->numel != 1 || rr_get_real(ratio, 0) != 0)
                return rr_op_fail(c, RNNRUN_ERR_UNSUPPORTED, "training mode with a nonzero ratio (random dropout) is not supported");
        }
    }
    if (rr_set_out_like(c, 0, x)) return c->err->status;
    return rr_set_out(c, 1, rr_opset(c) >= 10 ? RR_BOOL : x->dtype, x->rank, x->dims);
}

int rr_run_dropout(const rr_ctx *c) {
    run_copy(c);
    rr_tensor *m = rr_out(c, 1);
    if (!m) return RNNRUN_OK;
    size_t es = rr_dtype_size(m->dtype);
    for (int64_t i = 0; i < m->numel; i++) {
        char *e = (char *)m->data + (size_t)i * es;
        switch (m->dtype) {
        case RR_FLOAT: *(float *)e = 1; break;
        case RR_DOUBLE: *(double *)e = 1; break;
        default: memset(e, 0, es), *(uint8_t *)e = 1; break; /* little-endian integers and bool */
        }
    }
    return RNNRUN_OK;
}
