/* The float kernels, written once over a small vector interface and compiled once per instruction
 * set (kern_generic.c, kern_avx2.c, kern_avx512.c). The including file defines:
 *
 *   VEC, VMASK, W          vector type, comparison-mask type, lanes per vector (16 % W == 0)
 *   MR, NP                 register tile: MR rows x NP panels of 16 columns
 *   v_load v_store v_set1 v_fma(a,b,c)=a*b+c v_add v_sub v_mul v_div v_min v_max v_abs
 *   v_copysign(mag,sgn) v_lt(a,b) v_isnan(a) v_sel(mask,if_true,if_false)
 *   v_ldexp_magic(p,t)     p * 2^n where t = n + RR_MAGIC in float (n an integer, |n| < 2^21)
 *   KNAME(x)               x with the variant's suffix
 *
 * Packed B: panels of RR_PANEL (32) columns (kernels.h); every variant reads the same layout.
 */
#include <string.h>

#include "kernels.h"

#define NV (16 / W)        /* vectors per 16-column panel */
#define NR (16 * NP)       /* columns of the register tile */
#define KC 256             /* depth of a block of K */
#define MC 48              /* rows of A packed per block (a multiple of MR) */
#define KDEEP (4 * KC)     /* depth of a block of K against packed B */
#define RR_MAGIC 12582912.0f /* 1.5 * 2^23: x + RR_MAGIC rounds x to an integer in the low bits */
/* tanh(x) = x + x^3 P(x^2) on |x| < 0.625: P fitted (iteratively reweighted least squares in
 * double, then rounded to float) for tanh's relative error, 2.7e-9 at most before rounding */
#define RR_TANH_C1 -3.333333135e-01f
#define RR_TANH_C2 1.333320588e-01f
#define RR_TANH_C3 -5.394676700e-02f
#define RR_TANH_C4 2.170072123e-02f
#define RR_TANH_C5 -8.177428506e-03f
#define RR_TANH_C6 2.142982092e-03f

_Static_assert(MC % MR == 0, "MC must be a multiple of MR");
_Static_assert(MC * KDEEP <= RR_GEMM_WS_FLOATS, "a packed A block must fit the job's scratch");

#if defined(__clang__)
#define UNROLL _Pragma("unroll")
#else
#define UNROLL _Pragma("GCC unroll 32")
#endif

/* ---- micro-kernel: C tile (mr, nc) (+)= A panel (mr, kc) @ B panels (kc, np*16) -------------
 * a: A, element (i,k) at a[i*ai + k*ak] (ai = 1, ak = MR: a packed panel; else A read in place); b0, b1: the two panels, row k at b + k*bs.
 * One or two rows (the memory-bound step of a small batch) keep ku = 4 or 2 partial sums along
 * K, so that enough independent FMA chains hide the FMA latency. */
