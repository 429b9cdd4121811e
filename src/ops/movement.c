/* Data movement for any dtype: Transpose, Concat, Slice, Gather. Kernels copy bytes; the
 * innermost contiguous run of every copy is one memcpy. */
#include <string.h>

#include "../kernels/kernels.h"
#include "ops.h"

static void dense_strides(const rr_tensor *t, int64_t *st) {
    int64_t s = 1;
    for (int d = t->rank - 1; d >= 0; d--) {
        st[d] = s;
        s *= t->dims[d];
    }
}

static int run_strided(const rr_ctx *c) {
    const rr_tensor *x = rr_in(c, 0);
    rr_tensor *y = rr_out(c, 0);
    if (y->numel) rr_strided_copy(c->params, x->data, y->data, rr_dtype_size(x->dtype));
    return RNNRUN_OK;
}

/* ---- Transpose ------------------------------------------------------------------------------- */

int rr_infer_transpose(rr_ctx *c) {
    const rr_tensor *x = rr_in(c, 0);
    const int64_t *perm;
    int n;
    if (rr_attr_ints(c->node, "perm", &perm, &n, c->err)) return rr_op_prefix(c);
    int p[RR_MAX_RANK];
    if (n < 0) {
        for (int i = 0; i < x->rank; i++) p[i] = x->rank - 1 - i;
    } else {
        if (n != x->rank)
            return rr_op_fail(c, RNNRUN_ERR_MODEL, "perm has %d entries for an input of rank %d", n, x->rank);
        bool seen[RR_MAX_RANK] = {false};
        for (int i = 0; i < n; i++) {
            if (perm[i] < 0 || perm[i] >= x->rank || seen[perm[i]])
                return rr_op_fail(c, RNNRUN_ERR_MODEL, "perm is not a permutation of 0..%d", x->rank - 1);
            seen[perm[i]] = true;
            p[i] = (int)perm[i];
        }
    }
    int64_t ist[RR_MAX_RANK], dims[RR_MAX_RANK], st[RR_MAX_RANK];
    dense_strides(x, ist);
    for (int i = 0; i < x->rank; i++) {
        dims[i] = x->dims[p[i]];
        st[i] = ist[p[i]];
    }
    rr_strided *s = rr_pool_alloc(c->pool, sizeof *s);
    if (!s) return rr_op_fail(c, RNNRUN_ERR_NOMEM, "out of memory");
    rr_strided_init(s, x->rank, dims, st, 0);
    c->params = s;
    return rr_set_out(c, 0, x->dtype, x->rank, dims);
}

int rr_run_transpose(const rr_ctx *c) { return run_strided(c); }

/* ---- Slice ----------------------------------------------------------------------------------- */

