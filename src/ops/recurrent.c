/* RNN, GRU and LSTM, every version (float32). Shapes and gate order: recurrent.h.
 *
 * At plan time the attributes and shapes are checked and constant W, R, B are packed once per
 * direction: W' (I, G*H) and R' (H, G*H) row-major, and one bias row per gate. A run then does,
 * per direction:
 *   XW (T*B, G*H) = X (T*B, I) @ W' (I, G*H) + bias          one product for every time step
 *   per step t:  A (B, G*H) = H_prev (B, H) @ R' (H, G*H)      the recurrent product
 *                then, per row still inside its sequence, the gates fused with their activations.
 * W, R, B fed at run time are packed into the workspace instead. Nothing is allocated in a run. */
#include <math.h>
#include <string.h>
#include <strings.h>

#include "../kernels/kernels.h"
#include "ops.h"
#include "recurrent.h"

/* ---- attributes ------------------------------------------------------------------------------ */

static const struct {
    const char *name;
    bool alpha, beta;            /* which parameters the function takes */
    bool has_default;            /* the parameters have defaults (the standalone ONNX ops') */
    float def_alpha, def_beta;
} act_info[RR_ACT_COUNT] = {
    [RR_ACT_RELU] = {"Relu", false, false, true, 0, 0},
    [RR_ACT_TANH] = {"Tanh", false, false, true, 0, 0},
    [RR_ACT_SIGMOID] = {"Sigmoid", false, false, true, 0, 0},
    [RR_ACT_AFFINE] = {"Affine", true, true, false, 0, 0},
    [RR_ACT_LEAKYRELU] = {"LeakyRelu", true, false, true, 0.01f, 0},
    [RR_ACT_THRESHOLDEDRELU] = {"ThresholdedRelu", true, false, true, 1.0f, 0},
    [RR_ACT_SCALEDTANH] = {"ScaledTanh", true, true, false, 0, 0},
    [RR_ACT_HARDSIGMOID] = {"HardSigmoid", true, true, true, 0.2f, 0.5f},
    [RR_ACT_ELU] = {"Elu", true, false, true, 1.0f, 0},
    [RR_ACT_SOFTSIGN] = {"Softsign", false, false, true, 0, 0},
    [RR_ACT_SOFTPLUS] = {"Softplus", false, false, true, 0, 0},
};

static const char *kind_name[] = {"RNN", "GRU", "LSTM"};

/* Read a FLOATS / STRINGS attribute (absent: count 0). */
static int attr_list(const rr_ctx *c, const char *name, rr_attr_type type, const rr_attr **out) {
    const rr_attr *a = rr_attr_find(c->node, name);
    *out = NULL;
    if (!a) return RNNRUN_OK;
    if (a->type != type)
        return rr_op_fail(c, RNNRUN_ERR_MODEL, "attribute '%s' must be a list of %s", name,
                          type == RR_ATTR_FLOATS ? "floats" : "strings");
    *out = a;
    return RNNRUN_OK;
}

/* activations, activation_alpha, activation_beta -> r->act. Alpha and beta values are consumed
 * in order by the activations that take them (as ONNX Runtime does); an activation left
 * without a value uses its standalone op's default, and one that has none is an error. */
static int parse_activations(const rr_ctx *c, rr_rec *r) {
    static const rr_act_fn defaults[3][3] = {
        {RR_ACT_TANH}, {RR_ACT_SIGMOID, RR_ACT_TANH}, {RR_ACT_SIGMOID, RR_ACT_TANH, RR_ACT_TANH}};
    const int per_dir = r->kind + 1; /* functions per direction: f; f g; f g h */
    const rr_attr *names, *alphas, *betas;
    if (attr_list(c, "activations", RR_ATTR_STRINGS, &names) ||
        attr_list(c, "activation_alpha", RR_ATTR_FLOATS, &alphas) ||
        attr_list(c, "activation_beta", RR_ATTR_FLOATS, &betas))
        return c->err->status;
    int n = names ? names->n : 0;
    if (names && n != per_dir * r->D)
        return rr_op_fail(c, RNNRUN_ERR_MODEL, "'activations' has %d functions; %s with %d direction%s needs %d",
                          n, kind_name[r->kind], r->D, r->D > 1 ? "s" : "", per_dir * r->D);
    const rr_attr *lists[2] = {alphas, betas};
    int at[2] = {0, 0}; /* values consumed from each list */
    for (int d = 0; d < r->D; d++)
        for (int k = 0; k < per_dir; k++) {
            rr_act *a = &r->act[d][k];
            if (!names) {
                *a = (rr_act){defaults[r->kind][k], 0, 0};
                continue;
            }
            const char *nm = names->strings[d * per_dir + k];
            int fn = 0;
            while (fn < RR_ACT_COUNT && strcasecmp(nm, act_info[fn].name) != 0) fn++;
            if (fn == RR_ACT_COUNT)
                return rr_op_fail(c, RNNRUN_ERR_MODEL,
                                  "unknown activation '%s' (known: Relu, Tanh, Sigmoid, Affine, LeakyRelu, "
                                  "ThresholdedRelu, ScaledTanh, HardSigmoid, Elu, Softsign, Softplus)", nm);
            a->fn = (rr_act_fn)fn;
            a->alpha = act_info[fn].def_alpha;
            a->beta = act_info[fn].def_beta;
            /* q = 0: alpha, 1: beta */
            const bool takes[2] = {act_info[fn].alpha, act_info[fn].beta};
            float *value[2] = {&a->alpha, &a->beta};
            for (int q = 0; q < 2; q++) {
                if (!takes[q]) continue;
                if (lists[q] && at[q] < lists[q]->n) *value[q] = lists[q]->floats[at[q]++];
                else if (!act_info[fn].has_default)
                    return rr_op_fail(c, RNNRUN_ERR_MODEL, "too few activation_%s values: %s (activation %d) has none left",
                                      q ? "beta" : "alpha", act_info[fn].name, d * per_dir + k);
            }
        }
    return RNNRUN_OK;
}

