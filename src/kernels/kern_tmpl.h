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
 * Packed B: panels of 16 columns; panel p holds B[k][16p .. 16p+15] at bp[p*16*K + 16k ..], zero
 * past column N. Every variant reads the same packed layout.
 */
#include <string.h>

#include "kernels.h"

#define NV (16 / W)        /* vectors per 16-column panel */
#define NR (16 * NP)       /* columns of the register tile */
#define KC 256             /* depth of a block of K */
#define MC 48              /* rows of A packed per block (a multiple of MR) */
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

#if defined(__clang__)
#define UNROLL _Pragma("unroll")
#else
#define UNROLL _Pragma("GCC unroll 32")
#endif

/* ---- micro-kernel: C tile (mr, nc) (+)= A panel (mr, kc) @ B panels (kc, np*16) -------------
 * a: packed A, element (i,k) at a[k*MR + i]; b0, b1: the two panels, row k at b + k*bs. */
static inline __attribute__((always_inline)) void ukr_body(const int mr, const int np, int64_t kc,
                                                           const float *restrict a, const float *restrict b0,
                                                           const float *restrict b1, int64_t bs, float *restrict c,
                                                           int64_t ldc, int nc, bool acc) {
    VEC s[MR][NP * NV];
    UNROLL for (int i = 0; i < mr; i++) UNROLL for (int v = 0; v < np * NV; v++) s[i][v] = v_set1(0.0f);
    for (int64_t k = 0; k < kc; k++) {
        VEC b[NP * NV];
        UNROLL for (int v = 0; v < NV; v++) b[v] = v_load(b0 + k * bs + v * W);
        if (np > 1) UNROLL for (int v = 0; v < NV; v++) b[NV + v] = v_load(b1 + k * bs + v * W);
        UNROLL for (int i = 0; i < mr; i++) {
            VEC av = v_set1(a[k * MR + i]);
            UNROLL for (int v = 0; v < np * NV; v++) s[i][v] = v_fma(av, b[v], s[i][v]);
        }
    }
    if (nc == np * 16) {
        UNROLL for (int i = 0; i < mr; i++) UNROLL for (int v = 0; v < np * NV; v++) {
            float *p = c + i * ldc + v * W;
            v_store(p, acc ? v_add(v_load(p), s[i][v]) : s[i][v]);
        }
    } else { /* a partial last panel: through a buffer */
        float t[NR];
        for (int i = 0; i < mr; i++) {
            UNROLL for (int v = 0; v < np * NV; v++) v_store(t + v * W, s[i][v]);
            float *p = c + i * ldc;
            if (acc)
                for (int j = 0; j < nc; j++) p[j] += t[j];
            else
                memcpy(p, t, (size_t)nc * sizeof(float));
        }
    }
}

typedef void (*ukr_fn)(int64_t kc, const float *a, const float *b0, const float *b1, int64_t bs, float *c,
                       int64_t ldc, int nc, bool acc);
#define UKR(m, p)                                                                                           \
    static void KNAME(ukr_##m##_##p)(int64_t kc, const float *a, const float *b0, const float *b1, int64_t bs, \
                                     float *c, int64_t ldc, int nc, bool acc) {                             \
        ukr_body(m, p, kc, a, b0, b1, bs, c, ldc, nc, acc);                                                 \
    }
#if NP == 1
#define UKR_ROW(m) UKR(m, 1)
#define UKR_ENT(m) {KNAME(ukr_##m##_1)}
#else
#define UKR_ROW(m) UKR(m, 1) UKR(m, 2)
#define UKR_ENT(m) {KNAME(ukr_##m##_1), KNAME(ukr_##m##_2)}
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

/* ---- the blocked driver ------------------------------------------------------------------------
 * for each K block (KC) and M block (MC): pack A's block into MR-row panels (stack), then for each
 * NR-column tile get B's panels (packed: in place; strided row-major: in place; otherwise packed
 * into a stack buffer) and run the micro-kernel down the M block. */