static inline __attribute__((always_inline)) void ukr_body(const int mr, const int np, const int64_t ai,
                                                           const int64_t ak, int64_t kc,
                                                           const float *restrict a, const float *restrict b0,
                                                           const float *restrict b1, int64_t bs, float *restrict c,
                                                           int64_t ldc, int nc, bool acc,
                                                           const float *restrict bias) {
    enum { KU = 4 };
    const int ku = mr == 1 ? 4 : mr == 2 ? 2 : 1;
    VEC s[KU][MR][NP * NV];
    UNROLL for (int u = 0; u < ku; u++) UNROLL for (int i = 0; i < mr; i++) UNROLL for (int v = 0; v < np * NV; v++)
        s[u][i][v] = v_set1(0.0f);
    int64_t k = 0;
    for (; k + ku <= kc; k += ku) {
        UNROLL for (int u = 0; u < ku; u++) {
            VEC b[NP * NV];
            UNROLL for (int v = 0; v < NV; v++) b[v] = v_load(b0 + (k + u) * bs + v * W);
            if (np > 1) UNROLL for (int v = 0; v < NV; v++) b[NV + v] = v_load(b1 + (k + u) * bs + v * W);
            UNROLL for (int i = 0; i < mr; i++) {
                VEC av = v_set1(a[(k + u) * ak + i * ai]);
                UNROLL for (int v = 0; v < np * NV; v++) s[u][i][v] = v_fma(av, b[v], s[u][i][v]);
            }
        }
    }
    for (; k < kc; k++) {
        VEC b[NP * NV];
        UNROLL for (int v = 0; v < NV; v++) b[v] = v_load(b0 + k * bs + v * W);
        if (np > 1) UNROLL for (int v = 0; v < NV; v++) b[NV + v] = v_load(b1 + k * bs + v * W);
        UNROLL for (int i = 0; i < mr; i++) {
            VEC av = v_set1(a[k * ak + i * ai]);
            UNROLL for (int v = 0; v < np * NV; v++) s[0][i][v] = v_fma(av, b[v], s[0][i][v]);
        }
    }
    if (ku == 4)
        UNROLL for (int i = 0; i < mr; i++) UNROLL for (int v = 0; v < np * NV; v++)
            s[0][i][v] = v_add(v_add(s[0][i][v], s[1][i][v]), v_add(s[2][i][v], s[3][i][v]));
    if (ku == 2)
        UNROLL for (int i = 0; i < mr; i++) UNROLL for (int v = 0; v < np * NV; v++)
            s[0][i][v] = v_add(s[0][i][v], s[1][i][v]);
    if (nc == np * 16) {
        UNROLL for (int i = 0; i < mr; i++) UNROLL for (int v = 0; v < np * NV; v++) {
            float *p = c + i * ldc + v * W;
            VEC y = acc ? v_add(v_load(p), s[0][i][v]) : s[0][i][v];
            v_store(p, bias ? v_add(y, v_load(bias + v * W)) : y);
        }
    } else { /* a partial last panel: through a buffer */
        float t[NR];
        nc = nc < np * 16 ? nc : np * 16; /* (as it is: tells the compiler t is written that far) */
        for (int i = 0; i < mr; i++) {
            UNROLL for (int v = 0; v < np * NV; v++) v_store(t + v * W, s[0][i][v]);
            float *p = c + i * ldc;
            if (acc)
                for (int j = 0; j < nc; j++) p[j] += t[j];
            else
                for (int j = 0; j < nc; j++) p[j] = t[j]; /* (a memcpy call costs more, for 4 floats) */
            if (bias)
                for (int j = 0; j < nc; j++) p[j] += bias[j];
        }
    }
}

typedef void (*ukr_fn)(int64_t kc, const float *a, const float *b0, const float *b1, int64_t bs, float *c,
                       int64_t ldc, int nc, bool acc, const float *bias);
#define UKR(m, p)                                                                                           \
    static void KNAME(ukr_##m##_##p)(int64_t kc, const float *a, const float *b0, const float *b1, int64_t bs, \
                                     float *c, int64_t ldc, int nc, bool acc, const float *bias) {          \
        ukr_body(m, p, 1, MR, kc, a, b0, b1, bs, c, ldc, nc, acc, bias);                                    \
    }                                                                                                       \
    static void KNAME(ukr_ip_##m##_##p)(int64_t kc, const float *a, int64_t ai, int64_t ak, const float *b0,     \
                                        const float *b1, float *c, int64_t ldc, int nc, bool acc,               \
                                        const float *bias) {                                                    \
        ukr_body(m, p, ai, ak, kc, a, b0, b1, RR_PANEL, c, ldc, nc, acc, bias);                             \
    }
typedef void (*ukr_ip_fn)(int64_t kc, const float *a, int64_t ai, int64_t ak, const float *b0, const float *b1,
                          float *c, int64_t ldc, int nc, bool acc, const float *bias);