/* ---- plan -------------------------------------------------------------------------------------- */

/* One direction's weights in the kernels' packed layout (rr_sgemm_pack_b). */
typedef struct rec_pack {
    float *w;        /* W[d]^T (I, G*H) */
    float *r;        /* R[d]^T (H, N1): N1 = G*H, or 2*H (z, r) for GRU without linear_before_reset */
    float *rh;       /* GRU without linear_before_reset: Rh^T (H, H); NULL otherwise */
    float *bias;     /* (G*H + H): bias added to XW per gate; then GRU's Rbh when linear_before_reset */
    float *rs, *rhs; /* small recurrent weights (H*G*H <= RR_REC_SMALL): R^T and Rh^T also plain
                        row-major, for the step's tiny products; NULL otherwise */
    float *ws;       /* small W (I*G*H <= RR_REC_SMALL): W^T plain row-major (I, G*H); else NULL */
} rec_pack;

/* Recurrent weights up to this many floats take plain loops (rr_sgemm_small) instead of the
 * packed kernels: for tiny hidden sizes the per-call cost of a kernel outweighs the arithmetic. */
#define RR_REC_SMALL RR_SGEMM_SMALL

typedef struct rec_params {
    rr_rec r;
    bool packed;     /* W, R (and B) were plan-time constants, packed in pk; else packed in each run */
    rec_pack pk[2];  /* per direction */
    bool seq_known;  /* sequence_lens was checked at plan time */
    bool par_dirs;   /* bidirectional on a pool of 2-3 threads: one direction per thread, each
                      * with its own workspace (no hand-off per step; with more threads each
                      * step's products are split instead) */
    int64_t gs;      /* floats of scratch for the products (rr_gemm_job.ws), per direction's workspace */
    int split;       /* >= 2: the steps run as that many tasks at once, each over its share of the
                      * hidden units (run_steps), on a pool of at least that many threads */
} rec_params;

/* GRU without linear_before_reset: two recurrent products per step (z, r; then h) */
static bool gru2(const rr_rec *r) { return r->kind == RR_REC_GRU && !r->lbr; }

#define PACK_PARTS 7

/* Floats of each part of a rec_pack (w, r, rh, bias, rs, rhs, ws), each a multiple of 16 (64 bytes). */
static int64_t pack_sizes(const rr_rec *r, int64_t sz[PACK_PARTS]) {
    const int64_t H = r->H, GH = r->G * H, N1 = gru2(r) ? 2 * H : GH;
    const bool small = H * GH <= RR_REC_SMALL;
    sz[0] = (int64_t)(rr_sgemm_pack_size(r->I, GH) / sizeof(float));
    sz[1] = (int64_t)(rr_sgemm_pack_size(H, N1) / sizeof(float));
    sz[2] = gru2(r) ? (int64_t)(rr_sgemm_pack_size(H, H) / sizeof(float)) : 0;
    sz[3] = (GH + H + 15) / 16 * 16;
    sz[4] = small ? (H * N1 + 15) / 16 * 16 : 0;
    sz[5] = small && gru2(r) ? (H * H + 15) / 16 * 16 : 0;
    sz[6] = r->I * GH <= RR_REC_SMALL ? (r->I * GH + 15) / 16 * 16 : 0;
    int64_t total = 0;
    for (int i = 0; i < PACK_PARTS; i++) total += sz[i];
    return total;
}

/* Point pk's parts into base (floats, 64-byte aligned); returns the floats used. */
static int64_t pack_layout(const rr_rec *r, float *base, rec_pack *pk) {
    int64_t sz[PACK_PARTS], off[PACK_PARTS], n = 0;
    int64_t total = pack_sizes(r, sz);
    for (int i = 0; i < PACK_PARTS; i++) off[i] = n, n += sz[i];
    float **part[PACK_PARTS] = {&pk->w, &pk->r, &pk->rh, &pk->bias, &pk->rs, &pk->rhs, &pk->ws};
    for (int i = 0; i < PACK_PARTS; i++) *part[i] = sz[i] || i < 2 || i == 3 ? base + off[i] : NULL;
    return total;
}

/* Workspace (floats, each part 64-byte aligned): XW (T*B, G*H) | A (B, G*H) | tmp (B, H) |
 * A2 (B, H) | h (B, H) | h2 (B, H) | c (B, H) | the products' scratch (gs floats) | when not
 * packed at plan time: one rec_pack */
typedef struct rec_ws {
    float *xw, *a, *tmp, *a2, *h, *h2, *c, *gs;
    int64_t gs_n;   /* floats at gs */
    rec_pack pk;
} rec_ws;

/* C (M,N) = A (M,K) @ B (K,N) for the recurrent step: plain loops over the row-major small copy
 * when there is one, else the packed kernels; then post(ctx, r0, r1, c0, c1), when given, over
 * C's parts as they are final (on the threads that computed them) */
static void step_gemm_post(int64_t M, int64_t N, int64_t K, const float *A, const float *packed, const float *small,
                           float *C, int64_t ldc, bool rev, const rr_rec *r, const rec_ws *w, rr_threads *pool,
                           void (*post)(void *, int64_t, int64_t, int64_t, int64_t), void *ctx) {
    if (!small) {
        rr_gemm_job j = {.M = M, .N = N, .K = K, .a = A, .rsa = K, .csa = 1, .bp = packed, .c = C, .ldc = ldc,
                         .rev = rev, .post = post, .post_ctx = ctx, .ws = w->gs, .ws_floats = (size_t)w->gs_n};
        rr_gemm_run(r->k, pool, &j);
        return;
    }
    rr_sgemm_small(M, N, K, A, small, C, ldc, NULL, 0);
    if (post) post(ctx, 0, M, 0, N);
}

