/* RNN, GRU and LSTM: the op (plan-time packed weights and weights fed at run time) against the
 * plain reference implementation on random cases, odd sizes included; and every bad-input error,
 * with its exact status and message. Expected values from ONNX Runtime and PyTorch are checked by
 * the suite 'recurrent' (tests/data/recurrent) and the node tests. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/recurrent.h"
#include "testutil.h"

static const char *act_names[RR_ACT_COUNT] = {"Relu", "Tanh", "Sigmoid", "Affine", "LeakyRelu", "ThresholdedRelu",
                                              "ScaledTanh", "HardSigmoid", "Elu", "Softsign", "Softplus"};
static const char *op_names[] = {"RNN", "GRU", "LSTM"};

/* a recurrent case */
typedef struct rc {
    int kind;
    const char *direction;
    int layout;
    int64_t T, B, I, H;
    bool bias, h0, seq, peep;
    bool consts;          /* W, R, B, P as initializers (packed at plan time) or graph inputs */
    int nact;             /* 0: defaults */
    rr_act_fn act[6];
    int nalpha, nbeta;
    float alpha[6], beta[6];
    float clip;           /* 0: none */
    int lbr, input_forget;
    int threads;          /* > 1: also run a session of this many threads; it must give the same bits */
    unsigned seed;
} rc;

static float rnd(unsigned *s) {
    *s = *s * 1664525u + 1013904223u;
    return (float)((*s >> 8) & 0xffff) / 65536.0f * 2.0f - 1.0f; /* [-1, 1) */
}

static float *rnd_array(int64_t n, float scale, unsigned *s) {
    float *a = malloc((size_t)(n ? n : 1) * sizeof *a);
    for (int64_t i = 0; i < n; i++) a[i] = scale * rnd(s);
    return a;
}

static char *shape_str(char *buf, size_t size, int rank, const int64_t *d) {
    buf[0] = 0;
    for (int i = 0; i < rank; i++)
        snprintf(buf + strlen(buf), size - strlen(buf), "%s%lld", i ? "," : "", (long long)d[i]);
    return buf;
}

/* Bind the inputs and run a session of n threads (the caller frees it). */
static rnnrun_session *run_threads(const rnnrun_model *model, int nin, const rnnrun_tensor *in, int n) {
    rnnrun_session_options o;
    rnnrun_session_options_init(&o);
    o.n_threads = n;
    rnnrun_session *s;
    ck_assert_int_eq(rnnrun_session_new_with_options(model, &o, &s), RNNRUN_OK);
    for (int i = 0; i < nin; i++) ck_assert_int_eq(rnnrun_session_set_input(s, i, &in[i]), RNNRUN_OK);
    ck_assert_msg(rnnrun_session_run(s) == RNNRUN_OK, "%s", rnnrun_session_errmsg(s));
    return s;
}

/* Build the case's model, run it, and compare every output with the reference (and, with
 * k->threads, the outputs of that many threads with the single thread's, bit for bit). */
