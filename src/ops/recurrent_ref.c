/* The activations of the recurrent ops, and a plain reference implementation of RNN, GRU and
 * LSTM: the spec's equations computed one row and one element at a time from W, R, B and P as
 * given. Tests check the fast path (recurrent.c) against it. */
#include <math.h>
#include <string.h>

#include "../kernels/kernels.h"
#include "recurrent.h"

float rr_act_one(const rr_act *a, float x) {
    switch (a->fn) {
    case RR_ACT_RELU: return x > 0.0f ? x : 0.0f;
    case RR_ACT_TANH: return tanhf(x);
    case RR_ACT_SIGMOID: return x >= 0.0f ? 1.0f / (1.0f + expf(-x)) : expf(x) / (1.0f + expf(x));
    case RR_ACT_AFFINE: return a->alpha * x + a->beta;
    case RR_ACT_LEAKYRELU: return x >= 0.0f ? x : a->alpha * x;
    case RR_ACT_THRESHOLDEDRELU: return x > a->alpha ? x : 0.0f;
    case RR_ACT_SCALEDTANH: return a->alpha * tanhf(a->beta * x);
    case RR_ACT_HARDSIGMOID: return fminf(1.0f, fmaxf(0.0f, a->alpha * x + a->beta));
    case RR_ACT_ELU: return x >= 0.0f ? x : a->alpha * (expf(x) - 1.0f);
    case RR_ACT_SOFTSIGN: return x / (1.0f + fabsf(x));
    case RR_ACT_SOFTPLUS: return x > 0.0f ? x + log1pf(expf(-x)) : log1pf(expf(x));
    case RR_ACT_COUNT: break;
    }
    return x;
}

void rr_act_apply(const rr_act *a, const rr_kernels *k, float *x, int64_t n) {
    switch (a->fn) {
    case RR_ACT_TANH:
        if (k) k->vtanh(x, x, n);
        else
            for (int64_t i = 0; i < n; i++) x[i] = tanhf(x[i]);
        break;
    case RR_ACT_SIGMOID:
        if (k) k->vsigmoid(x, x, n);
        else
            for (int64_t i = 0; i < n; i++) x[i] = rr_act_one(a, x[i]);
        break;
    case RR_ACT_RELU:
        for (int64_t i = 0; i < n; i++) x[i] = x[i] > 0.0f ? x[i] : 0.0f;
        break;
    default:
        for (int64_t i = 0; i < n; i++) x[i] = rr_act_one(a, x[i]);
    }
}

static float clipf(float x, float c) { return x > c ? c : (x < -c ? -c : x); }

/* sum_k w[k] * v[k] */
static float dot(const float *w, const float *v, int64_t n) {
    float s = 0.0f;
    for (int64_t k = 0; k < n; k++) s += w[k] * v[k];
    return s;
}

int64_t rr_rec_reference_scratch(const rr_rec *r) { return 4 * r->H + r->G * r->H; }