int rr_infer_slice(rr_ctx *c) {
    const rr_tensor *x = rr_in(c, 0);
    int64_t *starts = NULL, *ends = NULL, *axes = NULL, *steps = NULL;
    int ns, ne, na = -1, nt = -1;
    if (rr_opset(c) < 10) {
        const int64_t *v;
        if (rr_attr_ints(c->node, "starts", &v, &ns, c->err)) return rr_op_prefix(c);
        starts = (int64_t *)v;
        if (rr_attr_ints(c->node, "ends", &v, &ne, c->err)) return rr_op_prefix(c);
        ends = (int64_t *)v;
        if (rr_attr_ints(c->node, "axes", &v, &na, c->err)) return rr_op_prefix(c);
        axes = (int64_t *)v;
        if (ns < 0 || ne < 0) return rr_op_fail(c, RNNRUN_ERR_MODEL, "attributes starts and ends are required");
    } else {
        if (rr_read_ints(c, rr_in(c, 1), "starts", &starts, &ns) || rr_read_ints(c, rr_in(c, 2), "ends", &ends, &ne))
            return c->err->status;
        if (rr_in(c, 3) && rr_read_ints(c, rr_in(c, 3), "axes", &axes, &na)) return c->err->status;
        if (rr_in(c, 4) && rr_read_ints(c, rr_in(c, 4), "steps", &steps, &nt)) return c->err->status;
    }
    if (ne != ns || (na >= 0 && na != ns) || (nt >= 0 && nt != ns))
        return rr_op_fail(c, RNNRUN_ERR_MODEL, "starts, ends, axes and steps must have one length (%d, %d, %d, %d)", ns,
                          ne, na, nt);
    int64_t start[RR_MAX_RANK], step[RR_MAX_RANK], count[RR_MAX_RANK];
    bool seen[RR_MAX_RANK] = {false};
    for (int d = 0; d < x->rank; d++) {
        start[d] = 0;
        step[d] = 1;
        count[d] = x->dims[d];
    }
    for (int i = 0; i < ns; i++) {
        int a = i;
        if (axes && rr_axis(c, axes[i], x->rank, "axis", &a)) return c->err->status;
        if (!axes && i >= x->rank) return rr_op_fail(c, RNNRUN_ERR_MODEL, "more starts than input dimensions");
        if (seen[a]) return rr_op_fail(c, RNNRUN_ERR_MODEL, "axis %d is sliced twice", a);
        seen[a] = true;
        int64_t dim = x->dims[a], s = starts[i], e = ends[i], t = steps ? steps[i] : 1;
        if (t == 0) return rr_op_fail(c, RNNRUN_ERR_MODEL, "step is 0 on axis %d", a);
        if (t < -INT64_MAX) t = -INT64_MAX; /* so -t exists; no axis is that long */
        /* negative positions count from the end; then clamp as the spec says: starts to
         * [0, dim] (forward) or [0, dim-1] (backward), ends to [0, dim] or [-1, dim-1] */
        if (s < 0) s += dim;
        if (e < 0) e += dim;
        int64_t n;
        if (t > 0) {
            s = s < 0 ? 0 : s > dim ? dim : s;
            e = e < 0 ? 0 : e > dim ? dim : e;
            n = e > s ? (e - s - 1) / t + 1 : 0;
        } else {
            s = s < 0 ? 0 : s > dim - 1 ? dim - 1 : s;
            e = e < -1 ? -1 : e > dim - 1 ? dim - 1 : e;
            /* an empty axis has no element to start from, whatever the clamp gave */
            n = (dim > 0 && s > e) ? (s - e - 1) / (-t) + 1 : 0;
        }
        start[a] = n ? s : 0;
        step[a] = n > 1 ? t : 1; /* a step only matters when it is taken, and then it fits */
        count[a] = n;
    }
    int64_t ist[RR_MAX_RANK], st[RR_MAX_RANK], base = 0;
    dense_strides(x, ist);
    for (int d = 0; d < x->rank; d++) {
        st[d] = ist[d] * step[d];
        base += start[d] * ist[d];
    }
    rr_strided *s = rr_pool_alloc(c->pool, sizeof *s);
    if (!s) return rr_op_fail(c, RNNRUN_ERR_NOMEM, "out of memory");
    rr_strided_init(s, x->rank, count, st, base);
    c->params = s;
    return rr_set_out(c, 0, x->dtype, x->rank, count);
}

int rr_run_slice(const rr_ctx *c) { return run_strided(c); }

/* ---- Concat ---------------------------------------------------------------------------------- */

typedef struct concat_params {
    int64_t outer;      /* product of dims before the axis */
} concat_params;