static void check_case(const rc *k) {
    const int G = k->kind == RR_REC_RNN ? 1 : k->kind == RR_REC_GRU ? 3 : 4;
    const int D = strcmp(k->direction, "bidirectional") ? 1 : 2;
    const int64_t T = k->T, B = k->B, I = k->I, H = k->H;
    unsigned s = k->seed;
    int64_t xd[3] = {k->layout ? B : T, k->layout ? T : B, I}, wd[3] = {D, G * H, I}, rd[3] = {D, G * H, H},
            bd[2] = {D, 2 * G * H}, pd[2] = {D, 3 * H}, sd[3] = {k->layout ? B : D, k->layout ? D : B, H},
            qd[1] = {B}, yd[4] = {T, D, B, H}, yd1[4] = {B, T, D, H};
    float *X = rnd_array(T * B * I, 1.0f, &s), *W = rnd_array(D * G * H * I, 0.5f, &s),
          *R = rnd_array(D * G * H * H, 0.5f, &s), *Bv = rnd_array(D * 2 * G * H, 0.5f, &s),
          *P = rnd_array(D * 3 * H, 0.5f, &s), *h0 = rnd_array(D * B * H, 1.0f, &s), *c0 = rnd_array(D * B * H, 1.0f, &s);
    int32_t *seq = malloc((size_t)B * sizeof *seq);
    for (int64_t b = 0; b < B; b++) seq[b] = (int32_t)(b == 0 ? T : (int64_t)(s = s * 69069u + 1) % (T + 1));

    mb *m = mb_new(8, 14);
    char sh[200];
    mb_input(m, "X", RNNRUN_FLOAT, shape_str(sh, sizeof sh, 3, xd));
    rnnrun_tensor in[8];
    int nin = 0;
    in[nin++] = tu_tensor(RNNRUN_FLOAT, sh, X);
    const char *names[8] = {"X", "W", "R", k->bias ? "B" : "", k->seq ? "S" : "", k->h0 ? "H0" : "",
                            k->h0 && k->kind == RR_REC_LSTM ? "C0" : "", k->peep ? "P" : ""};
    float *wdata[4] = {W, R, Bv, P};
    const int64_t *wdims[4] = {wd, rd, bd, pd};
    int wrank[4] = {3, 3, 2, 2};
    for (int i = 0; i < 4; i++) {
        const char *nm = names[i == 3 ? 7 : i + 1];
        if (!nm[0]) continue;
        shape_str(sh, sizeof sh, wrank[i], wdims[i]);
        int64_t n = 1;
        for (int d = 0; d < wrank[i]; d++) n *= wdims[i][d];
        if (k->consts) {
            mb_init_f(m, nm, sh, wdata[i], (size_t)n);
        } else {
            mb_input(m, nm, RNNRUN_FLOAT, sh);
            in[nin++] = tu_tensor(RNNRUN_FLOAT, sh, wdata[i]);
        }
    }
    if (k->seq) {
        mb_input(m, "S", RNNRUN_INT32, shape_str(sh, sizeof sh, 1, qd));
        in[nin++] = tu_tensor(RNNRUN_INT32, sh, seq);
    }
    if (k->h0) {
        mb_input(m, "H0", RNNRUN_FLOAT, shape_str(sh, sizeof sh, 3, sd));
        in[nin++] = tu_tensor(RNNRUN_FLOAT, sh, h0);
        if (k->kind == RR_REC_LSTM) {
            mb_input(m, "C0", RNNRUN_FLOAT, sh);
            in[nin++] = tu_tensor(RNNRUN_FLOAT, sh, c0);
        }
    }
    char ins[100] = "";
    int last = 7;
    while (!names[last][0]) last--;
    for (int i = 0; i <= last; i++) snprintf(ins + strlen(ins), sizeof ins - strlen(ins), "%s%s", i ? "," : "", names[i]);
    Onnx__NodeProto *n = mb_node(m, op_names[k->kind], ins, k->kind == RR_REC_LSTM ? "Y,Yh,Yc" : "Y,Yh");
    mb_attr_s(m, n, "direction", k->direction);
    mb_attr_i(m, n, "hidden_size", H);
    if (k->layout) mb_attr_i(m, n, "layout", 1);
    if (k->clip > 0) mb_attr_f(m, n, "clip", k->clip);
    if (k->kind == RR_REC_GRU) mb_attr_i(m, n, "linear_before_reset", k->lbr);
    if (k->kind == RR_REC_LSTM) mb_attr_i(m, n, "input_forget", k->input_forget);
    if (k->nact) {
        const char *an[6];
        for (int i = 0; i < k->nact; i++) an[i] = act_names[k->act[i]];
        mb_attr_strings(m, n, "activations", (size_t)k->nact, an);
    }
    if (k->nalpha) mb_attr_floats(m, n, "activation_alpha", (size_t)k->nalpha, k->alpha);
    if (k->nbeta) mb_attr_floats(m, n, "activation_beta", (size_t)k->nbeta, k->beta);
    mb_output(m, "Y", RNNRUN_FLOAT, NULL);
    mb_output(m, "Yh", RNNRUN_FLOAT, NULL);
    if (k->kind == RR_REC_LSTM) mb_output(m, "Yc", RNNRUN_FLOAT, NULL);
    rnnrun_model *model = tu_load(m);
    rnnrun_session *ses = tu_run(model, nin, in);

    /* the reference, from the same data */
    rr_rec r = {.kind = k->kind, .G = G, .D = D, .reverse = {!strcmp(k->direction, "reverse"), D == 2},
                .layout = k->layout, .T = T, .B = B, .I = I, .H = H, .clip = k->clip > 0 ? k->clip : INFINITY,
                .lbr = k->lbr != 0, .input_forget = k->input_forget != 0};
    const int per = k->kind + 1;
    int ia = 0, ib = 0;
    for (int d = 0; d < D; d++)
        for (int j = 0; j < per; j++) {
            static const rr_act_fn def[3][3] = {{RR_ACT_TANH}, {RR_ACT_SIGMOID, RR_ACT_TANH},
                                                {RR_ACT_SIGMOID, RR_ACT_TANH, RR_ACT_TANH}};
            rr_act *a = &r.act[d][j];
            a->fn = k->nact ? k->act[d * per + j] : def[k->kind][j];
            bool ta = a->fn == RR_ACT_AFFINE || a->fn == RR_ACT_LEAKYRELU || a->fn == RR_ACT_THRESHOLDEDRELU ||
                      a->fn == RR_ACT_SCALEDTANH || a->fn == RR_ACT_HARDSIGMOID || a->fn == RR_ACT_ELU;
            bool tb = a->fn == RR_ACT_AFFINE || a->fn == RR_ACT_SCALEDTANH || a->fn == RR_ACT_HARDSIGMOID;
            if (ta) a->alpha = k->alpha[ia++];
            if (tb) a->beta = k->beta[ib++];
        }
    int64_t ny = T * D * B * H, ns = D * B * H;
    float *Y = malloc((size_t)(ny ? ny : 1) * sizeof(float)), *Yh = malloc((size_t)ns * sizeof(float)),
          *Yc = malloc((size_t)ns * sizeof(float));
    float *scratch = malloc((size_t)rr_rec_reference_scratch(&r) * sizeof(float));
    rr_rec_io io = {.X = X, .W = W, .R = R, .Bias = k->bias ? Bv : NULL, .h0 = k->h0 ? h0 : NULL,
                    .c0 = k->h0 && k->kind == RR_REC_LSTM ? c0 : NULL, .P = k->peep ? P : NULL,
                    .seq = k->seq ? seq : NULL, .Y = Y, .Yh = Yh, .Yc = k->kind == RR_REC_LSTM ? Yc : NULL};
    rr_rec_reference(&r, &io, scratch);
    tu_close_f32(tu_output(ses, 0, RNNRUN_FLOAT, shape_str(sh, sizeof sh, 4, k->layout ? yd1 : yd)), Y, ny, 1e-5, 1e-4);
    tu_close_f32(tu_output(ses, 1, RNNRUN_FLOAT, shape_str(sh, sizeof sh, 3, sd)), Yh, ns, 1e-5, 1e-4);
    if (k->kind == RR_REC_LSTM)
        tu_close_f32(tu_output(ses, 2, RNNRUN_FLOAT, shape_str(sh, sizeof sh, 3, sd)), Yc, ns, 1e-5, 1e-4);
    if (k->threads > 1) {
        rnnrun_session *ts = run_threads(model, nin, in, k->threads);
        for (int o = 0; o < (k->kind == RR_REC_LSTM ? 3 : 2); o++) {
            rnnrun_tensor a, b;
            ck_assert_int_eq(rnnrun_session_output(ses, o, &a), RNNRUN_OK);
            ck_assert_int_eq(rnnrun_session_output(ts, o, &b), RNNRUN_OK);
            tu_equal_bytes(b.data, a.data, (size_t)(o ? ns : ny) * sizeof(float));
        }
        rnnrun_session_free(ts);
    }

    free(Y), free(Yh), free(Yc), free(scratch), free(seq);
    free(X), free(W), free(R), free(Bv), free(P), free(h0), free(c0);
    rnnrun_session_free(ses);
    rnnrun_model_free(model);
    mb_free(m);
}

