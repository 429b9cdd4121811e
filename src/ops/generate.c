/* Ops that make a tensor from scalars: ConstantOfShape (a shape input and a one-element value
 * attribute, float32 0 by default) and Range (start, limit, delta). Their output shapes depend on
 * input values, so those must be known when the model is planned (the planner then folds them). */
#include <string.h>

#include "typed.h"

/* ---- ConstantOfShape ------------------------------------------------------------------------- */

int rr_infer_constantofshape(rr_ctx *c) {
    int64_t *shape;
    int r;
    if (rr_read_ints(c, rr_in(c, 0), "shape", &shape, &r)) return c->err->status;
    if (r > RR_MAX_RANK) return rr_op_fail(c, RNNRUN_ERR_LIMIT, "rank %d is above %d", r, RR_MAX_RANK);
    for (int i = 0; i < r; i++)
        if (shape[i] < 0) return rr_op_fail(c, RNNRUN_ERR_SHAPE, "shape[%d] is negative (%lld)", i, (long long)shape[i]);
    const rr_attr *a = rr_attr_find(c->node, "value");
    static const float zero = 0;
    int dtype = RR_FLOAT;
    const void *v = &zero;
    if (a) {
        if (a->type != RR_ATTR_TENSOR || !a->t)
            return rr_op_fail(c, RNNRUN_ERR_MODEL, "attribute 'value' must be a tensor");
        if (a->t->numel != 1)
            return rr_op_fail(c, RNNRUN_ERR_MODEL, "attribute 'value' must have one element, has %lld", (long long)a->t->numel);
        if (!rr_dtype_ok(a->t->dtype)) return rr_need_dtype(c, a->t, "value", RR_M_ALL);
        dtype = a->t->dtype;
        v = a->t->data;
    }
    c->params = (void *)v;
    return rr_set_out(c, 0, dtype, r, shape);
}

/* y (shape) = value everywhere */
int rr_run_constantofshape(const rr_ctx *c) {
    rr_tensor *y = rr_out(c, 0);
    size_t es = rr_dtype_size(y->dtype);
    char *o = y->data;
    for (int64_t i = 0; i < y->numel; i++) memcpy(o + (size_t)i * es, c->params, es);
    return RNNRUN_OK;
}

/* ---- Range ----------------------------------------------------------------------------------- */

int rr_infer_range(rr_ctx *c) {
    static const char *const names[3] = {"start", "limit", "delta"};
    rr_tensor *in[3];
    for (int i = 0; i < 3; i++) {
        in[i] = rr_in(c, i);
        if (in[i]->dtype != in[0]->dtype)
            return rr_op_fail(c, RNNRUN_ERR_DTYPE, "%s is %s but start is %s", names[i], rr_dtype_name(in[i]->dtype),
                              rr_dtype_name(in[0]->dtype));
        if (in[i]->numel != 1 || in[i]->rank > 1)
            return rr_op_fail(c, RNNRUN_ERR_SHAPE, "%s must be a scalar, has %lld elements", names[i], (long long)in[i]->numel);
        if (rr_need_dtype(c, in[i], names[i], RR_M_FLOATS | RR_M(RR_INT16) | RR_M(RR_INT32) | RR_M(RR_INT64)))
            return c->err->status;
        if (rr_need_const(c, in[i], names[i])) return c->err->status;
    }
    int64_t n;
    if (in[0]->dtype == RR_FLOAT || in[0]->dtype == RR_DOUBLE) {
        double s = rr_get_real(in[0], 0), l = rr_get_real(in[1], 0), d = rr_get_real(in[2], 0);
        if (in[0]->dtype == RR_FLOAT) /* the count in the inputs' precision, as the reference */
            s = (float)s, l = (float)l, d = (float)d;
        if (d == 0 || d != d || s != s || l != l) return rr_op_fail(c, RNNRUN_ERR_VALUE, "delta is 0 or a value is NaN");
        double q = ceil((l - s) / d);
        if (!(q < 1e12)) return rr_op_fail(c, RNNRUN_ERR_LIMIT, "range of %g elements is too large", q);
        n = q > 0 ? (int64_t)q : 0;
    } else {
        int64_t s = rr_get_int(in[0], 0), l = rr_get_int(in[1], 0), d = rr_get_int(in[2], 0);
        if (d == 0) return rr_op_fail(c, RNNRUN_ERR_VALUE, "delta is 0");
        /* ceil((l - s) / d) in 128 bits so no input can overflow */
        __int128 diff = (__int128)l - s, q = diff / d;
        if (q * d != diff && ((diff < 0) == (d < 0))) q++;
        n = q > 0 ? (int64_t)(q > INT64_MAX ? INT64_MAX : q) : 0;
    }
    int64_t dims[1] = {n};
    return rr_set_out(c, 0, in[0]->dtype, 1, dims);
}

/* y (n,) = start + i * delta */
#define RANGE_RUN(T, sfx)                                                         \
    {                                                                             \
        T s = *(const T *)rr_in(c, 0)->data, d = *(const T *)rr_in(c, 2)->data;   \
        T *ys = y->data;                                                          \
        for (int64_t i = 0; i < y->numel; i++) ys[i] = (T)(s + (T)i * d);         \
    }

int rr_run_range(const rr_ctx *c) {
    rr_tensor *y = rr_out(c, 0);
    switch (y->dtype) {
    case RR_FLOAT: RANGE_RUN(float, f32) break;
    case RR_DOUBLE: RANGE_RUN(double, f64) break;
    case RR_INT16: RANGE_RUN(int16_t, i16) break;
    case RR_INT32: RANGE_RUN(int32_t, i32) break;
    case RR_INT64: RANGE_RUN(int64_t, i64) break;
    default: break;
    }
    return RNNRUN_OK;
}
