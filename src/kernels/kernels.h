/* Numeric kernels: plain functions over raw arrays, no tensors, no allocation. */
#ifndef RNNRUN_KERNELS_H
#define RNNRUN_KERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* C (M,N) = A (M,K) @ B (K,N), or C += A @ B when acc. A's element (i,k) is at A[i*rsa + k*csa],
 * B's element (k,n) at B[k*rsb + n*csb]; C is row-major with leading dimension ldc. */
void rr_sgemm(int64_t M, int64_t N, int64_t K, const float *A, int64_t rsa, int64_t csa, const float *B,
              int64_t rsb, int64_t csb, float *C, int64_t ldc, bool acc);

/* The same in double precision (plain loops). */
void rr_dgemm(int64_t M, int64_t N, int64_t K, const double *A, int64_t rsa, int64_t csa, const double *B,
              int64_t rsb, int64_t csb, double *C, int64_t ldc, bool acc);

/* A strided N-d copy: the output is dense row-major over dims; output element (i0..ir-1) comes
 * from input element base + sum(i_d * st[d]). Init drops size-1 dims and merges contiguous ones,
 * so the innermost contiguous run is one memcpy. */
#define RR_STRIDED_MAX_RANK 8
typedef struct rr_strided {
    int rank;                                /* >= 1 after init */
    int64_t dims[RR_STRIDED_MAX_RANK];
    int64_t st[RR_STRIDED_MAX_RANK];         /* input element strides */
    int64_t base;                            /* input element offset of the first output element */
} rr_strided;
void rr_strided_init(rr_strided *s, int rank, const int64_t *dims, const int64_t *st, int64_t base);
/* Copies prod(dims) elements of es bytes from src (strided) to dst (dense). */
void rr_strided_copy(const rr_strided *s, const void *src, void *dst, size_t es);

#endif