#if NP == 1
#define UKR_ROW(m) UKR(m, 1)
#define UKR_ENT(m) {KNAME(ukr_##m##_1)}
#define UKR_IP_ENT(m) {KNAME(ukr_ip_##m##_1)}
#else
#define UKR_ROW(m) UKR(m, 1) UKR(m, 2)
#define UKR_ENT(m) {KNAME(ukr_##m##_1), KNAME(ukr_##m##_2)}
#define UKR_IP_ENT(m) {KNAME(ukr_ip_##m##_1), KNAME(ukr_ip_##m##_2)}
#endif
UKR_ROW(1) UKR_ROW(2) UKR_ROW(3) UKR_ROW(4)
#if MR > 4
UKR_ROW(5) UKR_ROW(6)
#endif
#if MR > 6
UKR_ROW(7) UKR_ROW(8) UKR_ROW(9) UKR_ROW(10) UKR_ROW(11) UKR_ROW(12)
#endif

static const ukr_fn KNAME(ukr_tab)[MR][NP] = {
    UKR_ENT(1), UKR_ENT(2), UKR_ENT(3), UKR_ENT(4),
#if MR > 4
    UKR_ENT(5), UKR_ENT(6),
#endif
#if MR > 6
    UKR_ENT(7), UKR_ENT(8), UKR_ENT(9), UKR_ENT(10), UKR_ENT(11), UKR_ENT(12),
#endif
};
_Static_assert(sizeof KNAME(ukr_tab) / sizeof KNAME(ukr_tab)[0] == MR, "one row of kernels per mr");
/* the same with A read in place (any strides): for products with one column tile, where packing A
 * would cost more than it saves (each element of A is read once) */
static const ukr_ip_fn KNAME(ukr_ip_tab)[MR][NP] = {
    UKR_IP_ENT(1), UKR_IP_ENT(2), UKR_IP_ENT(3), UKR_IP_ENT(4),
#if MR > 4
    UKR_IP_ENT(5), UKR_IP_ENT(6),
#endif
#if MR > 6
    UKR_IP_ENT(7), UKR_IP_ENT(8), UKR_IP_ENT(9), UKR_IP_ENT(10), UKR_IP_ENT(11), UKR_IP_ENT(12),
#endif
};

/* ---- the blocked driver ------------------------------------------------------------------------
 * for each K block and M block (MC rows): pack A's block into MR-row panels (on the stack, or in
 * the job's scratch against packed B; or read A in place, see a_in_place), then for each
 * NR-column tile get B's panels and run the micro-kernel down the M block. B is read in place when
 * packed, or when row-major and M is small (one pass over B: packing it would cost more than it
 * saves); otherwise the tile is packed into a stack buffer, KC rows at a time. Against packed B
 * the K block is KDEEP deep whatever M is (fewer passes over C, and B's panels stream without
 * jumps, which matters when the product is memory-bound); else as set in gemm() below. */

/* packed B's row pc, column jr (the start of a 16-column tile); the next 16 columns follow it */
static inline const float *KNAME(bpanel)(const rr_gemm_job *j, int64_t jr, int64_t pc) {
    return j->bp + (jr / RR_PANEL) * RR_PANEL * j->K + pc * RR_PANEL + jr % RR_PANEL;
}

static void KNAME(pack_tile)(float *restrict dst, const rr_gemm_job *j, int64_t k0, int64_t kc, int64_t c0, int nc) {
    for (int p = 0; p * 16 < nc; p++, dst += 16 * kc) {
        const int w = nc - 16 * p < 16 ? nc - 16 * p : 16;
        const float *s = j->b + k0 * j->rsb + (c0 + 16 * p) * j->csb;
        if (w < 16)
            for (int64_t k = 0; k < kc; k++)
                for (int c = w; c < 16; c++) dst[k * 16 + c] = 0.0f;
        if (j->csb == 1 || (j->rsb != 1 && j->csb > j->rsb)) /* read along rows */
            for (int64_t k = 0; k < kc; k++)
                for (int c = 0; c < w; c++) dst[k * 16 + c] = s[k * j->rsb + c * j->csb];
        else /* read down columns (B stored transposed) */
            for (int c = 0; c < w; c++)
                for (int64_t k = 0; k < kc; k++) dst[k * 16 + c] = s[k * j->rsb + c * j->csb];
    }
}