static void step_gemm(int64_t M, int64_t N, int64_t K, const float *A, const float *packed, const float *small,
                      float *C, int64_t ldc, bool rev, const rr_rec *r, const rec_ws *w, rr_threads *pool) {
    step_gemm_post(M, N, K, A, packed, small, C, ldc, rev, r, w, pool, NULL, NULL);
}

static bool ws_layout(const rr_rec *r, bool packed, int64_t gs, float *base, rec_ws *w, int64_t *total) {
    int64_t GH = r->G * r->H, sizes[8], n = 0;
    bool ok = rr_mul_ok(r->T, r->B, &sizes[0]) && rr_mul_ok(sizes[0], GH, &sizes[0]) &&
              rr_mul_ok(r->B, GH, &sizes[1]) && rr_mul_ok(r->B, r->H, &sizes[2]) && sizes[0] < INT64_MAX / 2;
    if (!ok) return false;
    sizes[3] = sizes[4] = sizes[5] = sizes[6] = sizes[2];
    sizes[7] = gs;
    w->gs_n = gs;
    float **slot[8] = {&w->xw, &w->a, &w->tmp, &w->a2, &w->h, &w->h2, &w->c, &w->gs};
    for (int i = 0; i < 8; i++) {
        *slot[i] = base ? base + n : NULL;
        if (!rr_add_ok(n, (sizes[i] + 15) / 16 * 16, &n)) return false;
    }
    memset(&w->pk, 0, sizeof w->pk);
    if (!packed) {
        int64_t sz[PACK_PARTS];
        int64_t used = base ? pack_layout(r, base + n, &w->pk) : pack_sizes(r, sz);
        if (!rr_add_ok(n, used, &n)) return false;
    }
    *total = n;
    return true;
}

/* Pack direction d into pk: W[d]^T and R[d]^T in the kernels' layout, bias = Wb + Rb per gate
 * (GRU's h gate takes Rbh inside the reset product when linear_before_reset: bias[G*H..] = Rbh). */
static void pack_dir(const rr_rec *r, const float *W, const float *R, const float *Bias, int d, const rec_pack *pk) {
    const int64_t H = r->H, I = r->I, GH = r->G * H;
    const float *Wd = W + d * GH * I, *Rd = R + d * GH * H;
    /* element (k, n) of W^T is W[n][k]: row stride 1, column stride I */
    rr_sgemm_pack_b(I, GH, Wd, 1, I, pk->w);
    const int64_t N1 = gru2(r) ? 2 * H : GH;
    rr_sgemm_pack_b(H, N1, Rd, 1, H, pk->r);
    if (pk->rh) rr_sgemm_pack_b(H, H, Rd + 2 * H * H, 1, H, pk->rh);
    /* small copies: rs (H, N1) = R[d][0:N1]^T, rhs (H, H) = Rh^T */
    for (int64_t k = 0; pk->rs && k < H; k++)
        for (int64_t n = 0; n < N1; n++) pk->rs[k * N1 + n] = Rd[n * H + k];
    for (int64_t k = 0; pk->rhs && k < H; k++)
        for (int64_t n = 0; n < H; n++) pk->rhs[k * H + n] = Rd[(2 * H + n) * H + k];
    for (int64_t k = 0; pk->ws && k < I; k++)
        for (int64_t n = 0; n < GH; n++) pk->ws[k * GH + n] = Wd[n * I + k];
    const float *Wb = Bias ? Bias + d * 2 * GH : NULL, *Rb = Wb ? Wb + GH : NULL;
    float *bias = pk->bias;
    for (int64_t n = 0; n < GH; n++) {
        bool inner = r->kind == RR_REC_GRU && r->lbr && n >= 2 * H;
        bias[n] = Wb ? Wb[n] + (inner ? 0.0f : Rb[n]) : 0.0f;
    }
    for (int64_t j = 0; j < H; j++) bias[GH + j] = (Rb && r->kind == RR_REC_GRU && r->lbr) ? Rb[2 * H + j] : 0.0f;
}

/* Check a tensor's shape against the expected one; the message says why from r's sizes, or
 * "batch" when r is NULL (formatted only on failure: the success path of a plan stays clear of
 * printf's code). */
static int need_shape(const rr_ctx *c, const rr_tensor *t, const char *what, int rank, const int64_t *want,
                      const rr_rec *r) {
    bool ok = t->rank == rank;
    for (int d = 0; ok && d < rank; d++) ok = t->dims[d] == want[d];
    if (ok) return RNNRUN_OK;
    char s1[160], s2[160], why[200] = "batch";
    if (r)
        snprintf(why, sizeof why, "num_directions %d, hidden_size %lld, input_size %lld", r->D, (long long)r->H,
                 (long long)r->I);
    return rr_op_fail(c, RNNRUN_ERR_SHAPE, "%s has shape %s but must be %s (%s)", what,
                      rr_shape_str(t->dims, t->rank, s1, sizeof s1), rr_shape_str(want, rank, s2, sizeof s2), why);
}

static int check_seq_values(const rr_ctx *c, const rr_rec *r, const rr_rec_io *io) {
    for (int64_t b = 0; b < r->B; b++) {
        int64_t len = rr_rec_len(r, io, b);
        if (len < 0 || len > r->T)
            return rr_op_fail(c, RNNRUN_ERR_VALUE, "sequence_lens[%lld] is %lld, outside [0, %lld] (the sequence length)",
                              (long long)b, (long long)len, (long long)r->T);
    }
    return RNNRUN_OK;
}