/* One direction d of one row b, over the row's valid steps. */
static void ref_row(const rr_rec *r, const rr_rec_io *io, int d, int64_t b, float *scratch) {
    const int64_t H = r->H, I = r->I, G = r->G, len = rr_rec_len(r, io, b);
    const float *W = io->W + d * G * H * I, *R = io->R + d * G * H * H;
    const float *Wb = io->Bias ? io->Bias + d * 2 * G * H : NULL, *Rb = Wb ? Wb + G * H : NULL;
    const float *P = io->P ? io->P + d * 3 * H : NULL;
    const rr_act *f = &r->act[d][0], *g = &r->act[d][1], *hact = &r->act[d][2];
    float *h = scratch, *c = h + H, *hn = c + H, *rh = hn + H, *gate = rh + H; /* gate: (G*H) */
    for (int64_t j = 0; j < H; j++) {
        h[j] = io->h0 ? io->h0[rr_rec_soff(r, d, b) + j] : 0.0f;
        c[j] = io->c0 ? io->c0[rr_rec_soff(r, d, b) + j] : 0.0f;
    }
    for (int64_t s = 0; s < len; s++) {
        int64_t t = r->reverse[d] ? len - 1 - s : s;
        const float *x = io->X + rr_rec_xoff(r, t, b);
        /* gate[k] = x . W[k] + Wb[k] (+ h . R[k] + Rb[k], except GRU's h gate) */
        for (int64_t k = 0; k < G * H; k++) {
            gate[k] = dot(W + k * I, x, I) + (Wb ? Wb[k] : 0.0f);
            bool gru_h = r->kind == RR_REC_GRU && k >= 2 * H;
            if (!gru_h) gate[k] += dot(R + k * H, h, H) + (Rb ? Rb[k] : 0.0f);
        }
        if (r->kind == RR_REC_RNN) {
            for (int64_t j = 0; j < H; j++) hn[j] = rr_act_one(f, clipf(gate[j], r->clip));
        } else if (r->kind == RR_REC_GRU) {
            float *z = gate, *rr = gate + H, *hh = gate + 2 * H;
            for (int64_t j = 0; j < H; j++) {
                z[j] = rr_act_one(f, clipf(z[j], r->clip));
                rr[j] = rr_act_one(f, clipf(rr[j], r->clip));
            }
            const float *Rh = R + 2 * H * H, *Rbh = Rb ? Rb + 2 * H : NULL;
            if (r->lbr) {
                /* ht = g(Xt Wh + Wbh + rt . (Ht-1 Rh + Rbh)) */
                for (int64_t j = 0; j < H; j++)
                    hh[j] += rr[j] * (dot(Rh + j * H, h, H) + (Rbh ? Rbh[j] : 0.0f));
            } else {
                /* ht = g(Xt Wh + (rt . Ht-1) Rh + Rbh + Wbh) */
                for (int64_t j = 0; j < H; j++) rh[j] = rr[j] * h[j];
                for (int64_t j = 0; j < H; j++) hh[j] += dot(Rh + j * H, rh, H) + (Rbh ? Rbh[j] : 0.0f);
            }
            for (int64_t j = 0; j < H; j++) {
                float ht = rr_act_one(g, clipf(hh[j], r->clip));
                hn[j] = (1.0f - z[j]) * ht + z[j] * h[j];
            }
        } else {
            float *gi = gate, *go = gate + H, *gf = gate + 2 * H, *gc = gate + 3 * H;
            for (int64_t j = 0; j < H; j++) {
                float i = rr_act_one(f, clipf(gi[j] + (P ? P[j] * c[j] : 0.0f), r->clip));
                float fg = r->input_forget ? 1.0f - i
                                           : rr_act_one(f, clipf(gf[j] + (P ? P[2 * H + j] * c[j] : 0.0f), r->clip));
                float cc = rr_act_one(g, clipf(gc[j], r->clip));
                c[j] = fg * c[j] + i * cc;
                float o = rr_act_one(f, clipf(go[j] + (P ? P[H + j] * c[j] : 0.0f), r->clip));
                hn[j] = o * rr_act_one(hact, c[j]);
            }
        }
        memcpy(h, hn, (size_t)H * sizeof *h);
        if (io->Y) memcpy(io->Y + rr_rec_yoff(r, t, d, b), h, (size_t)H * sizeof *h);
    }
    if (io->Y)
        for (int64_t t = len; t < r->T; t++) memset(io->Y + rr_rec_yoff(r, t, d, b), 0, (size_t)H * sizeof(float));
    if (len == 0) memset(scratch, 0, 2 * (size_t)H * sizeof *h); /* h and c: zeros, as ONNX Runtime gives */
    if (io->Yh) memcpy(io->Yh + rr_rec_soff(r, d, b), h, (size_t)H * sizeof *h);
    if (io->Yc) memcpy(io->Yc + rr_rec_soff(r, d, b), c, (size_t)H * sizeof *c);
}

void rr_rec_reference(const rr_rec *r, const rr_rec_io *io, float *scratch) {
    for (int d = 0; d < r->D; d++)
        for (int64_t b = 0; b < r->B; b++) ref_row(r, io, d, b, scratch);
}
