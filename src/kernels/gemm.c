/* Matrix products: kernel selection, packing of B, the split of a product over threads, and the
 * double-precision loops. The float kernels themselves are in kern_tmpl.h (one copy per
 * instruction set). */
#include <string.h>

#include "kernels.h"

extern const rr_kernels rr_kernels_generic;
#if defined(RR_HAVE_X86_KERNELS)
extern const rr_kernels rr_kernels_avx2, rr_kernels_avx512;
#endif

const rr_kernels *rr_kernels_get(rr_kernel_variant v) {
    switch (v) {
    case RR_KERN_GENERIC: return &rr_kernels_generic;
#if defined(RR_HAVE_X86_KERNELS)
    case RR_KERN_AVX2:
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? &rr_kernels_avx2 : NULL;
    case RR_KERN_AVX512:
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma") ? &rr_kernels_avx512 : NULL;
#endif
    default: return NULL;
    }
}

const rr_kernels *rr_kernels_select(void) {
    for (int v = RR_KERN_COUNT - 1; v > 0; v--) {
        const rr_kernels *k = rr_kernels_get((rr_kernel_variant)v);
        if (k) return k;
    }
    return &rr_kernels_generic;
}

size_t rr_gemm_ws_floats(int64_t M, int n_threads) {
    return M > 48 ? (size_t)(n_threads > 1 ? n_threads : 1) * RR_GEMM_WS_FLOATS : 0;
}

size_t rr_sgemm_pack_size(int64_t K, int64_t N) {
    if (K <= 0 || N <= 0) return 0;
    return (size_t)((N + RR_PANEL - 1) / RR_PANEL) * RR_PANEL * (size_t)K * sizeof(float);
}

void rr_sgemm_pack_b(int64_t K, int64_t N, const float *B, int64_t rsb, int64_t csb, float *packed) {
    enum { P = RR_PANEL };
    for (int64_t p = 0; p * P < N; p++) {
        float *dst = packed + p * P * K;
        int64_t w = N - p * P < P ? N - p * P : P;
        const float *src = B + p * P * csb;
        for (int64_t k = 0; k < K; k++) {
            if (csb == 1) memcpy(dst + k * P, src + k * rsb, (size_t)w * sizeof(float));
            else
                for (int64_t c = 0; c < w; c++) dst[k * P + c] = src[k * rsb + c * csb];
            for (int64_t c = w; c < P; c++) dst[k * P + c] = 0.0f;
        }
    }
}

/* ---- splitting a product over threads ----------------------------------------------------------
 * Columns in whole RR_PANEL-column panels when there are at least two panels per thread, else rows. */
typedef struct split {
    const rr_kernels *k;
    const rr_gemm_job *j;
    int64_t parts;
    bool by_rows;
} split;

static void split_task(void *ctx, int64_t t) {
    const split *s = ctx;
    rr_gemm_job j = *s->j;
    if (s->by_rows) {
        /* boundaries on whole M blocks, so every row is computed by the same tiles as without threads */
        int64_t mc = s->k->mc, blocks = (j.M + mc - 1) / mc;
        int64_t r0 = blocks * t / s->parts * mc, r1 = blocks * (t + 1) / s->parts * mc;
        if (r1 > j.M) r1 = j.M;
        j.M = r1 - r0;
        j.a += r0 * j.rsa;
        j.c += r0 * j.ldc;
    } else {
        int64_t panels = (j.N + RR_PANEL - 1) / RR_PANEL;
        int64_t p0 = panels * t / s->parts, p1 = panels * (t + 1) / s->parts;
        int64_t c0 = p0 * RR_PANEL, c1 = p1 * RR_PANEL < j.N ? p1 * RR_PANEL : j.N;
        j.N = c1 - c0;
        j.c += c0;
        if (j.bias) j.bias += c0;
        if (j.bp) j.bp += p0 * RR_PANEL * j.K;
        else j.b += c0 * j.csb;
    }
    const size_t ws0 = (size_t)t * RR_GEMM_WS_FLOATS;
    j.ws = j.ws && j.ws_floats >= ws0 + RR_GEMM_WS_FLOATS ? j.ws + ws0 : NULL;
    j.ws_floats = j.ws ? RR_GEMM_WS_FLOATS : 0;
    if (j.M > 0 && j.N > 0) {
        s->k->gemm(&j);
        if (j.post) {
            const int64_t r0 = (j.c - s->j->c) / j.ldc, c0 = (j.c - s->j->c) % j.ldc;
            j.post(j.post_ctx, r0, r0 + j.M, c0, c0 + j.N);
        }
    }
}