/* c (N,) (+)= a (K,) @ B (K,N) for row-major B (csb == 1): four rows of B streamed at a time
 * (axpy form), c stays in cache. One row of A reads B once, contiguously: the memory-bound case. */
static void KNAME(row_axpy)(const rr_gemm_job *j) {
    const int64_t N = j->N, K = j->K, rsb = j->rsb, csa = j->csa;
    float *restrict c = j->c;
    const float *a = j->a;
    if (!j->acc) memset(c, 0, (size_t)N * sizeof(float));
    int64_t k = 0;
    for (; k + 4 <= K; k += 4) {
        const float *restrict b0 = j->b + k * rsb, *restrict b1 = b0 + rsb, *restrict b2 = b1 + rsb,
                             *restrict b3 = b2 + rsb;
        const float s0 = a[k * csa], s1 = a[(k + 1) * csa], s2 = a[(k + 2) * csa], s3 = a[(k + 3) * csa];
        const VEC a0 = v_set1(s0), a1 = v_set1(s1), a2 = v_set1(s2), a3 = v_set1(s3);
        int64_t n = 0;
        for (; n + W <= N; n += W) {
            VEC t = v_fma(a0, v_load(b0 + n), v_load(c + n));
            t = v_fma(a1, v_load(b1 + n), t);
            t = v_fma(a2, v_load(b2 + n), t);
            v_store(c + n, v_fma(a3, v_load(b3 + n), t));
        }
        for (; n < N; n++) c[n] = (((c[n] + s0 * b0[n]) + s1 * b1[n]) + s2 * b2[n]) + s3 * b3[n];
    }
    for (; k < K; k++) {
        const float *restrict b0 = j->b + k * rsb;
        const float s0 = a[k * csa];
        const VEC a0 = v_set1(s0);
        int64_t n = 0;
        for (; n + W <= N; n += W) v_store(c + n, v_fma(a0, v_load(b0 + n), v_load(c + n)));
        for (; n < N; n++) c[n] += s0 * b0[n];
    }
}

/* c (N,) (+)= a (K,) @ B for B stored transposed (rsb == 1: column n of B contiguous, a weight
 * (N,K) as Linear keeps it) and a contiguous: four dot products at a time, W lanes each. */
static void KNAME(row_dots)(const rr_gemm_job *j) {
    const int64_t N = j->N, K = j->K, csb = j->csb;
    const float *restrict a = j->a;
    float *restrict c = j->c;
    int64_t n = 0;
    for (; n < N; n += 4) {
        const int nn = N - n < 4 ? (int)(N - n) : 4;
        const float *b[4];
        for (int r = 0; r < 4; r++) b[r] = j->b + (n + (r < nn ? r : 0)) * csb;
        VEC s0 = v_set1(0.0f), s1 = s0, s2 = s0, s3 = s0;
        int64_t k = 0;
        for (; k + W <= K; k += W) {
            VEC av = v_load(a + k);
            s0 = v_fma(av, v_load(b[0] + k), s0);
            s1 = v_fma(av, v_load(b[1] + k), s1);
            s2 = v_fma(av, v_load(b[2] + k), s2);
            s3 = v_fma(av, v_load(b[3] + k), s3);
        }
        float t[4][W], out[4];
        v_store(t[0], s0);
        v_store(t[1], s1);
        v_store(t[2], s2);
        v_store(t[3], s3);
        for (int r = 0; r < nn; r++) {
            float sum = 0.0f;
            for (int l = 0; l < W; l++) sum += t[r][l];
            for (int64_t q = k; q < K; q++) sum += a[q] * b[r][q];
            out[r] = sum;
        }
        for (int r = 0; r < nn; r++) c[n + r] = j->acc ? c[n + r] + out[r] : out[r];
    }
}