static int infer_rec(rr_ctx *c, int kind) {
    const rr_node *n = c->node;
    const int opset = rr_opset(c);
    rec_params *p = rr_pool_alloc(c->pool, sizeof *p);
    if (!p) return rr_op_fail(c, RNNRUN_ERR_NOMEM, "out of memory");
    memset(p, 0, sizeof *p);
    rr_rec *r = &p->r;
    r->kind = kind;
    r->G = kind == RR_REC_RNN ? 1 : kind == RR_REC_GRU ? 3 : 4;

    const char *dir;
    int64_t hidden, layout, lbr, input_forget;
    bool has_hidden = rr_attr_find(n, "hidden_size") != NULL;
    if (rr_attr_string(n, "direction", "forward", &dir, c->err) ||
        rr_attr_int(n, "hidden_size", 0, &hidden, c->err) || rr_attr_int(n, "layout", 0, &layout, c->err) ||
        rr_attr_int(n, "linear_before_reset", 0, &lbr, c->err) ||
        rr_attr_int(n, "input_forget", 0, &input_forget, c->err) ||
        rr_attr_float(n, "clip", INFINITY, &r->clip, c->err))
        return rr_op_prefix(c);
    if (!strcmp(dir, "forward") || !strcmp(dir, "reverse")) {
        r->D = 1;
        r->reverse[0] = dir[0] == 'r';
    } else if (!strcmp(dir, "bidirectional")) {
        r->D = 2;
        r->reverse[1] = true;
    } else {
        return rr_op_fail(c, RNNRUN_ERR_MODEL, "direction '%s' is not forward, reverse or bidirectional", dir);
    }
    if (rr_attr_find(n, "layout") && opset < 14)
        return rr_op_fail(c, RNNRUN_ERR_MODEL, "attribute 'layout' exists from %s-14 on (the model's opset is %d)",
                          kind_name[kind], opset);
    if (layout != 0 && layout != 1) return rr_op_fail(c, RNNRUN_ERR_MODEL, "layout %lld is not 0 or 1", (long long)layout);
    r->layout = (int)layout;
    if (rr_attr_find(n, "linear_before_reset") && (kind != RR_REC_GRU || opset < 3))
        return rr_op_fail(c, RNNRUN_ERR_MODEL, "attribute 'linear_before_reset' belongs to GRU-3 and later");
    if (rr_attr_find(n, "input_forget") && kind != RR_REC_LSTM)
        return rr_op_fail(c, RNNRUN_ERR_MODEL, "attribute 'input_forget' belongs to LSTM");
    if (rr_attr_find(n, "output_sequence") && opset >= 7)
        return rr_op_fail(c, RNNRUN_ERR_MODEL, "attribute 'output_sequence' belongs to %s-1 only", kind_name[kind]);
    r->lbr = lbr != 0;
    r->input_forget = input_forget != 0;
    if (!(r->clip > 0.0f)) return rr_op_fail(c, RNNRUN_ERR_MODEL, "clip %g must be positive", (double)r->clip);
    if (parse_activations(c, r)) return c->err->status;

    const rr_tensor *X = rr_in(c, 0), *W = rr_in(c, 1), *R = rr_in(c, 2), *B = rr_in(c, 3), *S = rr_in(c, 4),
                    *H0 = rr_in(c, 5), *C0 = kind == RR_REC_LSTM ? rr_in(c, 6) : NULL,
                    *P = kind == RR_REC_LSTM ? rr_in(c, 7) : NULL;
    if (X->dtype != RR_FLOAT) {
        if (X->dtype == RR_DOUBLE || X->dtype == RR_FLOAT16)
            return rr_op_fail(c, RNNRUN_ERR_UNSUPPORTED, "X is %s; rnnrun runs %s on float32 only",
                              rr_dtype_name(X->dtype), kind_name[kind]);
        return rr_op_fail(c, RNNRUN_ERR_DTYPE, "X is %s, not a float type", rr_dtype_name(X->dtype));
    }
    const rr_tensor *same[] = {W, R, B, H0, C0, P};
    const char *same_name[] = {"W", "R", "B", "initial_h", "initial_c", "P"};
    for (int i = 0; i < 6; i++)
        if (same[i] && same[i]->dtype != X->dtype)
            return rr_op_fail(c, RNNRUN_ERR_DTYPE, "%s is %s but X is %s", same_name[i], rr_dtype_name(same[i]->dtype),
                              rr_dtype_name(X->dtype));
    if (S && S->dtype != RR_INT32 && S->dtype != RR_INT64)
        return rr_op_fail(c, RNNRUN_ERR_DTYPE, "sequence_lens is %s, not int32", rr_dtype_name(S->dtype));
    if (X->rank != 3) {
        char s[160];
        return rr_op_fail(c, RNNRUN_ERR_SHAPE, "X has shape %s but must have rank 3 (%s)",
                          rr_shape_str(X->dims, X->rank, s, sizeof s),
                          layout ? "batch, seq_length, input_size" : "seq_length, batch, input_size");
    }
    r->T = X->dims[layout ? 1 : 0];
    r->B = X->dims[layout ? 0 : 1];
    r->I = X->dims[2];
    if (has_hidden) {
        if (hidden <= 0) return rr_op_fail(c, RNNRUN_ERR_MODEL, "hidden_size %lld must be positive", (long long)hidden);
        r->H = hidden;
    } else {
        if (R->rank != 3) return rr_op_fail(c, RNNRUN_ERR_SHAPE, "R must have rank 3 (num_directions, %d*hidden_size, hidden_size)", r->G);
        r->H = R->dims[2];
    }
    const int64_t D = r->D, H = r->H, G = r->G;
    if (H > (INT64_C(1) << 24) || r->I > (INT64_C(1) << 30))
        return rr_op_fail(c, RNNRUN_ERR_LIMIT, "hidden_size %lld or input size %lld is too large", (long long)H,
                          (long long)r->I);
    int64_t wdims[3] = {D, G * H, r->I}, rdims[3] = {D, G * H, H}, bdims[2] = {D, 2 * G * H}, pdims[2] = {D, 3 * H};
    int64_t sdims[3] = {D, r->B, H}, sdims1[3] = {r->B, D, H}, qdims[1] = {r->B};
    if (need_shape(c, W, "W", 3, wdims, r) || need_shape(c, R, "R", 3, rdims, r) ||
        (B && need_shape(c, B, "B", 2, bdims, r)) || (S && need_shape(c, S, "sequence_lens", 1, qdims, NULL)) ||
        (H0 && need_shape(c, H0, "initial_h", 3, layout ? sdims1 : sdims, r)) ||
        (C0 && need_shape(c, C0, "initial_c", 3, layout ? sdims1 : sdims, r)) ||
        (P && need_shape(c, P, "P", 2, pdims, r)))
        return c->err->status;
    if (S && S->data) {
        rr_rec_io io = {.seq = S->data, .seq64 = S->dtype == RR_INT64};
        if (check_seq_values(c, r, &io)) return c->err->status;
        p->seq_known = true;
    }

    /* pack constant weights now */
    r->k = rr_kernels_select();
    p->packed = W->data && R->data && (!B || B->data);
    if (p->packed)
        for (int d = 0; d < r->D; d++) {
            int64_t sz[PACK_PARTS];
            float *base = rr_pool_alloc(c->pool, (size_t)pack_sizes(r, sz) * sizeof(float));
            if (!base) return rr_op_fail(c, RNNRUN_ERR_NOMEM, "out of memory");
            pack_layout(r, base, &p->pk[d]);
            pack_dir(r, W->data, R->data, B ? B->data : NULL, d, &p->pk[d]);
        }
    /* (not for tiny nodes: under about 2^20 multiply-adds a direction, the hand-off to a thread
     * costs more than the direction: seed_mtm_b4 9 -> 15 us) */
    p->par_dirs = r->D == 2 && c->n_threads >= 2 && c->n_threads <= 3 &&
                  (double)r->T * (double)r->B * (double)(r->G * H) * (double)(r->I + H) >= (double)(1 << 20);
    /* A step's product under 2^20 multiply-adds runs on one thread (rr_gemm_run: a hand-off per
     * product costs more than it saves). From 2^18 up (a hidden size of 256 and one row), and
     * one direction at a time, the steps run instead as one task per thread, each over its share
     * of the hidden units and its columns of R' (which then stay in that core's cache from step
     * to step), with a barrier between steps: a barrier and the exchange of h cost about 1 us on
     * this 2-core VM, so each share keeps at least 2^17 multiply-adds (LSTM 128 x 1 row: 1.2x
     * slower split; LSTM 256: 1.5x faster). GRU without linear_before_reset needs all of
     * r . h_prev for its second product, so it is not split. */
    const double step_macs = (double)r->B * (double)(r->G * H) * (double)H;
    p->split = 1;
    if (c->n_threads >= 2 && !p->par_dirs && !gru2(r) && H % RR_PANEL == 0 && step_macs < (double)(1 << 20)) {
        int64_t parts = (int64_t)(step_macs / (double)(1 << 17));
        if (parts > H / RR_PANEL) parts = H / RR_PANEL;
        if (parts > c->n_threads) parts = c->n_threads;
        /* a share waits for all the others at every step: never more shares than CPUs to run
         * them (two threads pinned to one CPU: 2.0 -> 12.7 ms split, against 4.4 ms not) */
        if (parts > rr_cpus_usable()) parts = rr_cpus_usable();
        if (parts >= 2) p->split = (int)parts;
    }
    /* scratch for the input projection's rows (T*B: the most of any product here) on the
     * threads that split it */
    p->gs = r->T <= INT64_MAX / (r->B ? r->B : 1)
                ? (int64_t)rr_gemm_ws_floats(r->T * r->B, p->par_dirs ? 1 : c->n_threads)
                : 0;
    rec_ws w;
    int64_t floats;
    if (!ws_layout(r, p->packed, p->gs, NULL, &w, &floats) || floats > INT64_MAX / 8)
        return rr_op_fail(c, RNNRUN_ERR_LIMIT, "workspace size overflows");
    if (p->par_dirs) floats *= 2;
    c->ws_size = (size_t)floats * sizeof(float);
    c->params = p;
    /* a forward node can stream: it carries h and c, (B, H) each */
    if (r->D == 1 && !r->reverse[0]) c->state_floats = 2 * r->B * H;

    int64_t ydims[4] = {r->T, D, r->B, H}, ydims1[4] = {r->B, r->T, D, H};
    if (rr_set_out(c, 0, RR_FLOAT, 4, layout ? ydims1 : ydims) ||
        rr_set_out(c, 1, RR_FLOAT, 3, layout ? sdims1 : sdims))
        return c->err->status;
    if (kind == RR_REC_LSTM && rr_set_out(c, 2, RR_FLOAT, 3, layout ? sdims1 : sdims)) return c->err->status;
    return RNNRUN_OK;
}

