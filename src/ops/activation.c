/* Elementwise activations: Sigmoid, Tanh (float, double) and Relu (float, double, signed ints). */
#include <math.h>

#include "ops.h"

/* y (n,) = 1 / (1 + exp(-x)) */
static void sigmoid_f32(float *restrict y, const float *restrict x, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = 1.0f / (1.0f + expf(-x[i]));
}
static void sigmoid_f64(double *restrict y, const double *restrict x, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = 1.0 / (1.0 + exp(-x[i]));
}

/* y (n,) = tanh(x) */
static void tanh_f32(float *restrict y, const float *restrict x, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = tanhf(x[i]);
}
static void tanh_f64(double *restrict y, const double *restrict x, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = tanh(x[i]);
}

/* y (n,) = max(x, 0); NaN stays NaN */
#define RELU(T, sfx)                                                           \
    static void relu_##sfx(T *restrict y, const T *restrict x, int64_t n) {   \
        for (int64_t i = 0; i < n; i++) y[i] = x[i] < (T)0 ? (T)0 : x[i];     \
    }
RELU(float, f32)
RELU(double, f64)
RELU(int8_t, i8)
RELU(int16_t, i16)
RELU(int32_t, i32)
RELU(int64_t, i64)

static int infer_unary(rr_ctx *c, unsigned mask) {
    const rr_tensor *x = rr_in(c, 0);
    if (rr_need_dtype(c, x, "input", mask)) return c->err->status;
    return rr_set_out_like(c, 0, x);
}

int rr_infer_sigmoid(rr_ctx *c) { return infer_unary(c, RR_M_FLOATS); }
int rr_infer_tanh(rr_ctx *c) { return infer_unary(c, RR_M_FLOATS); }
int rr_infer_relu(rr_ctx *c) {
    unsigned m = RR_M_FLOATS;
    if (rr_opset(c) >= 14) m |= RR_M(RR_INT8) | RR_M(RR_INT16) | RR_M(RR_INT32) | RR_M(RR_INT64);
    return infer_unary(c, m);
}

int rr_run_sigmoid(const rr_ctx *c) {
    const rr_tensor *x = rr_in(c, 0);
    rr_tensor *y = rr_out(c, 0);
    if (x->dtype == RR_FLOAT) sigmoid_f32(y->data, x->data, x->numel);
    else sigmoid_f64(y->data, x->data, x->numel);
    return RNNRUN_OK;
}

int rr_run_tanh(const rr_ctx *c) {
    const rr_tensor *x = rr_in(c, 0);
    rr_tensor *y = rr_out(c, 0);
    if (x->dtype == RR_FLOAT) tanh_f32(y->data, x->data, x->numel);
    else tanh_f64(y->data, x->data, x->numel);
    return RNNRUN_OK;
}

int rr_run_relu(const rr_ctx *c) {
    const rr_tensor *x = rr_in(c, 0);
    rr_tensor *y = rr_out(c, 0);
    switch (x->dtype) {
    case RR_FLOAT: relu_f32(y->data, x->data, x->numel); break;
    case RR_DOUBLE: relu_f64(y->data, x->data, x->numel); break;
    case RR_INT8: relu_i8(y->data, x->data, x->numel); break;
    case RR_INT16: relu_i16(y->data, x->data, x->numel); break;
    case RR_INT32: relu_i32(y->data, x->data, x->numel); break;
    default: relu_i64(y->data, x->data, x->numel); break;
    }
    return RNNRUN_OK;
}
