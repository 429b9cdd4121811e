/* Element-wise indexing for any dtype: GatherElements, ScatterElements and ScatterND (reduction
 * none, add, mul from opset 16, max, min from 18). Indices are int32 or int64, negative ones count
 * from the end; an index out of range fails the run with RNNRUN_ERR_VALUE. */
#include <string.h>

#include "typed.h"

enum { RED_NONE, RED_ADD, RED_MUL, RED_MAX, RED_MIN };

static int get_reduction(rr_ctx *c, int *out) {
    *out = RED_NONE;
    if (rr_opset(c) < 16) return RNNRUN_OK;
    const char *s;
    if (rr_attr_string(c->node, "reduction", "none", &s, c->err)) return rr_op_prefix(c);
    int max = rr_opset(c) >= 18 ? RED_MIN : RED_MUL;
    static const char *const names[] = {"none", "add", "mul", "max", "min"};
    for (int i = 0; i <= max; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = i;
            return RNNRUN_OK;
        }
    return rr_op_fail(c, RNNRUN_ERR_MODEL, "reduction '%s' is not one of none, add, mul%s", s,
                      max == RED_MIN ? ", max, min" : "");
}

typedef struct elem_params {
    int axis, red;
} elem_params;

/* Shared checks of GatherElements (data, indices) and ScatterElements (data, indices, updates). */
static int infer_elements(rr_ctx *c, bool scatter) {
    const rr_tensor *x = rr_in(c, 0), *idx = rr_in(c, 1);
    if (!rr_dtype_ok(x->dtype)) return rr_need_dtype(c, x, "data", RR_M_ALL);
    if (rr_need_dtype(c, idx, "indices", RR_M_INDEX)) return c->err->status;
    int64_t axis;
    if (rr_attr_int(c->node, "axis", 0, &axis, c->err)) return rr_op_prefix(c);
    elem_params *p = rr_pool_alloc(c->pool, sizeof *p);
    if (!p) return rr_op_fail(c, RNNRUN_ERR_NOMEM, "out of memory");
    if (rr_axis(c, axis, x->rank, "axis", &p->axis)) return c->err->status;
    char sa[160], sb[160];
    if (idx->rank != x->rank)
        return rr_op_fail(c, RNNRUN_ERR_SHAPE, "indices %s and data %s must have the same rank",
                          rr_shape_str(idx->dims, idx->rank, sa, sizeof sa), rr_shape_str(x->dims, x->rank, sb, sizeof sb));
    for (int d = 0; d < x->rank; d++)
        if (d != p->axis && idx->dims[d] > x->dims[d])
            return rr_op_fail(c, RNNRUN_ERR_SHAPE, "indices %s exceed data %s on axis %d",
                              rr_shape_str(idx->dims, idx->rank, sa, sizeof sa), rr_shape_str(x->dims, x->rank, sb, sizeof sb), d);
    c->params = p;
    if (!scatter) return rr_set_out(c, 0, x->dtype, idx->rank, idx->dims);
    const rr_tensor *u = rr_in(c, 2);
    if (u->dtype != x->dtype)
        return rr_op_fail(c, RNNRUN_ERR_DTYPE, "updates are %s but data is %s", rr_dtype_name(u->dtype), rr_dtype_name(x->dtype));
    if (!rr_shape_eq(u, idx))
        return rr_op_fail(c, RNNRUN_ERR_SHAPE, "updates %s must have the shape of indices %s",
                          rr_shape_str(u->dims, u->rank, sa, sizeof sa), rr_shape_str(idx->dims, idx->rank, sb, sizeof sb));
    if (get_reduction(c, &p->red)) return c->err->status;
    if (p->red != RED_NONE && rr_need_dtype(c, x, "data", RR_M_NUM)) return c->err->status;
    return rr_set_out_like(c, 0, x);
}

int rr_infer_gatherelements(rr_ctx *c) { return infer_elements(c, false); }
int rr_infer_scatterelements(rr_ctx *c) { return infer_elements(c, true); }

static int bad_index(const rr_ctx *c, int64_t i, int64_t n) {
    return rr_op_fail(c, RNNRUN_ERR_VALUE, "index %lld is out of range for an axis of size %lld", (long long)i, (long long)n);
}

/* For element j of indices (shape idx): the data offset it addresses, or -1 when out of range. */
static int64_t elem_offset(const rr_tensor *x, const rr_tensor *idx, int axis, const int64_t *pos, int64_t j) {
    int64_t v = rr_get_int(idx, j), n = x->dims[axis];
    if (v < -n || v >= n) return -1;
    if (v < 0) v += n;
    int64_t off = 0;
    for (int d = 0; d < x->rank; d++) off = off * x->dims[d] + (d == axis ? v : pos[d]);
    return off;
}