int rr_infer_rnn(rr_ctx *c) { return infer_rec(c, RR_REC_RNN); }
int rr_infer_gru(rr_ctx *c) { return infer_rec(c, RR_REC_GRU); }
int rr_infer_lstm(rr_ctx *c) { return infer_rec(c, RR_REC_LSTM); }

/* ---- run --------------------------------------------------------------------------------------- */

/* a[j] = clip(a[j]), j < n (no-op for an infinite bound) */
static void clip_span(float *a, int64_t n, float clip) {
    if (isinf(clip)) return;
    for (int64_t j = 0; j < n; j++) a[j] = a[j] > clip ? clip : (a[j] < -clip ? -clip : a[j]);
}

/* a[j] = clip(a[j] + x[j]), j < n */
static void add_clip(float *restrict a, const float *restrict x, int64_t n, float clip) {
    for (int64_t j = 0; j < n; j++) a[j] += x[j];
    clip_span(a, n, clip);
}

/* One step of the gates for row b, over n hidden units (all H, or a thread's share, the
 * pointers then offset to its first unit; gate blocks are H apart in a, x and P): a holds
 * h_prev @ R', x the row's XW; updates h (and c) of the row. GRU without linear_before_reset
 * takes two passes around a second product (see run_steps), so it is not here. */
