/* Numeric kernels: plain functions over raw arrays, no tensors, no allocation. */
#ifndef RNNRUN_KERNELS_H
#define RNNRUN_KERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* C (M,N) = A (M,K) @ B (K,N), or C += A @ B when acc. A's element (i,k) is at A[i*rsa + k*csa],
 * B's element (k,n) at B[k*rsb + n*csb]; C is row-major with leading dimension ldc. Runs the
 * selected kernels on the calling thread; B row-major (csb == 1) is read in place, other layouts
 * are packed block by block on the stack. Allocates nothing. */
void rr_sgemm(int64_t M, int64_t N, int64_t K, const float *A, int64_t rsa, int64_t csa, const float *B,
              int64_t rsb, int64_t csb, float *C, int64_t ldc, bool acc);

/* ---- fast float kernels: a table per instruction set, chosen at run time --------------------
 *
 * Every variant computes the same products with its own SIMD width (results may differ in the
 * last bits: the order of the sums differs). A plan stores the table rr_kernels_select() returns;
 * tests and benchmarks force a variant with rr_kernels_get(). The tables are const: no state. */

typedef enum rr_kernel_variant {
    RR_KERN_GENERIC = 0,  /* portable C (GCC/clang vector extensions, 4 lanes): any compiler target */
    RR_KERN_AVX2 = 1,     /* x86-64 AVX2 + FMA, 6x16 tiles */
    RR_KERN_AVX512 = 2,   /* x86-64 AVX-512F, 12x32 tiles */
    RR_KERN_COUNT = 3
} rr_kernel_variant;

/* One matrix product over plain pointers, the unit the drivers and threads work on:
 * C (M,N) (+)= A (M,K) @ B (K,N), A's element (i,k) at A[i*rsa + k*csa]; B either packed (bp,
 * from rr_sgemm_pack_b for K rows) or strided (b, rsb, csb); C row-major, leading dim ldc. */
typedef struct rr_gemm_job {
    int64_t M, N, K;
    const float *a;
    int64_t rsa, csa;
    const float *b;        /* strided B, used when bp is NULL */
    int64_t rsb, csb;
    const float *bp;       /* packed B: panels of RR_PANEL columns, each (K,RR_PANEL) row-major */
    float *c;
    int64_t ldc;
    bool acc;              /* C += A @ B instead of C = A @ B */
    const float *bias;     /* (N,) or NULL: C (+)= A @ B + bias, the bias added to the finished sum */
    /* or NULL: called with the rows [r0, r1) and columns [c0, c1) of C once they are final, by
     * the thread that computed them (rr_gemm_run; a split calls it once per part): elementwise
     * work on C (a recurrent step's gates) then runs in parallel too */
    void (*post)(void *ctx, int64_t r0, int64_t r1, int64_t c0, int64_t c1);
    void *post_ctx;
    float *ws;             /* NULL, or ws_floats floats of scratch: RR_GEMM_WS_FLOATS for each
                            * part of a split (rr_gemm_ws_floats). Where B is packed and A has
                            * more rows than an M block, A is then packed once per block instead
                            * of read in place for every column tile (2048x4096x1024: 1.1x);
                            * a part without room reads A in place (the same sums) */
    size_t ws_floats;
    bool rev;              /* visit column tiles last to first (same sums, same results): a
                            * recurrent step alternates it, so the B panels read last by one step
                            * are read first by the next while still in L2 (B about L2's size
                            * thrashes an LRU cache when always read in one order) */
} rr_gemm_job;

typedef struct rr_kernels {
    const char *name;            /* "generic", "avx2", "avx512" */
    rr_kernel_variant variant;
    int mr, nr;                  /* register tile: mr rows x nr columns of C */
    int mc;                      /* rows of an M block (a multiple of mr) */
    /* the product of a job, single-threaded; uses about 80 KiB of stack, allocates nothing */
    void (*gemm)(const rr_gemm_job *j);
    /* y (n,) = tanh(x) and y = 1 / (1 + exp(-x)); y may equal x (in place). Error bounds: see
     * activation tests (tests/test_kernels.c) and the README. */
    void (*vtanh)(float *y, const float *x, int64_t n);
    void (*vsigmoid)(float *y, const float *x, int64_t n);
} rr_kernels;

/* The fastest variant this CPU runs (checked with __builtin_cpu_supports on x86-64). */
const rr_kernels *rr_kernels_select(void);
/* A given variant, or NULL when it is not built for this target or the CPU lacks it. */
const rr_kernels *rr_kernels_get(rr_kernel_variant v);

/* ---- thread pool ------------------------------------------------------------------------------ */

/* A pool of n-1 worker threads plus the calling thread, owned by whoever creates it (a session):
 * there is no global pool. n = 1 creates no thread and runs every task inline. */
typedef struct rr_threads rr_threads;
struct rnnrun_allocator;
/* Returns 0, or an RNNRUN_ERR_* status (NOMEM when an allocation or a thread start fails;
 * RNNRUN_ERR_ARG for n < 1 or n > 256, or a NULL out). a NULL: malloc and free. */