#define ABUF (MC * KC)
static void KNAME(gemm)(const rr_gemm_job *j) {
    const int64_t M = j->M, N = j->N, K = j->K;
    if (M <= 0 || N <= 0) return;
    if (K <= 0) {
        for (int64_t i = 0; i < M; i++) {
            float *c = j->c + i * j->ldc;
            if (!j->acc) memset(c, 0, (size_t)N * sizeof(float));
            if (j->bias)
                for (int64_t n = 0; n < N; n++) c[n] += j->bias[n];
        }
        return;
    }
    if (M == 1 && !j->bp && !j->bias && j->csb == 1) {
        KNAME(row_axpy)(j);
        return;
    }
    if (M == 1 && !j->bp && !j->bias && j->rsb == 1 && j->csa == 1) {
        KNAME(row_dots)(j);
        return;
    }
    if (M == 1 && j->bp && K <= KDEEP) {
        /* one row against packed B in one K block (the per-step product of a batch of one): the
         * driver below would do the same calls, after its block bookkeeping */
        const int64_t ntiles = (N + NR - 1) / NR;
        for (int64_t jt = 0; jt < ntiles; jt++) {
            const int64_t jr = (j->rev ? ntiles - 1 - jt : jt) * NR;
            const int nc = (int)(N - jr < NR ? N - jr : NR), np = (nc + 15) / 16;
            const float *b0 = KNAME(bpanel)(j, jr, 0);
            KNAME(ukr_ip_tab)[0][np - 1](K, j->a, j->rsa, j->csa, b0, b0 + 16, j->c + jr, j->ldc,
                                         nc, j->acc, j->bias ? j->bias + jr : NULL);
        }
        return;
    }
    _Alignas(64) float abuf_stack[ABUF]; /* A block: panel r at abuf + r*MR*kc, element (i,k) at [k*MR + i] */
    _Alignas(64) float bbuf[KC * NR];    /* B tile packed here, KC rows at a time */
    const float *A = j->a;
    const bool b_in_place = j->bp || (j->csb == 1 && M <= MR);
    /* packed B: A is packed (for its reuse across the column tiles) into the job's scratch when it
     * has one and more than one M block and column tile; else read in place: each element of one
     * row or one column tile is read once anyway. Same blocks and tiles either way: the same sums */
    const bool a_in_place = j->bp && (M <= MC || N <= NR || !j->ws || j->ws_floats < RR_GEMM_WS_FLOATS);
    float *const abuf = j->bp && !a_in_place ? j->ws : abuf_stack;
    /* K block: packed B: KDEEP whatever M (fewer passes over C; 1.1-1.2x on 64x4096x1024 and
     * 2048x4096x1024 against KC), so that the sums do not depend on how the rows are split;
     * strided B read in place, one row: 64 rows, so that each block reads whole rows of B across
     * all tiles (short strides, few pages) */
    const int64_t kcap = j->bp ? KDEEP : M > MR ? (b_in_place ? KC : KC / 2) : b_in_place ? 64 : KC;
    /* M block: B packed on the fly is packed once per M block, so make them twice as tall (and
     * the K blocks half as deep, for the same A buffer) */
    const int64_t mcap = M > MR && !b_in_place ? 2 * MC : MC;
    for (int64_t pc = 0; pc < K; pc += kcap) {
        const int64_t kc = K - pc < kcap ? K - pc : kcap;
        const bool acc = j->acc || pc > 0;
        for (int64_t ic = 0; ic < M; ic += mcap) {
            const int64_t mcur = M - ic < mcap ? M - ic : mcap;
            /* the block's rows in nt tiles of nearly equal height (16 rows: 8 + 8, not 12 + 4: a
             * short tile has too few FMA chains to hide their latency); tile t's A panel at
             * abuf + t*MR*kc */
            const int nt = (int)((mcur + MR - 1) / MR);
            int64_t toff[2 * MC / MR + 1];
            for (int t = 0; t <= nt; t++) toff[t] = t * (mcur / nt) + (t < mcur % nt ? t : mcur % nt);
            for (int t = 0; t < nt && !a_in_place; t++) {
                const int64_t ir = toff[t];
                const int mr = (int)(toff[t + 1] - ir);
                float *ap = abuf + t * MR * kc;
                const float *src = A + (ic + ir) * j->rsa + pc * j->csa;
                if (j->csa == 1) {
                    for (int i = 0; i < mr; i++)
                        for (int64_t k = 0; k < kc; k++) ap[k * MR + i] = src[i * j->rsa + k];
                } else {
                    for (int64_t k = 0; k < kc; k++)
                        for (int i = 0; i < mr; i++) ap[k * MR + i] = src[i * j->rsa + k * j->csa];
                }
            }
            float *cb = j->c + ic * j->ldc;
            const int64_t ntiles = (N + NR - 1) / NR;
            for (int64_t jt = 0; jt < ntiles; jt++) {
                const int64_t jr = (j->rev ? ntiles - 1 - jt : jt) * NR;
                const int nc = (int)(N - jr < NR ? N - jr : NR);
                const int np = (nc + 15) / 16;
                ukr_fn const *row = KNAME(ukr_tab)[0] + (np - 1);
                /* the bias joins the sum of the last K block */
                const float *bias = j->bias && pc + kc == K ? j->bias + jr : NULL;
                if (a_in_place) {
                    const float *b0 = KNAME(bpanel)(j, jr, pc), *b1 = b0 + 16;
                    const ukr_ip_fn *rowi = KNAME(ukr_ip_tab)[0] + (np - 1);
                    for (int t = 0; t < nt; t++)
                        rowi[(toff[t + 1] - toff[t] - 1) * NP](kc, A + (ic + toff[t]) * j->rsa + pc * j->csa, j->rsa,
                                                              j->csa, b0, b1, cb + toff[t] * j->ldc + jr, j->ldc, nc,
                                                              acc, bias);
                    continue;
                }
                if (b_in_place && (j->bp || nc == np * 16)) {
                    const float *b0 = j->bp ? KNAME(bpanel)(j, jr, pc) : j->b + pc * j->rsb + jr, *b1 = b0 + 16;
                    const int64_t bs = j->bp ? RR_PANEL : j->rsb;
                    for (int t = 0; t < nt; t++)
                        row[(toff[t + 1] - toff[t] - 1) * NP](kc, abuf + t * MR * kc, b0, b1, bs,
                                                             cb + toff[t] * j->ldc + jr, j->ldc, nc, acc, bias);
                    continue;
                }
                for (int64_t kk = 0; kk < kc; kk += KC) {
                    const int64_t kb = kc - kk < KC ? kc - kk : KC;
                    KNAME(pack_tile)(bbuf, j, pc + kk, kb, jr, nc);
                    for (int t = 0; t < nt; t++)
                        row[(toff[t + 1] - toff[t] - 1) * NP](kb, abuf + t * MR * kc + kk * MR, bbuf, bbuf + 16 * kb,
                                                             16, cb + toff[t] * j->ldc + jr, j->ldc, nc,
                                                             acc || kk > 0, kk + kb == kc ? bias : NULL);
                }
            }
        }
    }
}