int rr_infer_concat(rr_ctx *c) {
    const rr_tensor *x0 = rr_in(c, 0);
    int64_t axis;
    const rr_attr *a = rr_attr_find(c->node, "axis");
    if (!a && rr_opset(c) >= 4) return rr_op_fail(c, RNNRUN_ERR_MODEL, "attribute 'axis' is required");
    if (rr_attr_int(c->node, "axis", 1, &axis, c->err)) return rr_op_prefix(c);
    if (rr_opset(c) < 11 && axis < 0)
        return rr_op_fail(c, RNNRUN_ERR_MODEL, "negative axis needs opset 11 (model has %d)", rr_opset(c));
    int ax;
    if (rr_axis(c, axis, x0->rank, "axis", &ax)) return c->err->status;
    int64_t dims[RR_MAX_RANK];
    memcpy(dims, x0->dims, sizeof dims);
    dims[ax] = 0;
    for (int i = 0; i < c->node->n_in; i++) {
        const rr_tensor *x = rr_in(c, i);
        if (!x) return rr_op_fail(c, RNNRUN_ERR_MODEL, "input %d is empty", i);
        if (x->dtype != x0->dtype)
            return rr_op_fail(c, RNNRUN_ERR_DTYPE, "input %d is %s, input 0 is %s", i, rr_dtype_name(x->dtype),
                              rr_dtype_name(x0->dtype));
        bool ok = x->rank == x0->rank;
        for (int d = 0; ok && d < x->rank; d++) ok = d == ax || x->dims[d] == x0->dims[d];
        if (!ok) {
            char s0[160], s1[160];
            return rr_op_fail(c, RNNRUN_ERR_SHAPE, "input %d of shape %s does not concatenate with %s on axis %d", i,
                              rr_shape_str(x->dims, x->rank, s1, sizeof s1),
                              rr_shape_str(x0->dims, x0->rank, s0, sizeof s0), ax);
        }
        if (!rr_add_ok(dims[ax], x->dims[ax], &dims[ax])) return rr_op_fail(c, RNNRUN_ERR_LIMIT, "result too large");
    }
    concat_params *p = rr_pool_alloc(c->pool, sizeof *p);
    if (!p) return rr_op_fail(c, RNNRUN_ERR_NOMEM, "out of memory");
    p->outer = 1;
    for (int d = 0; d < ax; d++) p->outer *= x0->dims[d];
    c->params = p;
    return rr_set_out(c, 0, x0->dtype, x0->rank, dims);
}

int rr_run_concat(const rr_ctx *c) {
    const concat_params *p = c->params;
    rr_tensor *y = rr_out(c, 0);
    if (y->numel == 0) return RNNRUN_OK;
    size_t es = rr_dtype_size(y->dtype);
    size_t row = (size_t)(y->numel / p->outer) * es;   /* bytes of one outer index in the output */
    size_t pos = 0;
    for (int i = 0; i < c->node->n_in; i++) {
        const rr_tensor *x = rr_in(c, i);
        if (x->numel == 0) continue;
        size_t chunk = (size_t)(x->numel / p->outer) * es;
        for (int64_t o = 0; o < p->outer; o++)
            memcpy((char *)y->data + (size_t)o * row + pos, (const char *)x->data + (size_t)o * chunk, chunk);
        pos += chunk;
    }
    return RNNRUN_OK;
}

/* ---- Gather ---------------------------------------------------------------------------------- */

typedef struct gather_params {
    int64_t outer, n, inner;   /* data viewed as (outer, n, inner) around the axis */
} gather_params;

int rr_infer_gather(rr_ctx *c) {
    const rr_tensor *x = rr_in(c, 0), *idx = rr_in(c, 1);
    int64_t axis;
    if (rr_attr_int(c->node, "axis", 0, &axis, c->err)) return rr_op_prefix(c);
    if (rr_need_dtype(c, idx, "indices", RR_M_INDEX)) return c->err->status;
    int ax;
    if (rr_axis(c, axis, x->rank, "axis", &ax)) return c->err->status;
    int r = x->rank - 1 + idx->rank;
    if (r > RR_MAX_RANK) return rr_op_fail(c, RNNRUN_ERR_LIMIT, "result rank %d is above %d", r, RR_MAX_RANK);
    int64_t dims[RR_MAX_RANK];
    int k = 0;
    for (int d = 0; d < ax; d++) dims[k++] = x->dims[d];
    for (int d = 0; d < idx->rank; d++) dims[k++] = idx->dims[d];
    for (int d = ax + 1; d < x->rank; d++) dims[k++] = x->dims[d];
    gather_params *p = rr_pool_alloc(c->pool, sizeof *p);
    if (!p) return rr_op_fail(c, RNNRUN_ERR_NOMEM, "out of memory");
    p->outer = 1;
    p->inner = 1;
    for (int d = 0; d < ax; d++) p->outer *= x->dims[d];
    for (int d = ax + 1; d < x->rank; d++) p->inner *= x->dims[d];
    p->n = x->dims[ax];
    c->params = p;
    return rr_set_out(c, 0, x->dtype, r, dims);
}