static void step_rnn(const rr_rec *r, int d, float *a, const float *x, float *h, int64_t n) {
    add_clip(a, x, n, r->clip);
    rr_act_apply(&r->act[d][0], r->k, a, n);
    memcpy(h, a, (size_t)n * sizeof *h);
}

static void step_gru_lbr(const rr_rec *r, int d, float *a, const float *x, const float *rbh, float *h, int64_t n) {
    const int64_t H = r->H;
    float *z = a, *rg = a + H, *hh = a + 2 * H;
    for (int g = 0; g < 2; g++) { /* z and r */
        add_clip(a + g * H, x + g * H, n, r->clip);
        rr_act_apply(&r->act[d][0], r->k, a + g * H, n);
    }
    for (int64_t j = 0; j < n; j++) hh[j] = x[2 * H + j] + rg[j] * (hh[j] + rbh[j]);
    clip_span(hh, n, r->clip);
    rr_act_apply(&r->act[d][1], r->k, hh, n);
    for (int64_t j = 0; j < n; j++) h[j] = (1.0f - z[j]) * hh[j] + z[j] * h[j];
}

static void step_lstm(const rr_rec *r, int d, float *a, const float *x, const float *P, float *h, float *cst,
                      int64_t n) {
    const int64_t H = r->H;
    const rr_act *f = &r->act[d][0], *g = &r->act[d][1], *ha = &r->act[d][2];
    float *gi = a, *go = a + H, *gf = a + 2 * H, *gc = a + 3 * H;
    if (P)
        for (int64_t j = 0; j < n; j++) gi[j] += P[j] * cst[j];
    add_clip(gi, x, n, r->clip);
    rr_act_apply(f, r->k, gi, n);
    if (r->input_forget) {
        for (int64_t j = 0; j < n; j++) gf[j] = 1.0f - gi[j];
    } else {
        if (P)
            for (int64_t j = 0; j < n; j++) gf[j] += P[2 * H + j] * cst[j];
        add_clip(gf, x + 2 * H, n, r->clip);
        rr_act_apply(f, r->k, gf, n);
    }
    add_clip(gc, x + 3 * H, n, r->clip);
    rr_act_apply(g, r->k, gc, n);
    for (int64_t j = 0; j < n; j++) cst[j] = gf[j] * cst[j] + gi[j] * gc[j];
    if (P)
        for (int64_t j = 0; j < n; j++) go[j] += P[H + j] * cst[j];
    add_clip(go, x + H, n, r->clip);
    rr_act_apply(f, r->k, go, n);
    memcpy(gc, cst, (size_t)n * sizeof *gc);
    rr_act_apply(ha, r->k, gc, n);
    for (int64_t j = 0; j < n; j++) h[j] = go[j] * gc[j];
}

/* An RNN step's gates over part of A (B, H): rows [r0, r1), columns [c0, c1): a = act(clip(a + x)),
 * x the step's XW rows (row stride xrs) */
typedef struct rnn_gates {
    const rr_rec *r;
    int d;
    float *dst;
    const float *x;
    int64_t xrs;
    bool added; /* x is already in (the tiny product added it) */
} rnn_gates;

static void rnn_gates_run(void *ctx, int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
    const rnn_gates *g = ctx;
    const int64_t H = g->r->H;
    if (c0 == 0 && c1 == H && (g->xrs == H || g->added)) { /* whole rows, x contiguous too: one span */
        float *a = g->dst + r0 * H;
        if (g->added) clip_span(a, (r1 - r0) * H, g->r->clip);
        else add_clip(a, g->x + r0 * H, (r1 - r0) * H, g->r->clip);
        rr_act_apply(&g->r->act[g->d][0], g->r->k, a, (r1 - r0) * H);
        return;
    }
    for (int64_t b = r0; b < r1; b++) {
        float *a = g->dst + b * H + c0;
        add_clip(a, g->x + b * g->xrs + c0, c1 - c0, g->r->clip);
        rr_act_apply(&g->r->act[g->d][0], g->r->k, a, c1 - c0);
    }
}

/* The steps of direction d over hidden units [u0, u1) of every row. Without a barrier: all
 * units (u0 = 0, u1 = H), the step's products on the pool, h updated in place. With one: this
 * task's share of the units (u0, u1 and H multiples of RR_PANEL), its gates' columns of R'
 * multiplied on this thread alone, while other tasks do the other units; every step reads h
 * from one buffer and writes the next into the other (w->h, w->h2), a barrier between steps. */
