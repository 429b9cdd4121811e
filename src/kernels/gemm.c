/* Portable matrix products. The float path picks the loop order that reads B contiguously:
 * rows of B (axpy form, four rows of C at a time so each row of B is read once per four) or,
 * for a transposed B, dot products with eight partial sums. */
#include <string.h>

#include "kernels.h"

/* c (n,) += a * b (n,) */
static inline void axpy(float *restrict c, float a, const float *restrict b, int64_t n) {
    for (int64_t j = 0; j < n; j++) c[j] += a * b[j];
}

/* C rows i..i+3 (4,N) += A rows (4,K) @ B (K,N), B row-major (csb == 1) */
static void rows4_axpy(int64_t N, int64_t K, const float *A, int64_t rsa, int64_t csa, const float *B,
                       int64_t rsb, float *C, int64_t ldc) {
    float *restrict c0 = C, *restrict c1 = C + ldc, *restrict c2 = C + 2 * ldc, *restrict c3 = C + 3 * ldc;
    for (int64_t k = 0; k < K; k++) {
        const float *restrict b = B + k * rsb;
        float a0 = A[k * csa], a1 = A[rsa + k * csa], a2 = A[2 * rsa + k * csa], a3 = A[3 * rsa + k * csa];
        for (int64_t j = 0; j < N; j++) {
            float bj = b[j];
            c0[j] += a0 * bj;
            c1[j] += a1 * bj;
            c2[j] += a2 * bj;
            c3[j] += a3 * bj;
        }
    }
}

/* sum_k a[k] * b[k] with eight partial sums: a (K,), b (K,) */
static inline float dot(const float *restrict a, const float *restrict b, int64_t K) {
    float s[8] = {0};
    int64_t k = 0;
    for (; k + 8 <= K; k += 8)
        for (int u = 0; u < 8; u++) s[u] += a[k + u] * b[k + u];
    float t = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
    for (; k < K; k++) t += a[k] * b[k];
    return t;
}

void rr_sgemm(int64_t M, int64_t N, int64_t K, const float *A, int64_t rsa, int64_t csa, const float *B,
              int64_t rsb, int64_t csb, float *C, int64_t ldc, bool acc) {
    if (M <= 0 || N <= 0) return;
    if (!acc)
        for (int64_t i = 0; i < M; i++) memset(C + i * ldc, 0, (size_t)N * sizeof(float));
    if (K <= 0) return;
    if (csb == 1) {
        int64_t i = 0;
        for (; i + 4 <= M; i += 4) rows4_axpy(N, K, A + i * rsa, rsa, csa, B, rsb, C + i * ldc, ldc);
        for (; i < M; i++)
            for (int64_t k = 0; k < K; k++) axpy(C + i * ldc, A[i * rsa + k * csa], B + k * rsb, N);
    } else if (rsb == 1 && csa == 1) {
        for (int64_t i = 0; i < M; i++)
            for (int64_t j = 0; j < N; j++) C[i * ldc + j] += dot(A + i * rsa, B + j * csb, K);
    } else {
        for (int64_t i = 0; i < M; i++)
            for (int64_t j = 0; j < N; j++) {
                float s = 0;
                for (int64_t k = 0; k < K; k++) s += A[i * rsa + k * csa] * B[k * rsb + j * csb];
                C[i * ldc + j] += s;
            }
    }
}

void rr_dgemm(int64_t M, int64_t N, int64_t K, const double *A, int64_t rsa, int64_t csa, const double *B,
              int64_t rsb, int64_t csb, double *C, int64_t ldc, bool acc) {
    for (int64_t i = 0; i < M; i++)
        for (int64_t j = 0; j < N; j++) {
            double s = acc ? C[i * ldc + j] : 0.0;
            for (int64_t k = 0; k < K; k++) s += A[i * rsa + k * csa] * B[k * rsb + j * csb];
            C[i * ldc + j] = s;
        }
}