void rr_gemm_run(const rr_kernels *k, rr_threads *pool, const rr_gemm_job *j) {
    if (!k) k = rr_kernels_select();
    int64_t T = rr_threads_count(pool);
    /* below about 2^20 multiply-adds a thread hand-off costs more than it saves (a per-step
     * product of a small recurrent model: 1x1024x256 ran 3x slower on two threads) */
    if (T <= 1 || j->M * j->N * j->K < ((int64_t)1 << 20)) {
        k->gemm(j);
        if (j->post) j->post(j->post_ctx, 0, j->M, 0, j->N);
        return;
    }
    int64_t panels = (j->N + RR_PANEL - 1) / RR_PANEL;
    split s = {.k = k, .j = j, .parts = T, .by_rows = false};
    if (panels < 2 * T) {
        if (j->M >= 2 * T * k->mc) s.by_rows = true;
        else if (panels < T) s.parts = panels;
    }
    if (s.parts <= 1) {
        k->gemm(j);
        if (j->post) j->post(j->post_ctx, 0, j->M, 0, j->N);
    } else {
        rr_threads_run(pool, s.parts, split_task, &s);
    }
}

void rr_sgemm_ex(int64_t M, int64_t N, int64_t K, const float *A, int64_t rsa, int64_t csa, const float *B,
                 int64_t rsb, int64_t csb, float *C, int64_t ldc, bool acc, const rr_kernels *k, rr_threads *pool) {
    rr_gemm_job j = {.M = M, .N = N, .K = K, .a = A, .rsa = rsa, .csa = csa, .b = B, .rsb = rsb, .csb = csb,
                     .c = C, .ldc = ldc, .acc = acc};
    rr_gemm_run(k, pool, &j);
}

void rr_sgemm(int64_t M, int64_t N, int64_t K, const float *A, int64_t rsa, int64_t csa, const float *B,
              int64_t rsb, int64_t csb, float *C, int64_t ldc, bool acc) {
    rr_sgemm_ex(M, N, K, A, rsa, csa, B, rsb, csb, C, ldc, acc, NULL, NULL);
}

void rr_sgemm_packed(int64_t M, int64_t N, int64_t K, const float *A, int64_t lda, const float *packed, float *C,
                     int64_t ldc, bool acc, const rr_kernels *k, rr_threads *pool) {
    rr_gemm_job j = {.M = M, .N = N, .K = K, .a = A, .rsa = lda, .csa = 1, .bp = packed, .c = C, .ldc = ldc,
                     .acc = acc};
    rr_gemm_run(k, pool, &j);
}

/* C (M,N) = A (M,K) @ B (K,N), B row-major and small (N*K <= RR_SGEMM_SMALL): rows of B streamed
 * into a local row of sums (contiguous, C written once); N is a constant where inlined below */
static inline __attribute__((always_inline)) void tiny_gemm(int64_t M, const int64_t N, int64_t K,
                                                            const float *restrict A, const float *restrict Bm,
                                                            float *restrict C, int64_t ldc,
                                                            const float *restrict bias, int64_t brs) {
    for (int64_t i = 0; i < M; i++) {
        const float *restrict a = A + i * K;
        float acc[RR_SGEMM_SMALL];
        for (int64_t n = 0; n < N; n++) acc[n] = 0.0f;
        for (int64_t k = 0; k < K; k++) {
            const float ak = a[k], *restrict b = Bm + k * N;
            for (int64_t n = 0; n < N; n++) acc[n] += ak * b[n];
        }
        if (bias)
            for (int64_t n = 0; n < N; n++) C[i * ldc + n] = acc[n] + bias[i * brs + n];
        else
            for (int64_t n = 0; n < N; n++) C[i * ldc + n] = acc[n];
    }
}

void rr_sgemm_small(int64_t M, int64_t N, int64_t K, const float *A, const float *Bm, float *C, int64_t ldc,
                       const float *bias, int64_t brs) {
    switch (N) {
#define TINY_N(n) \
    case n: tiny_gemm(M, n, K, A, Bm, C, ldc, bias, brs); break;
    TINY_N(1) TINY_N(2) TINY_N(3) TINY_N(4) TINY_N(6) TINY_N(8) TINY_N(12) TINY_N(16) TINY_N(24) TINY_N(32)
#undef TINY_N
    default: tiny_gemm(M, N, K, A, Bm, C, ldc, bias, brs); break;
    }
}

void rr_vtanh(float *y, const float *x, int64_t n) { rr_kernels_select()->vtanh(y, x, n); }
void rr_vsigmoid(float *y, const float *x, int64_t n) { rr_kernels_select()->vsigmoid(y, x, n); }

void rr_dgemm(int64_t M, int64_t N, int64_t K, const double *A, int64_t rsa, int64_t csa, const double *B,
              int64_t rsb, int64_t csb, double *C, int64_t ldc, bool acc) {
    for (int64_t i = 0; i < M; i++)
        for (int64_t j = 0; j < N; j++) {
            double s = acc ? C[i * ldc + j] : 0.0;
            for (int64_t k = 0; k < K; k++) s += A[i * rsa + k * csa] * B[k * rsb + j * csb];
            C[i * ldc + j] = s;
        }
}