int rr_threads_new(int n, const struct rnnrun_allocator *a, rr_threads **out);
void rr_threads_free(rr_threads *pool);     /* NULL-safe; joins the workers */
int rr_threads_count(const rr_threads *pool); /* 1 for NULL */
/* CPUs this process may run on (its affinity mask on Linux, else the online CPUs); at least 1 */
int rr_cpus_usable(void);
/* Blocking parallel for: fn(ctx, i) for every i in [0, n_tasks), spread over the threads; returns
 * when all are done. One run at a time per pool (a session is used by one thread at a time). */
typedef void (*rr_task_fn)(void *ctx, int64_t i);
void rr_threads_run(rr_threads *pool, int64_t n_tasks, rr_task_fn fn, void *ctx);

/* A barrier for tasks of one rr_threads_run that wait for each other: n tasks, n at most
 * rr_threads_count(pool), so each task is claimed by a thread of its own (a thread stays in its
 * task until all have arrived). Waiting spins (a round costs 0.2-0.6 us here, a sleep and a
 * wake tens of us), then yields the CPU after about 20 us (where threads outnumber the CPUs, a
 * spinning waiter would keep the task it waits for off its CPU). */
typedef struct rr_barrier {
    _Atomic int count;   /* tasks arrived in this round */
    _Atomic unsigned gen; /* bumped by the last to arrive */
    int n;
} rr_barrier;
void rr_barrier_init(rr_barrier *b, int n);
void rr_barrier_wait(rr_barrier *b);

/* ---- matrix products with a kernel table and an optional pool --------------------------------- */

/* Packed B: panels of RR_PANEL columns; panel q holds B[k][32q .. 32q+31] at bp[q*32*K + 32k ..],
 * zero past column N. 32 columns (two 64-byte lines per row of K) make the widest register tile
 * read one contiguous stream: a product of one row, bound by how fast B streams in from L2,
 * runs about 1.2x faster than from two 16-column panels. Every variant reads this layout (the
 * 16-column tiles of the narrower ones read half a row). */
#define RR_PANEL 32
/* Floats of scratch (rr_gemm_job.ws) for one part of a product: an M block of A packed 1024 deep. */
#define RR_GEMM_WS_FLOATS ((size_t)48 * 1024)
/* Floats of scratch worth giving a product of M rows against packed B run by rr_gemm_run on
 * n_threads: 0 where A is read in place anyway (M <= 48). */
size_t rr_gemm_ws_floats(int64_t M, int n_threads);
/* Bytes of B (K,N) packed for rr_sgemm_packed: ceil(N/RR_PANEL) panels of (K,RR_PANEL) floats,
 * the last one zero-padded. Pack constant weights once at plan time (64-byte aligned memory
 * reads best). */
size_t rr_sgemm_pack_size(int64_t K, int64_t N);
/* Pack B (K,N), element (k,n) at B[k*rsb + n*csb] (any strides: row-major, transposed, ...). */
void rr_sgemm_pack_b(int64_t K, int64_t N, const float *B, int64_t rsb, int64_t csb, float *packed);
/* C (M,N) = A (M,K) @ B, or += when acc; A row-major with leading dimension lda, B packed by
 * rr_sgemm_pack_b(K, N, ...). k: kernel table (NULL: rr_kernels_select()); pool: threads that
 * share the columns (or the rows when N is narrow), NULL or 1 thread: the calling thread. */
void rr_sgemm_packed(int64_t M, int64_t N, int64_t K, const float *A, int64_t lda, const float *packed, float *C,
                     int64_t ldc, bool acc, const rr_kernels *k, rr_threads *pool);
/* rr_sgemm with a kernel table and threads. */
void rr_sgemm_ex(int64_t M, int64_t N, int64_t K, const float *A, int64_t rsa, int64_t csa, const float *B,
                 int64_t rsb, int64_t csb, float *C, int64_t ldc, bool acc, const rr_kernels *k, rr_threads *pool);
/* Run a job on k (NULL: selected) with pool (NULL: inline). */
void rr_gemm_run(const rr_kernels *k, rr_threads *pool, const rr_gemm_job *j);

/* C (M,N) (=) A (M,K; rows contiguous) @ B (K,N; plain row-major) (+ bias, or NULL: row i of it
 * at bias + i*brs, so brs = 0 adds one row to all) in plain loops, for B of at most RR_SGEMM_SMALL
 * floats, where a kernel call costs more than the sums (N a compile-time constant for the usual
 * widths). Summed in K order from zero, then + bias. */
#define RR_SGEMM_SMALL 256
void rr_sgemm_small(int64_t M, int64_t N, int64_t K, const float *A, const float *B, float *C, int64_t ldc,
                    const float *bias, int64_t brs);

/* y (n,) = tanh(x) / sigmoid(x) with the selected kernels; y may equal x. */
void rr_vtanh(float *y, const float *x, int64_t n);
void rr_vsigmoid(float *y, const float *x, int64_t n);

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