/* ---- activations ------------------------------------------------------------------------------
 * exp(x) for x in [-86, 88]: n = round(x / ln2), r = x - n ln2 (Cody-Waite, two constants),
 * exp(r) by its Taylor polynomial of degree 7 (|r| <= 0.347: truncation < 6e-9 relative), times
 * 2^n through the exponent bits. */
static inline __attribute__((always_inline)) VEC KNAME(vexp)(VEC x) {
    x = v_max(v_set1(-86.0f), v_min(v_set1(88.0f), x));
    VEC t = v_fma(x, v_set1(1.44269504088896341f), v_set1(RR_MAGIC));
    VEC n = v_sub(t, v_set1(RR_MAGIC));
    VEC r = v_fma(n, v_set1(-0.693145751953125f), x);  /* ln2 high part: 8 significant bits */
    r = v_fma(n, v_set1(-1.428606765330187045e-06f), r);
    /* Estrin's scheme: three dependent FMAs deep instead of Horner's seven (a recurrent step of a
     * small model waits on this chain: seed_mtm_b4 9.2 -> 8.7 us). Against Horner's it costs a
     * little accuracy: tanh 1.37 -> 1.53 ulp, sigmoid 2.48 -> 3.88 ulp (in its tail, below 1e-7),
     * both still under 9.3e-8 absolute (bench_kernels --accuracy 1) */
    VEC r2 = v_mul(r, r), r4 = v_mul(r2, r2);
    VEC q01 = v_add(r, v_set1(1.0f)), q23 = v_fma(r, v_set1(1.0f / 6), v_set1(0.5f));
    VEC q45 = v_fma(r, v_set1(1.0f / 120), v_set1(1.0f / 24)), q67 = v_fma(r, v_set1(1.0f / 5040), v_set1(1.0f / 720));
    VEC p = v_fma(v_fma(q67, r2, q45), r4, v_fma(q23, r2, q01));
    return v_ldexp_magic(p, t);
}