int rr_run_gather(const rr_ctx *c) {
    const gather_params *p = c->params;
    const rr_tensor *x = rr_in(c, 0), *idx = rr_in(c, 1);
    rr_tensor *y = rr_out(c, 0);
    int64_t m = idx->numel;
    for (int64_t j = 0; j < m; j++) {
        int64_t i = rr_get_int(idx, j);
        if (i < -p->n || i >= p->n)
            return rr_op_fail(c, RNNRUN_ERR_VALUE, "index %lld is out of range for an axis of size %lld", (long long)i,
                              (long long)p->n);
    }
    if (y->numel == 0) return RNNRUN_OK;
    size_t es = rr_dtype_size(x->dtype), chunk = (size_t)p->inner * es;
    char *out = y->data;
    for (int64_t o = 0; o < p->outer; o++) {
        const char *src = (const char *)x->data + (size_t)(o * p->n) * chunk;
        for (int64_t j = 0; j < m; j++) {
            int64_t i = rr_get_int(idx, j);
            if (i < 0) i += p->n;
            memcpy(out, src + (size_t)i * chunk, chunk);
            out += chunk;
        }
    }
    return RNNRUN_OK;
}

/* ---- Split ----------------------------------------------------------------------------------- */

typedef struct split_params {
    int64_t outer, inner;   /* input viewed as (outer, dim, inner) around the axis */
    int64_t dim;
    int64_t *start;         /* [n_out] first index of each part along the axis */
} split_params;