/* every op x direction x layout x constant-or-fed weights, with the optional inputs, on odd
 * sizes: hidden 1, 3, 17, 63, 65; input 1, 3, 17, 63; one step; batch 1 */
START_TEST(fast_path_matches_reference) {
    static const char *dirs[] = {"forward", "reverse", "bidirectional"};
    static const int64_t sizes[][4] = {{1, 1, 1, 1}, {3, 2, 3, 17}, {4, 3, 17, 3}, {2, 1, 63, 65}, {5, 2, 1, 63}};
    unsigned seed = 1;
    for (int kind = 0; kind < 3; kind++)
        for (int d = 0; d < 3; d++)
            for (int layout = 0; layout < 2; layout++)
                for (int z = 0; z < 5; z++) {
                    rc k = {.kind = kind, .direction = dirs[d], .layout = layout, .T = sizes[z][0], .B = sizes[z][1],
                            .I = sizes[z][2], .H = sizes[z][3], .bias = z != 1, .h0 = z % 2 == 0, .seq = z >= 2,
                            .peep = kind == RR_REC_LSTM && z % 2 == 1, .consts = (z + layout) % 2 == 0,
                            .lbr = z % 2, .input_forget = z == 4, .clip = z == 3 ? 0.7f : 0, .seed = seed++};
                    check_case(&k);
                }
}
END_TEST

/* One direction on 2 and 3 threads: the steps run as one task per thread, each over its share
 * of the hidden units (160 = 5 panels of 32: shares of 2+3, or 1+2+2 panels where 3 CPUs are
 * there to run them), with a barrier between steps (the batch makes each step's product 3-4 x
 * 2^17 multiply-adds, enough for 3 shares). Every op, both time directions and layouts, constant or fed weights, the optional
 * inputs, rows of length 0 and clip: the reference's values, and exactly the single thread's
 * bits (GRU without linear_before_reset is not split: its bits are checked too). */
START_TEST(split_steps_match_single_thread) {
    static const char *dirs[] = {"forward", "reverse"};
    unsigned seed = 500;
    for (int kind = 0; kind < 3; kind++)
        for (int d = 0; d < 2; d++)
            for (int v = 0; v < 4; v++) {
                rc k = {.kind = kind, .direction = dirs[d], .layout = v % 2, .T = 5, .B = kind == 0 ? 20 : 6 - kind,
                        .I = 7, .H = 160,
                        .bias = v != 1, .h0 = v < 2, .seq = v != 3, .peep = kind == RR_REC_LSTM && v % 2 == 0,
                        .consts = v < 3, .lbr = v != 2, .input_forget = v == 3, .clip = v == 1 ? 0.9f : 0,
                        .threads = 2 + v % 2, .seed = seed++};
                check_case(&k);
            }
}
END_TEST