static void run_steps(const rr_rec *r, const rr_rec_io *io, int d, const rec_pack *pk, const rec_ws *w,
                      rr_threads *pool, int64_t u0, int64_t u1, rr_barrier *bar) {
    const int64_t T = r->T, B = r->B, H = r->H, GH = r->G * H, n = u1 - u0;
    const bool two = gru2(r); /* two products per step (never split) */
    const float *P = io->P ? io->P + d * 3 * H + u0 : NULL;
    float *h = w->h, *hn = bar ? w->h2 : w->h;
    for (int64_t s = 0; s < T; s++) {
        const int64_t t = r->reverse[d] ? T - 1 - s : s;
        if (bar) {
            /* A[:, gate g's units u0..u1] (B, n) = h (B, H) @ R'[:, g*H+u0 ..] (H, n): whole panels;
             * odd steps visit the gates, and each gate's tiles, last to first (see rr_gemm_job.rev) */
            for (int gi = 0; gi < r->G; gi++) {
                const int g = s & 1 ? r->G - 1 - gi : gi;
                rr_gemm_job j = {.M = B, .N = n, .K = H, .a = h, .rsa = H, .csa = 1, .bp = pk->r + (g * H + u0) * H,
                                 .c = w->a + g * H + u0, .ldc = GH, .rev = s & 1};
                r->k->gemm(&j);
            }
        } else {
            /* A (B, G*H) = h (B, H) @ R' (H, G*H); GRU without linear_before_reset: z and r only */
            step_gemm(B, two ? 2 * H : GH, H, h, pk->r, pk->rs, w->a, GH, s & 1, r, w, pool);
        }
        if (two) {
            /* pass 1: z, r and tmp = r . h_prev; pass 2: A2 (B, H) = tmp @ Rh' (H, H), h gate, update */
            for (int64_t b = 0; b < B; b++) {
                float *a = w->a + b * GH, *tmp = w->tmp + b * H;
                if (t >= rr_rec_len(r, io, b)) {
                    memset(tmp, 0, (size_t)H * sizeof *tmp);
                    continue;
                }
                const float *x = w->xw + (r->layout ? b * T + t : t * B + b) * GH;
                add_clip(a, x, 2 * H, r->clip);
                rr_act_apply(&r->act[d][0], r->k, a, 2 * H);
                for (int64_t j = 0; j < H; j++) tmp[j] = a[H + j] * h[b * H + j];
            }
            step_gemm(B, H, H, w->tmp, pk->rh, pk->rhs, w->a2, H, s & 1, r, w, pool);
        }
        for (int64_t b = 0; b < B; b++) {
            float *y = io->Y ? io->Y + rr_rec_yoff(r, t, d, b) + u0 : NULL;
            float *hb = hn + b * H + u0;
            if (hn != h) memcpy(hb, h + b * H + u0, (size_t)n * sizeof *hb); /* a row past its length keeps h */
            if (t >= rr_rec_len(r, io, b)) {
                if (y) memset(y, 0, (size_t)n * sizeof *y);
                continue;
            }
            float *a = w->a + b * GH + u0;
            const float *x = w->xw + (r->layout ? b * T + t : t * B + b) * GH + u0;
            if (r->kind == RR_REC_RNN) {
                step_rnn(r, d, a, x, hb, n);
            } else if (r->kind == RR_REC_LSTM) {
                step_lstm(r, d, a, x, P, hb, w->c + b * H + u0, n);
            } else if (r->lbr) {
                step_gru_lbr(r, d, a, x, pk->bias + GH + u0, hb, n);
            } else {
                float *hh = w->a2 + b * H;
                add_clip(hh, x + 2 * H, H, r->clip);
                rr_act_apply(&r->act[d][1], r->k, hh, H);
                for (int64_t j = 0; j < H; j++) hb[j] = (1.0f - a[j]) * hh[j] + a[j] * hb[j];
            }
            if (y) memcpy(y, hb, (size_t)n * sizeof *y);
        }
        if (bar) {
            rr_barrier_wait(bar);
            float *t2 = h;
            h = hn;
            hn = t2;
        }
    }
    if (h != w->h) /* this task's units of the final h */
        for (int64_t b = 0; b < B; b++) memcpy(w->h + b * H + u0, h + b * H + u0, (size_t)n * sizeof(float));
}

/* The steps split over the hidden units: task i takes whole panels of each gate's columns */
typedef struct split_job {
    const rr_rec *r;
    const rr_rec_io *io;
    int d;
    const rec_pack *pk;
    const rec_ws *w;
    int parts;
    rr_barrier bar;
} split_job;

static void split_task(void *ctx, int64_t i) {
    split_job *j = ctx;
    const int64_t panels = j->r->H / RR_PANEL;
    run_steps(j->r, j->io, j->d, j->pk, j->w, NULL, panels * i / j->parts * RR_PANEL,
              panels * (i + 1) / j->parts * RR_PANEL, &j->bar);
}

/* Direction d. state: the streaming state ((B, H) h then (B, H) c), or NULL; when valid, the
 * rows start from it instead of initial_h / initial_c; the final state is written back. split:
 * rec_params.split, or 1 when the directions run in parallel (no pool here then). */