static void pos_next(const rr_tensor *t, int64_t *pos) {
    for (int d = t->rank - 1; d >= 0; d--) {
        if (++pos[d] < t->dims[d]) return;
        pos[d] = 0;
    }
}

/* y (idx shape) [pos] = x [pos with pos[axis] = idx[pos]] */
int rr_run_gatherelements(const rr_ctx *c) {
    const elem_params *p = c->params;
    const rr_tensor *x = rr_in(c, 0), *idx = rr_in(c, 1);
    rr_tensor *y = rr_out(c, 0);
    size_t es = rr_dtype_size(x->dtype);
    int64_t pos[RR_MAX_RANK] = {0};
    for (int64_t j = 0; j < idx->numel; j++, pos_next(idx, pos)) {
        int64_t off = elem_offset(x, idx, p->axis, pos, j);
        if (off < 0) return bad_index(c, rr_get_int(idx, j), x->dims[p->axis]);
        memcpy((char *)y->data + (size_t)j * es, (const char *)x->data + (size_t)off * es, es);
    }
    return RNNRUN_OK;
}

/* o = o RED u, for one element of type T */
#define RED_APPLY(T, sfx)                                                             \
    {                                                                                 \
        T *o = (T *)dst, v = *(const T *)src;                                         \
        switch (red) {                                                                \
        case RED_ADD: *o = (T)(*o + v); break;                                        \
        case RED_MUL: *o = (T)(*o * v); break;                                        \
        case RED_MAX: if (v > *o) *o = v; break;                                      \
        case RED_MIN: if (v < *o) *o = v; break;                                      \
        default: *o = v; break;                                                       \
        }                                                                             \
    }

/* dst[0..n) = dst RED src, n elements of dtype */
static void reduce_into(int dtype, int red, char *dst, const char *src, int64_t n) {
    size_t es = rr_dtype_size(dtype);
    if (red == RED_NONE) {
        memcpy(dst, src, (size_t)n * es);
        return;
    }
    for (int64_t i = 0; i < n; i++, dst += es, src += es) {
        switch (dtype) {
        RR_CASE_FLOATS(RED_APPLY)
        case RR_INT8: RED_APPLY(int8_t, i8) break;
        case RR_UINT8: RED_APPLY(uint8_t, u8) break;
        case RR_INT16: RED_APPLY(int16_t, i16) break;
        case RR_UINT16: { uint16_t *o = (uint16_t *)dst, v = *(const uint16_t *)src; /* no signed int promotion */
            if (red == RED_ADD) *o = (uint16_t)((uint32_t)*o + v);
            else if (red == RED_MUL) *o = (uint16_t)((uint32_t)*o * v);
            else if (red == RED_MAX ? v > *o : v < *o) *o = v;
            break; }
        case RR_INT32: { int32_t *o = (int32_t *)dst, v = *(const int32_t *)src; /* wrap, no UB */
            if (red == RED_ADD) *o = (int32_t)((uint32_t)*o + (uint32_t)v);
            else if (red == RED_MUL) *o = (int32_t)((uint32_t)*o * (uint32_t)v);
            else if (red == RED_MAX ? v > *o : v < *o) *o = v;
            break; }
        case RR_UINT32: RED_APPLY(uint32_t, u32) break;
        case RR_INT64: { int64_t *o = (int64_t *)dst, v = *(const int64_t *)src;
            if (red == RED_ADD) *o = (int64_t)((uint64_t)*o + (uint64_t)v);
            else if (red == RED_MUL) *o = (int64_t)((uint64_t)*o * (uint64_t)v);
            else if (red == RED_MAX ? v > *o : v < *o) *o = v;
            break; }
        case RR_UINT64: RED_APPLY(uint64_t, u64) break;
        default: break;
        }
    }
}

/* y = x; then y [pos with pos[axis] = idx[pos]] RED= updates [pos], in index order */
int rr_run_scatterelements(const rr_ctx *c) {
    const elem_params *p = c->params;
    const rr_tensor *x = rr_in(c, 0), *idx = rr_in(c, 1), *u = rr_in(c, 2);
    rr_tensor *y = rr_out(c, 0);
    size_t es = rr_dtype_size(x->dtype);
    int64_t pos[RR_MAX_RANK] = {0};
    for (int64_t j = 0; j < idx->numel; j++, pos_next(idx, pos))
        if (elem_offset(x, idx, p->axis, pos, j) < 0) return bad_index(c, rr_get_int(idx, j), x->dims[p->axis]);
    if (x->numel && y->data != x->data) memcpy(y->data, x->data, rr_tensor_bytes(x));
    memset(pos, 0, sizeof pos);
    for (int64_t j = 0; j < idx->numel; j++, pos_next(idx, pos)) {
        int64_t off = elem_offset(x, idx, p->axis, pos, j);
        reduce_into(x->dtype, p->red, (char *)y->data + (size_t)off * es, (const char *)u->data + (size_t)j * es, 1);
    }
    return RNNRUN_OK;
}