/* Streaming with the steps split over 2 threads (batch 4: 3 x 2^17 multiply-adds a step):
 * chunks of 1, 2 and 3 steps carry h and c from
 * run to run, give the values of one whole run, and exactly the bits of the same chunks
 * streamed on one thread. */
START_TEST(split_steps_stream) {
    enum { T = 6, B = 4, I = 7, H = 160, G = 4 };
    unsigned seed = 900;
    float *X = rnd_array(T * B * I, 1.0f, &seed), *W = rnd_array(G * H * I, 0.5f, &seed),
          *R = rnd_array(G * H * H, 0.2f, &seed), *Bv = rnd_array(2 * G * H, 0.5f, &seed);
    mb *m = mb_new(8, 14);
    mb_input(m, "X", RNNRUN_FLOAT, "T,4,7");
    mb_init_f(m, "W", "1,640,7", W, G * H * I);
    mb_init_f(m, "R", "1,640,160", R, G * H * H);
    mb_init_f(m, "B", "1,1280", Bv, 2 * G * H);
    Onnx__NodeProto *n = mb_node(m, "LSTM", "X,W,R,B", "Y,Yh,Yc");
    mb_attr_i(m, n, "hidden_size", H);
    mb_output(m, "Y", RNNRUN_FLOAT, NULL);
    mb_output(m, "Yh", RNNRUN_FLOAT, NULL);
    mb_output(m, "Yc", RNNRUN_FLOAT, NULL);
    rnnrun_model *model = tu_load(m);
    rnnrun_tensor x = tu_tensor(RNNRUN_FLOAT, "6,4,7", X);
    rnnrun_session *whole = run_threads(model, 1, &x, 1);
    const float *y = tu_output(whole, 0, RNNRUN_FLOAT, "6,1,4,160");
    static float one[T * B * H + 2 * B * H]; /* the single thread's Y, then Yh and Yc */
    for (int threads = 1; threads <= 2; threads++) {
        rnnrun_session_options o;
        rnnrun_session_options_init(&o);
        o.n_threads = threads;
        rnnrun_session *s;
        ck_assert_int_eq(rnnrun_session_new_with_options(model, &o, &s), RNNRUN_OK);
        ck_assert_int_eq(rnnrun_session_set_streaming(s, 1), RNNRUN_OK);
        for (int t0 = 0, len = 1; t0 < T; t0 += len, len++) {
            char sh[32];
            snprintf(sh, sizeof sh, "%d,4,7", len);
            rnnrun_tensor part = tu_tensor(RNNRUN_FLOAT, sh, X + t0 * B * I);
            ck_assert_int_eq(rnnrun_session_set_input(s, 0, &part), RNNRUN_OK);
            ck_assert_msg(rnnrun_session_run(s) == RNNRUN_OK, "%s", rnnrun_session_errmsg(s));
            snprintf(sh, sizeof sh, "%d,1,4,160", len);
            const float *got = tu_output(s, 0, RNNRUN_FLOAT, sh);
            tu_close_f32(got, y + t0 * B * H, len * B * H, 1e-6, 1e-5);
            if (threads == 1) memcpy(one + t0 * B * H, got, (size_t)(len * B * H) * sizeof(float));
            else tu_equal_bytes(got, one + t0 * B * H, (size_t)(len * B * H) * sizeof(float));
        }
        for (int i = 1; i < 3; i++) {
            const float *got = tu_output(s, i, RNNRUN_FLOAT, "1,4,160");
            float *last = one + (T + i - 1) * B * H;
            tu_close_f32(got, tu_output(whole, i, RNNRUN_FLOAT, "1,4,160"), B * H, 1e-6, 1e-5);
            if (threads == 1) memcpy(last, got, (size_t)(B * H) * sizeof(float));
            else tu_equal_bytes(got, last, (size_t)(B * H) * sizeof(float));
        }
        rnnrun_session_free(s);
    }
    rnnrun_session_free(whole);
    rnnrun_model_free(model);
    mb_free(m);
    free(X), free(W), free(R), free(Bv);
}
END_TEST

/* every activation function, with alpha and beta consumed in order by the functions that take them */
START_TEST(activations_match_reference) {
    unsigned seed = 100;
    int next = 0;
    for (int kind = 0; kind < 3; kind++)
        for (int round = 0; round < 4; round++) {
            rc k = {.kind = kind, .direction = round % 2 ? "bidirectional" : "reverse", .layout = round / 2, .T = 4,
                    .B = 3, .I = 5, .H = 7, .bias = true, .h0 = true, .seq = round == 3, .peep = kind == 2,
                    .consts = round % 2 == 0, .lbr = round % 2, .clip = round == 1 ? 3.0f : 0, .seed = seed++};
            k.nact = (kind + 1) * (round % 2 ? 2 : 1);
            for (int i = 0; i < k.nact; i++) {
                rr_act_fn f = (rr_act_fn)(next++ % RR_ACT_COUNT);
                k.act[i] = f;
                if (f == RR_ACT_AFFINE || f == RR_ACT_LEAKYRELU || f == RR_ACT_THRESHOLDEDRELU ||
                    f == RR_ACT_SCALEDTANH || f == RR_ACT_HARDSIGMOID || f == RR_ACT_ELU)
                {
                    k.alpha[k.nalpha] = f == RR_ACT_THRESHOLDEDRELU ? 0.1f : 0.3f + 0.1f * (float)k.nalpha;
                    k.nalpha++;
                }
                if (f == RR_ACT_AFFINE || f == RR_ACT_SCALEDTANH || f == RR_ACT_HARDSIGMOID)
                {
                    k.beta[k.nbeta] = 0.5f - 0.2f * (float)k.nbeta;
                    k.nbeta++;
                }
            }
            check_case(&k);
        }
}
END_TEST