static void run_dir(const rr_rec *r, const rr_rec_io *io, int d, const rec_pack *pk, const rec_ws *w,
                    rr_state *state, rr_threads *pool, int split) {
    const int64_t T = r->T, B = r->B, I = r->I, H = r->H, GH = r->G * H;
    const float *bias = pk->bias;
    /* XW (T*B, G*H) = X (T*B, I) @ W' (I, G*H) + bias, rows in X's own order */
    if (pk->ws) {
        rr_sgemm_small(T * B, GH, I, io->X, pk->ws, w->xw, GH, bias, 0);
    } else {
        rr_gemm_job xj = {.M = T * B, .N = GH, .K = I, .a = io->X, .rsa = I, .csa = 1, .bp = pk->w, .c = w->xw,
                          .ldc = GH, .bias = bias, .ws = w->gs, .ws_floats = (size_t)w->gs_n};
        rr_gemm_run(r->k, pool, &xj);
    }
    const bool carried = state && state->valid;
    for (int64_t b = 0; b < B; b++) {
        float *h = w->h + b * H, *cs = w->c + b * H;
        if (carried) {
            memcpy(h, state->data + b * H, (size_t)H * sizeof *h);
            memcpy(cs, state->data + (B + b) * H, (size_t)H * sizeof *cs);
            continue;
        }
        if (io->h0) memcpy(h, io->h0 + rr_rec_soff(r, d, b), (size_t)H * sizeof *h);
        else memset(h, 0, (size_t)H * sizeof *h);
        if (io->c0) memcpy(cs, io->c0 + rr_rec_soff(r, d, b), (size_t)H * sizeof *cs);
        else memset(cs, 0, (size_t)H * sizeof *cs);
    }
    if (split > rr_threads_count(pool)) split = 1;
    const bool all_rows = r->kind == RR_REC_RNN && !io->seq && split < 2;
    if (all_rows) {
        /* RNN, every row active: the gates of all rows at once, each step's h (B, H) written
         * straight into Y's slice when Y is (T, D, B, H), else into w->a and w->h in turn; the
         * next step reads it where it is. The gates run on the threads of the product, each over
         * the part of C it computed. */
        const int64_t n = B * H;
        const float *hp = w->h;
        rnn_gates g = {.r = r, .d = d, .xrs = r->layout ? T * H : H};
        for (int64_t s = 0; s < T; s++) {
            const int64_t t = r->reverse[d] ? T - 1 - s : s;
            float *dst = io->Y && r->layout == 0 ? io->Y + rr_rec_yoff(r, t, d, 0) : hp == w->a ? w->h : w->a;
            g.dst = dst;
            g.x = r->layout ? w->xw + t * H : w->xw + t * B * H;
            if (pk->rs) { /* tiny R: the product adds the step's XW as it stores */
                g.added = true;
                rr_sgemm_small(B, GH, H, hp, pk->rs, dst, GH, g.x, g.xrs);
                rnn_gates_run(&g, 0, B, 0, GH);
            } else {
                step_gemm_post(B, GH, H, hp, pk->r, pk->rs, dst, GH, s & 1, r, w, pool, rnn_gates_run, &g);
            }
            if (io->Y && r->layout == 1)
                for (int64_t b = 0; b < B; b++)
                    memcpy(io->Y + rr_rec_yoff(r, t, d, b), dst + b * H, (size_t)H * sizeof *dst);
            hp = dst;
        }
        if (hp != w->h) memcpy(w->h, hp, (size_t)n * sizeof *w->h);
    }
    if (split >= 2) {
        split_job sj = {.r = r, .io = io, .d = d, .pk = pk, .w = w, .parts = split};
        rr_barrier_init(&sj.bar, split);
        rr_threads_run(pool, split, split_task, &sj);
    } else if (!all_rows) {
        run_steps(r, io, d, pk, w, pool, 0, H, NULL);
    }
    /* final states; a row of length 0 gives zeros (as ONNX Runtime does), not its initial state,
     * except when streaming, where it keeps its state */
    for (int64_t b = 0; b < B; b++) {
        if (rr_rec_len(r, io, b) == 0 && !state) {
            memset(w->h + b * H, 0, (size_t)H * sizeof(float));
            memset(w->c + b * H, 0, (size_t)H * sizeof(float));
        }
        if (io->Yh) memcpy(io->Yh + rr_rec_soff(r, d, b), w->h + b * H, (size_t)H * sizeof(float));
        if (io->Yc) memcpy(io->Yc + rr_rec_soff(r, d, b), w->c + b * H, (size_t)H * sizeof(float));
    }
    if (state) {
        memcpy(state->data, w->h, (size_t)(B * H) * sizeof(float));
        memcpy(state->data + B * H, w->c, (size_t)(B * H) * sizeof(float));
        state->valid = true;
        state->batch = B;
    }
}

typedef struct dir_job {
    const rec_params *p;
    const rr_rec_io *io;
    rr_state *state;
    rr_threads *pool; /* for the products: NULL when the directions run in parallel */
    rec_ws w[2];      /* direction d's workspace (the same one twice when run in turn) */
} dir_job;

static void dir_task(void *ctx, int64_t d) {
    dir_job *j = ctx;
    const rec_params *p = j->p;
    rec_ws *w = &j->w[d];
    if (!p->packed) pack_dir(&p->r, j->io->W, j->io->R, j->io->Bias, (int)d, &w->pk);
    run_dir(&p->r, j->io, (int)d, p->packed ? &p->pk[d] : &w->pk, w, j->state, j->pool, j->pool ? p->split : 1);
}

static int run_rec(const rr_ctx *c) {
    const rec_params *p = c->params;
    const rr_rec *r = &p->r;
    const bool lstm = r->kind == RR_REC_LSTM;
    const rr_tensor *X = rr_in(c, 0), *W = rr_in(c, 1), *R = rr_in(c, 2), *B = rr_in(c, 3), *S = rr_in(c, 4),
                    *H0 = rr_in(c, 5), *C0 = lstm ? rr_in(c, 6) : NULL, *P = lstm ? rr_in(c, 7) : NULL;
    rr_tensor *Y = rr_out(c, 0), *Yh = rr_out(c, 1), *Yc = lstm ? rr_out(c, 2) : NULL;
    rr_rec_io io = {
        .X = X->data, .W = W->data, .R = R->data, .Bias = B ? B->data : NULL,
        .h0 = H0 ? H0->data : NULL, .c0 = C0 ? C0->data : NULL, .P = P ? P->data : NULL,
        .seq = S ? S->data : NULL, .seq64 = S && S->dtype == RR_INT64,
        .Y = Y ? Y->data : NULL, .Yh = Yh ? Yh->data : NULL, .Yc = Yc ? Yc->data : NULL,
    };
    if (S && !p->seq_known && check_seq_values(c, r, &io)) return c->err->status;
    rr_state *state = c->state;
    if (state && (r->D != 1 || r->reverse[0] || state->capacity < 2 * r->B * r->H))
        return rr_op_fail(c, RNNRUN_ERR_UNSUPPORTED, "this node cannot stream");
    if (state && state->valid && state->batch != r->B)
        return rr_op_fail(c, RNNRUN_ERR_STATE,
                          "the streamed state has batch %lld but this run has batch %lld (reset the state to change it)",
                          (long long)state->batch, (long long)r->B);
    dir_job job = {.p = p, .io = &io, .state = state, .pool = p->par_dirs ? NULL : c->threads};
    int64_t floats;
    ws_layout(r, p->packed, p->gs, c->ws, &job.w[0], &floats);
    if (p->par_dirs) {
        ws_layout(r, p->packed, p->gs, (float *)c->ws + floats, &job.w[1], &floats);
        rr_threads_run(c->threads, 2, dir_task, &job);
    } else {
        for (int d = 0; d < r->D; d++) {
            job.w[d] = job.w[0];
            dir_task(&job, d);
        }
    }
    return RNNRUN_OK;
}

int rr_run_rnn(const rr_ctx *c) { return run_rec(c); }
int rr_run_gru(const rr_ctx *c) { return run_rec(c); }
int rr_run_lstm(const rr_ctx *c) { return run_rec(c); }