/* ---- ScatterND ------------------------------------------------------------------------------- */

typedef struct nd_params {
    int red;
    int k;            /* indices.shape[-1]: leading data dims addressed by each index tuple */
    int64_t tuples;   /* index tuples */
    int64_t slice;    /* elements of data per tuple (product of data dims after k) */
} nd_params;

int rr_infer_scatternd(rr_ctx *c) {
    const rr_tensor *x = rr_in(c, 0), *idx = rr_in(c, 1), *u = rr_in(c, 2);
    if (!rr_dtype_ok(x->dtype)) return rr_need_dtype(c, x, "data", RR_M_ALL);
    if (rr_need_dtype(c, idx, "indices", RR_M(RR_INT64))) return c->err->status;
    if (u->dtype != x->dtype)
        return rr_op_fail(c, RNNRUN_ERR_DTYPE, "updates are %s but data is %s", rr_dtype_name(u->dtype), rr_dtype_name(x->dtype));
    nd_params *p = rr_pool_alloc(c->pool, sizeof *p);
    if (!p) return rr_op_fail(c, RNNRUN_ERR_NOMEM, "out of memory");
    if (get_reduction(c, &p->red)) return c->err->status;
    if (p->red != RED_NONE && rr_need_dtype(c, x, "data", RR_M_NUM)) return c->err->status;
    char sx[160], si[160], su[160];
    if (idx->rank < 1 || idx->dims[idx->rank - 1] > x->rank)
        return rr_op_fail(c, RNNRUN_ERR_SHAPE, "indices %s do not index data %s", rr_shape_str(idx->dims, idx->rank, si, sizeof si),
                          rr_shape_str(x->dims, x->rank, sx, sizeof sx));
    p->k = (int)idx->dims[idx->rank - 1];
    /* updates.shape == indices.shape[:-1] + data.shape[k:] */
    bool ok = u->rank == idx->rank - 1 + x->rank - p->k;
    for (int d = 0; ok && d < idx->rank - 1; d++) ok = u->dims[d] == idx->dims[d];
    for (int d = p->k; ok && d < x->rank; d++) ok = u->dims[idx->rank - 1 + d - p->k] == x->dims[d];
    if (!ok)
        return rr_op_fail(c, RNNRUN_ERR_SHAPE, "updates %s do not fit indices %s into data %s",
                          rr_shape_str(u->dims, u->rank, su, sizeof su), rr_shape_str(idx->dims, idx->rank, si, sizeof si),
                          rr_shape_str(x->dims, x->rank, sx, sizeof sx));
    p->tuples = 1;
    for (int d = 0; d < idx->rank - 1; d++) p->tuples *= idx->dims[d];
    p->slice = 1;
    for (int d = p->k; d < x->rank; d++) p->slice *= x->dims[d];
    c->params = p;
    return rr_set_out_like(c, 0, x);
}

/* y = x; then for each tuple t: y [idx[t], :] RED= updates [t, :] */
int rr_run_scatternd(const rr_ctx *c) {
    const nd_params *p = c->params;
    const rr_tensor *x = rr_in(c, 0), *idx = rr_in(c, 1), *u = rr_in(c, 2);
    rr_tensor *y = rr_out(c, 0);
    const int64_t *iv = idx->data;
    size_t es = rr_dtype_size(x->dtype);
    for (int64_t t = 0; t < p->tuples; t++)
        for (int d = 0; d < p->k; d++) {
            int64_t v = iv[t * p->k + d];
            if (v < -x->dims[d] || v >= x->dims[d]) return bad_index(c, v, x->dims[d]);
        }
    if (x->numel && y->data != x->data) memcpy(y->data, x->data, rr_tensor_bytes(x));
    for (int64_t t = 0; t < p->tuples; t++) {
        int64_t off = 0;
        for (int d = 0; d < p->k; d++) {
            int64_t v = iv[t * p->k + d];
            off = off * x->dims[d] + (v < 0 ? v + x->dims[d] : v);
        }
        off *= p->slice;
        reduce_into(x->dtype, p->red, (char *)y->data + (size_t)off * es, (const char *)u->data + (size_t)(t * p->slice) * es,
                    p->slice);
    }
    return RNNRUN_OK;
}