/* every activation against its formula at a few points */
START_TEST(activation_formulas) {
    const float xs[] = {-3.0f, -0.5f, 0.0f, 0.25f, 2.0f};
    for (int i = 0; i < 5; i++) {
        float x = xs[i];
        double e = exp(x);
        rr_act a[RR_ACT_COUNT] = {{RR_ACT_RELU, 0, 0}, {RR_ACT_TANH, 0, 0}, {RR_ACT_SIGMOID, 0, 0},
                                  {RR_ACT_AFFINE, 0.5f, -1}, {RR_ACT_LEAKYRELU, 0.1f, 0},
                                  {RR_ACT_THRESHOLDEDRELU, 0.25f, 0}, {RR_ACT_SCALEDTANH, 2, 0.5f},
                                  {RR_ACT_HARDSIGMOID, 0.2f, 0.5f}, {RR_ACT_ELU, 1.5f, 0}, {RR_ACT_SOFTSIGN, 0, 0},
                                  {RR_ACT_SOFTPLUS, 0, 0}};
        double want[RR_ACT_COUNT] = {x > 0 ? x : 0, tanh(x), 1 / (1 + exp(-x)), 0.5 * x - 1, x >= 0 ? x : 0.1 * x,
                                     x > 0.25 ? x : 0, 2 * tanh(0.5 * x), fmin(1, fmax(0, 0.2 * x + 0.5)),
                                     x >= 0 ? x : 1.5 * (e - 1), x / (1 + fabs(x)), log1p(e)};
        for (int f = 0; f < RR_ACT_COUNT; f++) {
            float got = rr_act_one(&a[f], x), v = x;
            rr_act_apply(&a[f], NULL, &v, 1);
            ck_assert_msg(fabs(got - want[f]) <= 1e-6 && v == got, "%s(%g) = %g, want %g", act_names[f], (double)x,
                          (double)got, want[f]);
        }
    }
}
END_TEST

/* ---- bad input ------------------------------------------------------------------------------- */

/* An RNN-family node on X (2,3,4) (T, B, I), hidden 5, with W/R/B shapes as given. */
static mb *bad_model(const char *op, int opset, const char *wshape, const char *rshape, const char *bshape) {
    mb *m = mb_new(8, opset);
    mb_input(m, "X", RNNRUN_FLOAT, "2,3,4");
    static float zeros[4096];
    int64_t n;
    char *end;
    const char *shp[3] = {wshape, rshape, bshape};
    const char *nm[3] = {"W", "R", "B"};
    for (int i = 0; i < 3; i++) {
        if (!shp[i]) continue;
        n = 1;
        for (const char *p = shp[i]; *p; p = *end ? end + 1 : end) n *= strtoll(p, &end, 10);
        mb_init_f(m, nm[i], shp[i], zeros, (size_t)n);
    }
    Onnx__NodeProto *node = mb_node(m, op, bshape ? "X,W,R,B" : "X,W,R", "Y");
    mb_node_name(m, node, "rec");
    mb_attr_i(m, node, "hidden_size", 5);
    mb_output(m, "Y", RNNRUN_FLOAT, NULL);
    return m;
}

static void plan_fails(mb *m, int status, const char *fragment) {
    rnnrun_model *model = tu_load(m);
    static float x[24];
    rnnrun_tensor in = tu_tensor(RNNRUN_FLOAT, "2,3,4", x);
    tu_run_fails(model, 1, &in, status, fragment);
    rnnrun_model_free(model);
    mb_free(m);
}

START_TEST(weight_shapes_must_agree) {
    plan_fails(bad_model("RNN", 14, "1,6,4", "1,5,5", NULL), RNNRUN_ERR_SHAPE,
               "node 'rec' (RNN): W has shape (1, 6, 4) but must be (1, 5, 4)");
    plan_fails(bad_model("GRU", 14, "1,15,4", "1,15,4", NULL), RNNRUN_ERR_SHAPE, "R has shape (1, 15, 4) but must be (1, 15, 5)");
    plan_fails(bad_model("LSTM", 14, "1,20,4", "1,20,5", "1,20"), RNNRUN_ERR_SHAPE, "B has shape (1, 20) but must be (1, 40)");
    plan_fails(bad_model("LSTM", 14, "1,20,3", "1,20,5", NULL), RNNRUN_ERR_SHAPE, "input_size 4");
    /* bidirectional needs two of everything */
    mb *m = bad_model("RNN", 14, "1,5,4", "1,5,5", NULL);
    mb_attr_s(m, mb_graph(m)->node[0], "direction", "bidirectional");
    plan_fails(m, RNNRUN_ERR_SHAPE, "W has shape (1, 5, 4) but must be (2, 5, 4) (num_directions 2");
}
END_TEST