/* tanh: |x| < 0.625: x + x^3 P(x^2) (odd polynomial fitted for relative error); else
 * 1 - 2 / (exp(2|x|) + 1), sign restored. NaN passes through. */
static inline __attribute__((always_inline)) VEC KNAME(tanh1)(VEC x) {
    VEC ax = v_abs(x);
    VEC e = KNAME(vexp)(v_add(ax, ax));
    VEC big = v_sub(v_set1(1.0f), v_div(v_set1(2.0f), v_add(e, v_set1(1.0f))));
    VEC x2 = v_mul(x, x);
    VEC p = v_set1(RR_TANH_C6);
    p = v_fma(p, x2, v_set1(RR_TANH_C5));
    p = v_fma(p, x2, v_set1(RR_TANH_C4));
    p = v_fma(p, x2, v_set1(RR_TANH_C3));
    p = v_fma(p, x2, v_set1(RR_TANH_C2));
    p = v_fma(p, x2, v_set1(RR_TANH_C1));
    VEC small = v_fma(v_mul(p, x2), ax, ax);
    VEC y = v_copysign(v_sel(v_lt(ax, v_set1(0.625f)), small, big), x);
    return v_sel(v_isnan(x), x, y);
}

/* sigmoid: 1 / (1 + exp(-x)); 0 below x = -88 (where exp(-x) is clamped: the true value is
 * under 6.1e-39, a subnormal). NaN passes through. */
static inline __attribute__((always_inline)) VEC KNAME(sigmoid1)(VEC x) {
    VEC y = v_div(v_set1(1.0f), v_add(v_set1(1.0f), KNAME(vexp)(v_sub(v_set1(0.0f), x))));
    y = v_sel(v_lt(x, v_set1(-88.0f)), v_set1(0.0f), y);
    return v_sel(v_isnan(x), x, y);
}

#define VMAP(fname, f1)                                                                       \
    static void KNAME(fname)(float *y, const float *x, int64_t n) {                          \
        int64_t i = 0;                                                                        \
        for (; i + W <= n; i += W) v_store(y + i, f1(v_load(x + i)));                         \
        if (i < n) {                                                                          \
            float t[W] = {0};                                                                 \
            memcpy(t, x + i, (size_t)(n - i) * sizeof(float));                                \
            v_store(t, f1(v_load(t)));                                                        \
            memcpy(y + i, t, (size_t)(n - i) * sizeof(float));                                \
        }                                                                                     \
    }
VMAP(vtanh, KNAME(tanh1))
VMAP(vsigmoid, KNAME(sigmoid1))

const rr_kernels KNAME(rr_kernels) = {
    .name = KNAME_STR,
    .variant = KVARIANT,
    .mr = MR,
    .nr = NR,
    .mc = MC,
    .gemm = KNAME(gemm),
    .vtanh = KNAME(vtanh),
    .vsigmoid = KNAME(vsigmoid),
};