static void KNAME(gemm)(const rr_gemm_job *j) {
    const int64_t M = j->M, N = j->N, K = j->K;
    if (M <= 0 || N <= 0) return;
    if (K <= 0) {
        if (!j->acc)
            for (int64_t i = 0; i < M; i++) memset(j->c + i * j->ldc, 0, (size_t)N * sizeof(float));
        return;
    }
    _Alignas(64) float abuf[MC * KC];  /* A block: panel r at abuf + r*MR*kc, element (i,k) at [k*MR + i] */
    _Alignas(64) float bbuf[KC * NR];  /* B tile packed here when not readable in place */
    const float *A = j->a;
    for (int64_t pc = 0; pc < K; pc += KC) {
        const int64_t kc = K - pc < KC ? K - pc : KC;
        const bool acc = j->acc || pc > 0;
        for (int64_t ic = 0; ic < M; ic += MC) {
            const int64_t mcur = M - ic < MC ? M - ic : MC;
            for (int64_t ir = 0; ir < mcur; ir += MR) {
                const int mr = (int)(mcur - ir < MR ? mcur - ir : MR);
                float *ap = abuf + ir * kc;
                const float *src = A + (ic + ir) * j->rsa + pc * j->csa;
                if (j->csa == 1) {
                    for (int i = 0; i < mr; i++)
                        for (int64_t k = 0; k < kc; k++) ap[k * MR + i] = src[i * j->rsa + k];
                } else {
                    for (int64_t k = 0; k < kc; k++)
                        for (int i = 0; i < mr; i++) ap[k * MR + i] = src[i * j->rsa + k * j->csa];
                }
            }
            for (int64_t jr = 0; jr < N; jr += NR) {
                const int nc = (int)(N - jr < NR ? N - jr : NR);
                const int np = (nc + 15) / 16;
                const float *b0, *b1;
                int64_t bs;
                if (j->bp) {
                    b0 = j->bp + (jr / 16) * 16 * K + pc * 16;
                    b1 = b0 + 16 * K;
                    bs = 16;
                } else if (j->csb == 1 && nc == np * 16) {
                    b0 = j->b + pc * j->rsb + jr;
                    b1 = b0 + 16;
                    bs = j->rsb;
                } else {
                    for (int p = 0; p < np; p++) {
                        float *dst = bbuf + p * 16 * kc;
                        const int w = nc - 16 * p < 16 ? nc - 16 * p : 16;
                        const float *s = j->b + pc * j->rsb + (jr + 16 * p) * j->csb;
                        for (int64_t k = 0; k < kc; k++) {
                            for (int c = 0; c < w; c++) dst[k * 16 + c] = s[k * j->rsb + c * j->csb];
                            for (int c = w; c < 16; c++) dst[k * 16 + c] = 0.0f;
                        }
                    }
                    b0 = bbuf;
                    b1 = bbuf + 16 * kc;
                    bs = 16;
                }
                float *ct = j->c + ic * j->ldc + jr;
                for (int64_t ir = 0; ir < mcur; ir += MR) {
                    const int mr = (int)(mcur - ir < MR ? mcur - ir : MR);
                    KNAME(ukr_tab)[mr - 1][np - 1](kc, abuf + ir * kc, b0, b1, bs, ct + ir * j->ldc, j->ldc, nc, acc);
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
    VEC p = v_set1(1.0f / 5040);
    p = v_fma(p, r, v_set1(1.0f / 720));
    p = v_fma(p, r, v_set1(1.0f / 120));
    p = v_fma(p, r, v_set1(1.0f / 24));
    p = v_fma(p, r, v_set1(1.0f / 6));
    p = v_fma(p, r, v_set1(0.5f));
    p = v_fma(p, r, v_set1(1.0f));
    p = v_fma(p, r, v_set1(1.0f));
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
    .gemm = KNAME(gemm),
    .vtanh = KNAME(vtanh),
    .vsigmoid = KNAME(vsigmoid),
};