int rr_infer_split(rr_ctx *c) {
    const rr_tensor *x = rr_in(c, 0);
    int opset = rr_opset(c), nout = c->node->n_out;
    int64_t axis, num = 0;
    if (rr_attr_int(c->node, "axis", 0, &axis, c->err)) return rr_op_prefix(c);
    if (opset < 11 && axis < 0)
        return rr_op_fail(c, RNNRUN_ERR_MODEL, "negative axis needs opset 11 (model has %d)", opset);
    int ax;
    if (rr_axis(c, axis, x->rank, "axis", &ax)) return c->err->status;
    /* sizes: the attribute (before 13; opset 1 also as input 1), or input 1 (13 and later) */
    const int64_t *sizes = NULL;
    int ns = -1;
    if (opset >= 13 || (opset < 2 && rr_in(c, 1))) {
        if (opset >= 13 && rr_attr_find(c->node, "split"))
            return rr_op_fail(c, RNNRUN_ERR_MODEL, "split is an input since opset 13, not an attribute");
        int64_t *v;
        if (rr_in(c, 1)) {
            if (rr_read_ints(c, rr_in(c, 1), "split", &v, &ns)) return c->err->status;
            sizes = v;
        }
    } else if (rr_attr_ints(c->node, "split", &sizes, &ns, c->err)) {
        return rr_op_prefix(c);
    }
    if (opset >= 18) {
        const rr_attr *a = rr_attr_find(c->node, "num_outputs");
        if (a && rr_attr_int(c->node, "num_outputs", 0, &num, c->err)) return rr_op_prefix(c);
        if (a && ns >= 0) return rr_op_fail(c, RNNRUN_ERR_MODEL, "has both the split input and num_outputs");
        if (!a && ns < 0) return rr_op_fail(c, RNNRUN_ERR_MODEL, "needs either the split input or num_outputs");
        if (a && num != nout)
            return rr_op_fail(c, RNNRUN_ERR_MODEL, "num_outputs is %lld but the node has %d outputs", (long long)num, nout);
    }
    split_params *p = rr_pool_alloc(c->pool, sizeof *p);
    int64_t *start = rr_pool_alloc(c->pool, (size_t)(nout + 1) * sizeof *start);
    if (!p || !start) return rr_op_fail(c, RNNRUN_ERR_NOMEM, "out of memory");
    int64_t dim = x->dims[ax], pos = 0;
    char sx[160];
    if (ns >= 0) {
        if (ns != nout) return rr_op_fail(c, RNNRUN_ERR_MODEL, "split has %d sizes for %d outputs", ns, nout);
        for (int i = 0; i < ns; i++) {
            if (sizes[i] < 0) return rr_op_fail(c, RNNRUN_ERR_SHAPE, "split size %lld is negative", (long long)sizes[i]);
            start[i] = pos;
            if (!rr_add_ok(pos, sizes[i], &pos)) return rr_op_fail(c, RNNRUN_ERR_SHAPE, "split sizes overflow");
        }
        if (pos != dim)
            return rr_op_fail(c, RNNRUN_ERR_SHAPE, "split sizes add up to %lld but axis %d of %s has %lld", (long long)pos, ax,
                              rr_shape_str(x->dims, x->rank, sx, sizeof sx), (long long)dim);
    } else if (opset >= 18) {
        /* ceil(dim / n) per part, the last one smaller */
        int64_t part = (dim + nout - 1) / nout;
        for (int i = 0; i < nout; i++) start[i] = part * i < dim ? part * i : dim;
    } else {
        if (dim % nout)
            return rr_op_fail(c, RNNRUN_ERR_SHAPE, "axis %d of %s (size %lld) does not split into %d equal parts", ax,
                              rr_shape_str(x->dims, x->rank, sx, sizeof sx), (long long)dim, nout);
        for (int i = 0; i < nout; i++) start[i] = dim / nout * i;
    }
    start[nout] = dim;
    p->outer = p->inner = 1;
    for (int d = 0; d < ax; d++) p->outer *= x->dims[d];
    for (int d = ax + 1; d < x->rank; d++) p->inner *= x->dims[d];
    p->dim = dim;
    p->start = start;
    c->params = p;
    for (int i = 0; i < nout; i++) {
        int64_t dims[RR_MAX_RANK];
        memcpy(dims, x->dims, sizeof dims);
        dims[ax] = start[i + 1] - start[i];
        if (rr_set_out(c, i, x->dtype, x->rank, dims)) return c->err->status;
    }
    return RNNRUN_OK;
}

/* output i (outer, len_i, inner) = x (outer, start_i .. start_i + len_i, inner) */
int rr_run_split(const rr_ctx *c) {
    const split_params *p = c->params;
    const rr_tensor *x = rr_in(c, 0);
    size_t es = rr_dtype_size(x->dtype);
    for (int i = 0; i < c->node->n_out; i++) {
        rr_tensor *y = rr_out(c, i);
        if (!y || y->numel == 0) continue;
        size_t chunk = (size_t)((p->start[i + 1] - p->start[i]) * p->inner) * es;
        size_t row = (size_t)(p->dim * p->inner) * es, off = (size_t)(p->start[i] * p->inner) * es;
        for (int64_t o = 0; o < p->outer; o++)
            memcpy((char *)y->data + (size_t)o * chunk, (const char *)x->data + (size_t)o * row + off, chunk);
    }
    return RNNRUN_OK;
}

/* ---- Expand ---------------------------------------------------------------------------------- */

