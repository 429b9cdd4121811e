/* RNN, GRU and LSTM: what the op (recurrent.c) and the plain reference implementation
 * (recurrent_ref.c) share.
 *
 * Shapes (G gates per direction: RNN 1; GRU 3, order z r h; LSTM 4, order i o f c):
 *   layout 0: X (T,B,I)  Y (T,D,B,H)  Y_h, Y_c, initial_h, initial_c (D,B,H)
 *   layout 1: X (B,T,I)  Y (B,T,D,H)  Y_h, Y_c, initial_h, initial_c (B,D,H)
 *   W (D,G*H,I)  R (D,G*H,H)  B (D,2*G*H) = [Wb | Rb]  P (D,3*H) = [Pi | Po | Pf]
 *   sequence_lens (B) int32 (int64 accepted)
 */
#ifndef RNNRUN_OPS_RECURRENT_H
#define RNNRUN_OPS_RECURRENT_H

#include <stdbool.h>
#include <stdint.h>

/* The activation functions ONNX defines for recurrent ops. */
typedef enum rr_act_fn {
    RR_ACT_RELU, RR_ACT_TANH, RR_ACT_SIGMOID, RR_ACT_AFFINE, RR_ACT_LEAKYRELU, RR_ACT_THRESHOLDEDRELU,
    RR_ACT_SCALEDTANH, RR_ACT_HARDSIGMOID, RR_ACT_ELU, RR_ACT_SOFTSIGN, RR_ACT_SOFTPLUS, RR_ACT_COUNT
} rr_act_fn;

typedef struct rr_act {
    rr_act_fn fn;
    float alpha, beta;
} rr_act;

struct rr_kernels;
/* Apply an activation in place to x[0..n): Tanh and Sigmoid with k's vector kernels when k is not
 * NULL, otherwise (and every other function) with libm, element by element. */
void rr_act_apply(const rr_act *a, const struct rr_kernels *k, float *x, int64_t n);
/* The same for one value. */
float rr_act_one(const rr_act *a, float x);

enum { RR_REC_RNN = 0, RR_REC_GRU = 1, RR_REC_LSTM = 2 };

/* Everything the computation needs besides the tensors. */
typedef struct rr_rec {
    int kind;              /* RR_REC_RNN / GRU / LSTM */
    int G;                 /* gates per direction: 1, 3, 4 */
    int D;                 /* directions: 1 or 2 */
    bool reverse[2];       /* direction d walks time backwards */
    int layout;            /* 0 or 1, as above */
    int64_t T, B, I, H;
    rr_act act[2][3];      /* per direction: f, g, h (as many as the op uses) */
    float clip;            /* bound for every activation's input; +inf when absent */
    bool lbr;              /* GRU: linear_before_reset */
    bool input_forget;     /* LSTM: f = 1 - i */
    const struct rr_kernels *k; /* the fast path's kernels (not used by the reference) */
} rr_rec;

/* The tensors of one run. Optional ones are NULL. seq is int32 unless seq64. */
typedef struct rr_rec_io {
    const float *X, *W, *R, *Bias, *h0, *c0, *P;
    const void *seq;
    bool seq64;
    float *Y, *Yh, *Yc;
} rr_rec_io;

/* Length of row b (T when there is no sequence_lens). */
static inline int64_t rr_rec_len(const rr_rec *r, const rr_rec_io *io, int64_t b) {
    if (!io->seq) return r->T;
    return io->seq64 ? ((const int64_t *)io->seq)[b] : ((const int32_t *)io->seq)[b];
}

/* Element offsets of row b at time t in X, Y (direction d) and of row b in the state tensors. */
static inline int64_t rr_rec_xoff(const rr_rec *r, int64_t t, int64_t b) {
    return (r->layout ? b * r->T + t : t * r->B + b) * r->I;
}
static inline int64_t rr_rec_yoff(const rr_rec *r, int64_t t, int d, int64_t b) {
    return (r->layout ? (b * r->T + t) * r->D + d : (t * r->D + d) * r->B + b) * r->H;
}
static inline int64_t rr_rec_soff(const rr_rec *r, int d, int64_t b) {
    return (r->layout ? b * r->D + d : d * r->B + b) * r->H;
}

/* The spec's equations computed literally, one row and one gate element at a time, straight
 * from W, R, B and P as given: the reference the fast path is tested against. scratch holds
 * rr_rec_reference_scratch(r) floats. Every value of each present output is written. */
int64_t rr_rec_reference_scratch(const rr_rec *r);
void rr_rec_reference(const rr_rec *r, const rr_rec_io *io, float *scratch);

#endif