START_TEST(bad_attributes) {
    mb *m = bad_model("RNN", 14, "1,5,4", "1,5,5", NULL);
    mb_attr_s(m, mb_graph(m)->node[0], "direction", "sideways");
    plan_fails(m, RNNRUN_ERR_MODEL, "direction 'sideways' is not forward, reverse or bidirectional");

    m = bad_model("GRU", 14, "1,15,4", "1,15,5", NULL);
    const char *acts[] = {"Sigmoid", "Tanhh"};
    mb_attr_strings(m, mb_graph(m)->node[0], "activations", 2, acts);
    plan_fails(m, RNNRUN_ERR_MODEL, "unknown activation 'Tanhh'");

    m = bad_model("LSTM", 14, "1,20,4", "1,20,5", NULL);
    mb_attr_strings(m, mb_graph(m)->node[0], "activations", 2, acts);
    plan_fails(m, RNNRUN_ERR_MODEL, "'activations' has 2 functions; LSTM with 1 direction needs 3");
    m = bad_model("RNN", 14, "2,5,4", "2,5,5", NULL);
    mb_attr_s(m, mb_graph(m)->node[0], "direction", "bidirectional");
    mb_attr_strings(m, mb_graph(m)->node[0], "activations", 1, acts);
    plan_fails(m, RNNRUN_ERR_MODEL, "'activations' has 1 functions; RNN with 2 directions needs 2");

    /* Affine takes alpha and beta and has no default: the list runs out */
    m = bad_model("RNN", 14, "1,5,4", "1,5,5", NULL);
    const char *aff[] = {"Affine"};
    mb_attr_strings(m, mb_graph(m)->node[0], "activations", 1, aff);
    float one = 1.0f;
    mb_attr_floats(m, mb_graph(m)->node[0], "activation_alpha", 1, &one);
    plan_fails(m, RNNRUN_ERR_MODEL, "too few activation_beta values: Affine (activation 0)");
    m = bad_model("GRU", 14, "1,15,4", "1,15,5", NULL);
    const char *st[] = {"ScaledTanh", "ScaledTanh"};
    mb_attr_strings(m, mb_graph(m)->node[0], "activations", 2, st);
    mb_attr_floats(m, mb_graph(m)->node[0], "activation_alpha", 1, &one);
    mb_attr_floats(m, mb_graph(m)->node[0], "activation_beta", 1, &one);
    plan_fails(m, RNNRUN_ERR_MODEL, "too few activation_alpha values: ScaledTanh (activation 1)");

    m = bad_model("RNN", 14, "1,5,4", "1,5,5", NULL);
    mb_attr_f(m, mb_graph(m)->node[0], "clip", -1.0f);
    plan_fails(m, RNNRUN_ERR_MODEL, "clip -1 must be positive");
    m = bad_model("RNN", 14, "1,5,4", "1,5,5", NULL);
    mb_attr_i(m, mb_graph(m)->node[0], "layout", 2);
    plan_fails(m, RNNRUN_ERR_MODEL, "layout 2 is not 0 or 1");
    m = bad_model("RNN", 13, "1,5,4", "1,5,5", NULL);
    mb_attr_i(m, mb_graph(m)->node[0], "layout", 1);
    plan_fails(m, RNNRUN_ERR_MODEL, "attribute 'layout' exists from RNN-14 on (the model's opset is 13)");
    m = bad_model("RNN", 14, "1,5,4", "1,5,5", NULL);
    mb_attr_i(m, mb_graph(m)->node[0], "linear_before_reset", 1);
    plan_fails(m, RNNRUN_ERR_MODEL, "'linear_before_reset' belongs to GRU-3");
    m = bad_model("GRU", 1, "1,15,4", "1,15,5", NULL);
    mb_attr_i(m, mb_graph(m)->node[0], "linear_before_reset", 1);
    plan_fails(m, RNNRUN_ERR_MODEL, "'linear_before_reset' belongs to GRU-3");
    m = bad_model("GRU", 14, "1,15,4", "1,15,5", NULL);
    mb_graph(m)->node[0]->attribute[0]->i = 0; /* hidden_size */
    plan_fails(m, RNNRUN_ERR_MODEL, "hidden_size 0 must be positive");
}
END_TEST