int rr_infer_expand(rr_ctx *c) {
    const rr_tensor *x = rr_in(c, 0);
    int64_t *shape;
    int r;
    if (rr_read_ints(c, rr_in(c, 1), "shape", &shape, &r)) return c->err->status;
    if (r > RR_MAX_RANK) return rr_op_fail(c, RNNRUN_ERR_LIMIT, "target rank %d is above %d", r, RR_MAX_RANK);
    /* bidirectional broadcast of x's shape and the target */
    rr_tensor target = {.dtype = x->dtype, .rank = r};
    for (int i = 0; i < r; i++) {
        if (shape[i] < 0) return rr_op_fail(c, RNNRUN_ERR_SHAPE, "shape[%d] is negative (%lld)", i, (long long)shape[i]);
        target.dims[i] = shape[i];
    }
    const rr_tensor *ins[2] = {x, &target};
    int rank;
    int64_t dims[RR_MAX_RANK];
    rr_bcast bc;
    if (rr_broadcast(c, 2, ins, &rank, dims, &bc)) return c->err->status;
    int64_t ist[RR_MAX_RANK], st[RR_MAX_RANK];
    dense_strides(x, ist);
    for (int d = 0; d < rank; d++) {
        int dx = d - (rank - x->rank);
        st[d] = dx < 0 || x->dims[dx] == 1 ? 0 : ist[dx];
    }
    rr_strided *s = rr_pool_alloc(c->pool, sizeof *s);
    if (!s) return rr_op_fail(c, RNNRUN_ERR_NOMEM, "out of memory");
    rr_strided_init(s, rank, dims, st, 0);
    c->params = s;
    return rr_set_out(c, 0, x->dtype, rank, dims);
}

int rr_run_expand(const rr_ctx *c) { return run_strided(c); }

/* ---- Tile ------------------------------------------------------------------------------------ */

int rr_infer_tile(rr_ctx *c) {
    const rr_tensor *x = rr_in(c, 0);
    int64_t *rep;
    int n;
    if (rr_read_ints(c, rr_in(c, 1), "repeats", &rep, &n)) return c->err->status;
    if (n != x->rank) return rr_op_fail(c, RNNRUN_ERR_SHAPE, "repeats has %d values for an input of rank %d", n, x->rank);
    int64_t dims[RR_MAX_RANK];
    for (int d = 0; d < x->rank; d++) {
        if (rep[d] < 0) return rr_op_fail(c, RNNRUN_ERR_SHAPE, "repeats[%d] is negative (%lld)", d, (long long)rep[d]);
        if (!rr_mul_ok(x->dims[d], rep[d], &dims[d])) return rr_op_fail(c, RNNRUN_ERR_LIMIT, "result too large");
    }
    return rr_set_out(c, 0, x->dtype, x->rank, dims);
}

/* y (dims * repeats) [i] = x [i mod dims]: each input row (last axis) is copied repeats[-1]
 * times, for every output row */
int rr_run_tile(const rr_ctx *c) {
    const rr_tensor *x = rr_in(c, 0);
    rr_tensor *y = rr_out(c, 0);
    if (y->numel == 0) return RNNRUN_OK;
    size_t es = rr_dtype_size(x->dtype);
    if (x->rank == 0) {
        memcpy(y->data, x->data, es);
        return RNNRUN_OK;
    }
    int r = x->rank;
    int64_t ist[RR_MAX_RANK], idx[RR_MAX_RANK] = {0}, n = x->dims[r - 1], reps = y->dims[r - 1] / n;
    dense_strides(x, ist);
    int64_t rows = y->numel / y->dims[r - 1];
    size_t rowb = (size_t)n * es;
    char *o = y->data;
    for (int64_t row = 0; row < rows; row++) {
        int64_t off = 0;
        for (int d = 0; d < r - 1; d++) off += (idx[d] % x->dims[d]) * ist[d];
        const char *src = (const char *)x->data + (size_t)off * es;
        for (int64_t k = 0; k < reps; k++, o += rowb) memcpy(o, src, rowb);
        for (int d = r - 2; d >= 0; d--) {
            if (++idx[d] < y->dims[d]) break;
            idx[d] = 0;
        }
    }
    return RNNRUN_OK;
}