/* X of another dtype; sequence_lens values checked at run time; initial_h of the wrong shape */
START_TEST(bad_inputs) {
    /* double X */
    mb *m = mb_new(8, 14);
    mb_input(m, "X", RNNRUN_DOUBLE, "2,3,4");
    mb_input(m, "W", RNNRUN_DOUBLE, "1,5,4");
    mb_input(m, "R", RNNRUN_DOUBLE, "1,5,5");
    Onnx__NodeProto *n = mb_node(m, "RNN", "X,W,R", "Y");
    mb_attr_i(m, n, "hidden_size", 5);
    mb_output(m, "Y", RNNRUN_DOUBLE, NULL);
    rnnrun_model *model = tu_load(m);
    static double xd[24], wd[20], rd[25];
    rnnrun_tensor ind[3] = {tu_tensor(RNNRUN_DOUBLE, "2,3,4", xd), tu_tensor(RNNRUN_DOUBLE, "1,5,4", wd),
                            tu_tensor(RNNRUN_DOUBLE, "1,5,5", rd)};
    tu_run_fails(model, 3, ind, RNNRUN_ERR_UNSUPPORTED, "X is float64; rnnrun runs RNN on float32 only");
    rnnrun_model_free(model);
    mb_free(m);

    /* sequence_lens and initial_h fed at run time, with symbolic shapes */
    static float x[24], w[20], r[25], h0[15], h0bad[10];
    for (int round = 0; round < 4; round++) {
        m = mb_new(8, 14);
        mb_input(m, "X", RNNRUN_FLOAT, "t,b,4");
        mb_input(m, "S", RNNRUN_INT32, "b2");
        mb_input(m, "H0", RNNRUN_FLOAT, "d,b3,h");
        mb_init_f(m, "W", "1,5,4", w, 20);
        mb_init_f(m, "R", "1,5,5", r, 25);
        n = mb_node(m, "RNN", "X,W,R,,S,H0", "Y,Yh");
        mb_node_name(m, n, "rnn1");
        mb_attr_i(m, n, "hidden_size", 5);
        mb_output(m, "Y", RNNRUN_FLOAT, NULL);
        mb_output(m, "Yh", RNNRUN_FLOAT, NULL);
        model = tu_load(m);
        int32_t seq[3][3] = {{2, -1, 1}, {2, 3, 1}, {2, 2, 0}};
        rnnrun_tensor in[3] = {tu_tensor(RNNRUN_FLOAT, "2,3,4", x), tu_tensor(RNNRUN_INT32, "3", seq[round % 3]),
                               tu_tensor(RNNRUN_FLOAT, "1,3,5", h0)};
        if (round == 0)
            tu_run_fails(model, 3, in, RNNRUN_ERR_VALUE, "node 'rnn1' (RNN): sequence_lens[1] is -1, outside [0, 2]");
        else if (round == 1)
            tu_run_fails(model, 3, in, RNNRUN_ERR_VALUE, "sequence_lens[1] is 3, outside [0, 2] (the sequence length)");
        else if (round == 2)
            rnnrun_session_free(tu_run(model, 3, in)); /* valid */
        else {
            in[2] = tu_tensor(RNNRUN_FLOAT, "1,2,5", h0bad);
            tu_run_fails(model, 3, in, RNNRUN_ERR_SHAPE, "initial_h has shape (1, 2, 5) but must be (1, 3, 5)");
            in[1] = tu_tensor(RNNRUN_INT32, "2", seq[2]);
            in[2] = tu_tensor(RNNRUN_FLOAT, "1,3,5", h0);
            tu_run_fails(model, 3, in, RNNRUN_ERR_SHAPE, "sequence_lens has shape (2,) but must be (3,) (batch)");
        }
        rnnrun_model_free(model);
        mb_free(m);
    }
}
END_TEST

/* sequence_lens as an initializer is checked when planning */
START_TEST(constant_sequence_lens_checked_at_plan) {
    static float x[24], w[60], r[75];
    mb *m = mb_new(8, 14);
    mb_input(m, "X", RNNRUN_FLOAT, "2,3,4");
    mb_init_f(m, "W", "1,15,4", w, 60);
    mb_init_f(m, "R", "1,15,5", r, 75);
    int32_t seq[3] = {1, 2, 7};
    mb_init(m, mb_tensor_i32(m, "S", RNNRUN_INT32, "3", seq, 3));
    Onnx__NodeProto *n = mb_node(m, "GRU", "X,W,R,,S", ",Yh");
    mb_node_name(m, n, "gru");
    mb_attr_i(m, n, "hidden_size", 5);
    mb_output(m, "Yh", RNNRUN_FLOAT, NULL);
    rnnrun_model *model = tu_load(m);
    rnnrun_tensor in = tu_tensor(RNNRUN_FLOAT, "2,3,4", x);
    tu_run_fails(model, 1, &in, RNNRUN_ERR_VALUE, "node 'gru' (GRU): sequence_lens[2] is 7, outside [0, 2]");
    rnnrun_model_free(model);
    mb_free(m);
}
END_TEST

/* Two and four threads give exactly the single-thread answers: at 2 threads the two directions
 * run in parallel, at 4 each step's products are split (they are large enough); W constant
 * (packed at plan time) or fed at run time (packed into each direction's workspace). */
START_TEST(threads_give_the_same_answers) {
    static const int threads[] = {1, 2, 4};
    for (int kind = 0; kind < 3; kind++)
        for (int fed = 0; fed < 2; fed++) {
            const int64_t T = 6, B = 16, I = 64, H = 96, G = kind == 0 ? 1 : kind == 1 ? 3 : 4;
            unsigned s = 77;
            float *X = rnd_array(T * B * I, 1.0f, &s), *W = rnd_array(2 * G * H * I, 0.2f, &s),
                  *R = rnd_array(2 * G * H * H, 0.2f, &s);
            mb *m = mb_new(8, 14);
            mb_input(m, "X", RNNRUN_FLOAT, "6,16,64");
            char wsh[64], sh[64];
            snprintf(wsh, sizeof wsh, "2,%lld,64", (long long)(G * H));
            if (fed) mb_input(m, "W", RNNRUN_FLOAT, wsh);
            else mb_init_f(m, "W", wsh, W, (size_t)(2 * G * H * I));
            snprintf(sh, sizeof sh, "2,%lld,96", (long long)(G * H));
            mb_init_f(m, "R", sh, R, (size_t)(2 * G * H * H));
            Onnx__NodeProto *n = mb_node(m, op_names[kind], "X,W,R", "Y,Yh");
            mb_attr_i(m, n, "hidden_size", H);
            mb_attr_s(m, n, "direction", "bidirectional");
            mb_output(m, "Y", RNNRUN_FLOAT, NULL);
            mb_output(m, "Yh", RNNRUN_FLOAT, NULL);
            rnnrun_model *model = tu_load(m);
            rnnrun_tensor in[2] = {tu_tensor(RNNRUN_FLOAT, "6,16,64", X), tu_tensor(RNNRUN_FLOAT, wsh, W)}, y[3][2];
            rnnrun_session *ses[3];
            for (int t = 0; t < 3; t++) {
                ses[t] = run_threads(model, 1 + fed, in, threads[t]);
                for (int o2 = 0; o2 < 2; o2++)
                    ck_assert_int_eq(rnnrun_session_output(ses[t], o2, &y[t][o2]), RNNRUN_OK);
            }
            for (int t = 1; t < 3; t++) {
                tu_equal_bytes(y[t][0].data, y[0][0].data, (size_t)(T * 2 * B * H) * sizeof(float));
                tu_equal_bytes(y[t][1].data, y[0][1].data, (size_t)(2 * B * H) * sizeof(float));
            }
            for (int t = 0; t < 3; t++) rnnrun_session_free(ses[t]);
            rnnrun_model_free(model);
            mb_free(m);
            free(X), free(W), free(R);
        }
}
END_TEST

/* The workspace counts as a tensor for the session's max_tensor_bytes (found by fuzz_run: small
 * tensors asked for gigabytes of input projection). */
START_TEST(workspace_within_the_tensor_limit) {
    static float x[32], w[16], r[256];
    mb *m = mb_new(8, 14);
    mb_input(m, "X", RNNRUN_FLOAT, "8,4,1");
    mb_init_f(m, "W", "1,16,1", w, 16);
    mb_init_f(m, "R", "1,16,16", r, 256);
    Onnx__NodeProto *n = mb_node(m, "RNN", "X,W,R", "Y");
    mb_node_name(m, n, "rnn");
    mb_attr_i(m, n, "hidden_size", 16);
    mb_output(m, "Y", RNNRUN_FLOAT, NULL);
    rnnrun_model *model = tu_load(m);
    rnnrun_session_options o;
    rnnrun_session_options_init(&o);
    o.max_tensor_bytes = 2048; /* every tensor fits: Y is (8,1,4,16), 2048 bytes */
    rnnrun_session *s;
    ck_assert_int_eq(rnnrun_session_new_with_options(model, &o, &s), RNNRUN_OK);
    rnnrun_tensor in = tu_tensor(RNNRUN_FLOAT, "8,4,1", x);
    ck_assert_int_eq(rnnrun_session_set_input(s, 0, &in), RNNRUN_OK);
    ck_assert_int_eq(rnnrun_session_run(s), RNNRUN_ERR_LIMIT);
    ck_assert_msg(strstr(rnnrun_session_errmsg(s), "node 'rnn' (RNN): needs ") &&
                      strstr(rnnrun_session_errmsg(s), "bytes of workspace, above the limit of 2048 bytes"),
                  "%s", rnnrun_session_errmsg(s));
    rnnrun_session_free(s);
    o.max_tensor_bytes = 0; /* the default */
    ck_assert_int_eq(rnnrun_session_new_with_options(model, &o, &s), RNNRUN_OK);
    ck_assert_int_eq(rnnrun_session_set_input(s, 0, &in), RNNRUN_OK);
    ck_assert_int_eq(rnnrun_session_run(s), RNNRUN_OK);
    rnnrun_session_free(s);
    rnnrun_model_free(model);
    mb_free(m);
}
END_TEST

int main(void) {
    const TTest *tests[] = {fast_path_matches_reference, activations_match_reference, activation_formulas,
                            weight_shapes_must_agree, bad_attributes, bad_inputs,
                            constant_sequence_lens_checked_at_plan, threads_give_the_same_answers,
                            split_steps_match_single_thread, split_steps_stream,
                            workspace_within_the_tensor_limit};
    return tu_main("recurrent", tests, (int)(sizeof tests / sizeof *tests));
}
