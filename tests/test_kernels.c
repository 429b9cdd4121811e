/* The float kernels: every variant this CPU runs against plain double-precision references, on
 * odd sizes (1, 3, 17, 63, 65, 257 and the block edges), every stride layout, acc on and off, the
 * packed and the threaded paths; the activations against double tanh/sigmoid over [-20, 20] in
 * steps of 1e-4, large |x|, infinities and NaN; the thread pool. */
#include <float.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/kernels.h"
#include "testutil.h"

static const int64_t SIZES[] = {1, 3, 17, 63, 65, 257, 12, 16, 32, 48, 49, 255, 256};
#define N_SIZES ((int)(sizeof SIZES / sizeof SIZES[0]))

/* deterministic pseudo-random numbers (xorshift) */
static uint64_t rng_next(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}
static int64_t pick(uint64_t *s) { return SIZES[rng_next(s) % N_SIZES]; }
/* small integers in [-4, 4]: every product and sum of up to 2^19 of them is exact in float, so
 * any variant, blocking and summation order must give the reference exactly */
static float small_int(uint64_t *s) { return (float)((int)(rng_next(s) % 9) - 4); }
static float real(uint64_t *s) { return (float)((double)(rng_next(s) % 2000001) / 1e6 - 1.0); }

static int n_variants(const rr_kernels **out) {
    int n = 0;
    for (int v = 0; v < RR_KERN_COUNT; v++)
        if (rr_kernels_get((rr_kernel_variant)v)) out[n++] = rr_kernels_get((rr_kernel_variant)v);
    return n;
}

START_TEST(variants_available) {
    const rr_kernels *k = rr_kernels_get(RR_KERN_GENERIC);
    ck_assert_ptr_nonnull(k);
    ck_assert_str_eq(k->name, "generic");
    const rr_kernels *sel = rr_kernels_select();
    ck_assert_ptr_nonnull(sel);
    /* the selected variant is the best one available */
    for (int v = sel->variant + 1; v < RR_KERN_COUNT; v++) ck_assert_ptr_null(rr_kernels_get((rr_kernel_variant)v));
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        ck_assert_str_eq(rr_kernels_get(RR_KERN_AVX2)->name, "avx2");
    if (__builtin_cpu_supports("avx512f")) ck_assert_str_eq(sel->name, "avx512");
#endif
    ck_assert_ptr_null(rr_kernels_get(RR_KERN_COUNT));
}
END_TEST

/* One product checked: C (M,N) with leading dimension ldc = N + 3 (the gap must stay untouched),
 * A and B in the given layouts, through rr_sgemm_ex (strided) and rr_sgemm_packed (A row-major). */
typedef struct gcase {
    int64_t M, N, K;
    bool a_t, b_t, acc, ints;
} gcase;

static void check_gemm(const rr_kernels *k, rr_threads *pool, gcase g, uint64_t *rs) {
    const int64_t M = g.M, N = g.N, K = g.K, ldc = N + 3;
    float *A = malloc(sizeof(float) * (size_t)(M * K)), *B = malloc(sizeof(float) * (size_t)(K * N));
    float *C = malloc(sizeof(float) * (size_t)(M * ldc)), *C0 = malloc(sizeof(float) * (size_t)(M * ldc));
    float *P = malloc(rr_sgemm_pack_size(K, N));
    double *R = malloc(sizeof(double) * (size_t)(M * N)), *S = malloc(sizeof(double) * (size_t)(M * N));
    ck_assert(A && B && C && C0 && P && R && S);
    for (int64_t i = 0; i < M * K; i++) A[i] = g.ints ? small_int(rs) : real(rs);
    for (int64_t i = 0; i < K * N; i++) B[i] = g.ints ? small_int(rs) : real(rs);
    for (int64_t i = 0; i < M * ldc; i++) C0[i] = g.acc ? small_int(rs) : NAN;
    /* A (M,K): row-major, or stored transposed (K,M); B (K,N): row-major or stored (N,K) */
    int64_t rsa = g.a_t ? 1 : K, csa = g.a_t ? M : 1, rsb = g.b_t ? 1 : N, csb = g.b_t ? K : 1;
    for (int64_t i = 0; i < M; i++)
        for (int64_t j = 0; j < N; j++) {
            double s = g.acc ? C0[i * ldc + j] : 0.0, sa = fabs(s);
            for (int64_t q = 0; q < K; q++) {
                double p = (double)A[i * rsa + q * csa] * (double)B[q * rsb + j * csb];
                s += p;
                sa += fabs(p);
            }
            R[i * N + j] = s;
            S[i * N + j] = sa;
        }
    float *Cp = malloc(sizeof(float) * (size_t)(M * ldc));
    ck_assert(Cp);
    for (int path = 0; path < 5; path++) {
        memcpy(C, C0, sizeof(float) * (size_t)(M * ldc));
        if (path == 0) {
            rr_sgemm_ex(M, N, K, A, rsa, csa, B, rsb, csb, C, ldc, g.acc, k, pool);
        } else if (path == 1) {
            if (g.a_t) continue; /* the packed interface takes a row-major A */
            rr_sgemm_pack_b(K, N, B, rsb, csb, P);
            rr_sgemm_packed(M, N, K, A, K, P, C, ldc, g.acc, k, pool);
            memcpy(Cp, C, sizeof(float) * (size_t)(M * ldc));
        } else if (path == 2) {
            /* column tiles visited last to first: the very same sums, bit for bit */
            if (g.a_t) continue;
            rr_gemm_job j = {.M = M, .N = N, .K = K, .a = A, .rsa = K, .csa = 1, .bp = P, .c = C, .ldc = ldc,
                             .acc = g.acc, .rev = true};
            rr_gemm_run(k, pool, &j);
            if (memcmp(C, Cp, sizeof(float) * (size_t)(M * ldc)) != 0)
                ck_abort_msg("%s: %lldx%lldx%lld reversed tile order differs from the forward order", k->name,
                             (long long)M, (long long)N, (long long)K);
        } else if (path == 4) {
            /* A packed into the job's scratch (more rows than an M block): the same blocks and
             * tiles as read in place, so the very same sums, bit for bit */
            if (g.a_t) continue;
            float *ws = malloc(sizeof(float) * RR_GEMM_WS_FLOATS);
            ck_assert(ws);
            rr_gemm_job j = {.M = M, .N = N, .K = K, .a = A, .rsa = K, .csa = 1, .bp = P, .c = C, .ldc = ldc,
                             .acc = g.acc, .ws = ws, .ws_floats = RR_GEMM_WS_FLOATS};
            memcpy(C, C0, sizeof(float) * (size_t)(M * ldc));
            rr_gemm_run(k, NULL, &j);
            free(ws);
            if (memcmp(C, Cp, sizeof(float) * (size_t)(M * ldc)) != 0)
                ck_abort_msg("%s: %lldx%lldx%lld with A packed in the scratch differs from A read in place", k->name,
                             (long long)M, (long long)N, (long long)K);
        } else if (!g.a_t) {
            /* a bias joins the finished sum: exactly the packed result plus the bias */
            float *bias = malloc(sizeof(float) * (size_t)N);
            ck_assert(bias);
            for (int64_t n = 0; n < N; n++) bias[n] = g.ints ? small_int(rs) : real(rs);
            rr_gemm_job j = {.M = M, .N = N, .K = K, .a = A, .rsa = K, .csa = 1, .bp = P, .c = C, .ldc = ldc,
                             .acc = g.acc, .bias = bias};
            rr_gemm_run(k, pool, &j);
            for (int64_t i = 0; i < M; i++)
                for (int64_t n = 0; n < N; n++)
                    if (C[i * ldc + n] != Cp[i * ldc + n] + bias[n])
                        ck_abort_msg("%s: %lldx%lldx%lld with bias: C[%lld,%lld] = %.9g, want %.9g", k->name,
                                     (long long)M, (long long)N, (long long)K, (long long)i, (long long)n,
                                     C[i * ldc + n], Cp[i * ldc + n] + bias[n]);
            memcpy(C, Cp, sizeof(float) * (size_t)(M * ldc)); /* the checks below: the plain product */
            free(bias);
        } else {
            continue;
        }
        for (int64_t i = 0; i < M; i++) {
            for (int64_t j = 0; j < N; j++) {
                double got = C[i * ldc + j], want = R[i * N + j];
                /* exact for integers; else the worst-case bound of K float roundings */
                double tol = g.ints ? 0.0 : 2.0 * (double)(K + 1) * FLT_EPSILON * S[i * N + j];
                if (!(fabs(got - want) <= tol)) /* (each ck_assert is a write: only on failure) */
                    ck_abort_msg(
                              "%s %s: %lldx%lldx%lld a_t %d b_t %d acc %d ints %d: C[%lld,%lld] = %.9g, want %.9g",
                              k->name, path ? "packed" : "strided", (long long)M, (long long)N, (long long)K, g.a_t,
                              g.b_t, g.acc, g.ints, (long long)i, (long long)j, got, want);
            }
            for (int64_t j = N; j < ldc; j++)
                if (memcmp(&C[i * ldc + j], &C0[i * ldc + j], sizeof(float)) != 0)
                    ck_abort_msg("%s: the gap after row %lld was written", k->name, (long long)i);
        }
    }
    free(A);
    free(B);
    free(C);
    free(C0);
    free(P);
    free(Cp);
    free(R);
    free(S);
}

/* every variant, 30 random shapes from SIZES, all four layouts, acc on and off, exact integers */
START_TEST(gemm_exact_all_layouts) {
    const rr_kernels *ks[RR_KERN_COUNT];
    int nk = n_variants(ks);
    uint64_t rs = 0x9E3779B97F4A7C15ull;
    for (int t = 0; t < 30; t++) {
        gcase g = {pick(&rs), pick(&rs), pick(&rs), false, false, false, true};
        while (g.M * g.N * g.K > 1500000) g.K = pick(&rs); /* the double reference is slow */
        for (int lay = 0; lay < 8; lay++) {
            g.a_t = lay & 1;
            g.b_t = (lay >> 1) & 1;
            g.acc = (lay >> 2) & 1;
            for (int v = 0; v < nk; v++) check_gemm(ks[v], NULL, g, &rs);
        }
    }
}
END_TEST

/* every M from 1 to 30 (each micro-kernel height and the small-M path), N across panel edges */
START_TEST(gemm_every_small_m) {
    const rr_kernels *ks[RR_KERN_COUNT];
    int nk = n_variants(ks);
    uint64_t rs = 12345;
    static const int64_t Ns[] = {1, 15, 16, 17, 31, 32, 33, 48, 100};
    for (int64_t M = 1; M <= 30; M++)
        for (int n = 0; n < (int)(sizeof Ns / sizeof Ns[0]); n++)
            for (int v = 0; v < nk; v++)
                check_gemm(ks[v], NULL, (gcase){M, Ns[n], 1 + (M * 7 + n) % 40, false, (M + n) % 2, M % 3 == 0, true},
                           &rs);
}
END_TEST

/* real-valued data within the rounding bound; K across the 256-deep blocks */
START_TEST(gemm_real_values) {
    const rr_kernels *ks[RR_KERN_COUNT];
    int nk = n_variants(ks);
    uint64_t rs = 777;
    static const gcase cs[] = {{1, 257, 513, 0, 0, 0, 0}, {65, 63, 257, 0, 1, 1, 0}, {17, 1, 1000, 1, 0, 0, 0},
                               {100, 200, 300, 0, 0, 1, 0}, {3, 1024, 64, 0, 1, 0, 0},
                               /* one row: the axpy and dot-product paths */
                               {1, 257, 513, 0, 1, 0, 0}, {1, 5, 3, 0, 1, 1, 0}, {1, 100, 1, 1, 1, 1, 0},
                               {1, 1000, 37, 0, 0, 1, 0},
                               /* more rows than an M block (48), more than one column tile, K
                               * across the 1024-deep blocks against packed B: A packed in the
                               * scratch (path 4) */
                               {49, 33, 1025, 0, 0, 0, 0}, {97, 65, 2100, 0, 1, 1, 0}, {130, 100, 17, 0, 0, 1, 0}};
    for (int c = 0; c < (int)(sizeof cs / sizeof cs[0]); c++)
        for (int v = 0; v < nk; v++) check_gemm(ks[v], NULL, cs[c], &rs);
}
END_TEST

/* K = 0 and empty products: C = 0 without acc, unchanged with it; M or N = 0 touch nothing */
START_TEST(gemm_degenerate) {
    const rr_kernels *ks[RR_KERN_COUNT];
    int nk = n_variants(ks);
    for (int v = 0; v < nk; v++) {
        float C[6] = {1, 2, 3, 4, 5, 6}, A[1] = {0}, B[1] = {0};
        rr_sgemm_ex(2, 3, 0, A, 0, 1, B, 3, 1, C, 3, true, ks[v], NULL);
        for (int i = 0; i < 6; i++) ck_assert_float_eq(C[i], (float)(i + 1));
        rr_sgemm_ex(0, 3, 5, A, 5, 1, B, 3, 1, C, 3, false, ks[v], NULL);
        rr_sgemm_ex(2, 0, 5, A, 5, 1, B, 0, 1, C, 3, false, ks[v], NULL);
        for (int i = 0; i < 6; i++) ck_assert_float_eq(C[i], (float)(i + 1));
        rr_sgemm_ex(2, 3, 0, A, 0, 1, B, 3, 1, C, 3, false, ks[v], NULL);
        for (int i = 0; i < 6; i++) ck_assert_float_eq(C[i], 0.0f);
    }
    ck_assert_uint_eq(rr_sgemm_pack_size(0, 5), 0);
    ck_assert_uint_eq(rr_sgemm_pack_size(3, 17), 3 * 32 * sizeof(float));
    /* the plain entry point: [[1,2],[3,4]] @ [[5,6],[7,8]] */
    float a[4] = {1, 2, 3, 4}, b[4] = {5, 6, 7, 8}, c[4];
    rr_sgemm(2, 2, 2, a, 2, 1, b, 2, 1, c, 2, false);
    ck_assert_float_eq(c[0], 19);
    ck_assert_float_eq(c[1], 22);
    ck_assert_float_eq(c[2], 43);
    ck_assert_float_eq(c[3], 50);
}
END_TEST

/* ---- thread pool ------------------------------------------------------------------------------- */

typedef struct tctx {
    int64_t *out;
} tctx;
static void square_task(void *ctx, int64_t i) { ((tctx *)ctx)->out[i] += i * i; }

START_TEST(threads_run_every_task_once) {
    ck_assert_int_eq(rr_threads_new(0, NULL, NULL), RNNRUN_ERR_ARG);
    rr_threads *p = (rr_threads *)1;
    ck_assert_int_eq(rr_threads_new(0, NULL, &p), RNNRUN_ERR_ARG);
    ck_assert_ptr_null(p);
    ck_assert_int_eq(rr_threads_new(257, NULL, &p), RNNRUN_ERR_ARG);
    ck_assert_int_eq(rr_threads_count(NULL), 1);
    rr_threads_free(NULL);
    int64_t out[1000];
    for (int n = 1; n <= 4; n++) {
        ck_assert_int_eq(rr_threads_new(n, NULL, &p), RNNRUN_OK);
        ck_assert_int_eq(rr_threads_count(p), n);
        memset(out, 0, sizeof out);
        tctx c = {out};
        for (int rep = 0; rep < 200; rep++) rr_threads_run(p, 1 + rep * 1000 / 200, square_task, &c);
        /* task i ran once in every run with more than i tasks */
        for (int64_t i = 0; i < 1000; i++) {
            int64_t runs = 0;
            for (int rep = 0; rep < 200; rep++) runs += i < 1 + rep * 1000 / 200;
            ck_assert_int_eq(out[i], runs * i * i);
        }
        rr_threads_run(p, 0, square_task, &c);
        rr_threads_free(p);
    }
}
END_TEST

/* A barrier's tasks move in lockstep: in round k every task first sees every other task's
 * round k-1 write, and no task's round k+1 write comes before all have read round k. On pools of
 * 2-4 threads with as many tasks, and with more threads than this machine has cores. */
typedef struct bctx {
    rr_barrier bar;
    int n;
    _Atomic int slot[4];
    _Atomic int bad;
} bctx;

static void barrier_task(void *ctx, int64_t t) {
    bctx *c = ctx;
    for (int round = 1; round <= 500; round++) {
        atomic_store_explicit(&c->slot[t], round, memory_order_relaxed);
        rr_barrier_wait(&c->bar);
        for (int i = 0; i < c->n; i++)
            if (atomic_load_explicit(&c->slot[i], memory_order_relaxed) != round) atomic_fetch_add(&c->bad, 1);
        rr_barrier_wait(&c->bar);
    }
}

START_TEST(barrier_keeps_tasks_in_step) {
    for (int n = 2; n <= 4; n++) {
        rr_threads *p;
        ck_assert_int_eq(rr_threads_new(n, NULL, &p), RNNRUN_OK);
        static bctx c;
        rr_barrier_init(&c.bar, n);
        c.n = n;
        atomic_store(&c.bad, 0);
        for (int i = 0; i < 4; i++) atomic_store(&c.slot[i], 0);
        rr_threads_run(p, n, barrier_task, &c);
        ck_assert_int_eq(atomic_load(&c.bad), 0);
        for (int i = 0; i < n; i++) ck_assert_int_eq(atomic_load(&c.slot[i]), 500);
        rr_threads_free(p);
    }
}
END_TEST

/* the allocator is used for the pool */
START_TEST(threads_use_the_allocator) {
    tu_counter cnt = {0};
    rr_allocator a = tu_counting_allocator(&cnt);
    rr_threads *p;
    ck_assert_int_eq(rr_threads_new(3, &a, &p), RNNRUN_OK);
    ck_assert_int_ge(cnt.allocs, 1);
    rr_threads_free(p);
    ck_assert_int_eq(cnt.allocs, cnt.frees);
}
END_TEST

/* threaded products equal the single-threaded ones bit for bit (columns and rows splits) */
/* post callback of the test below: copies its part of C, final by then, and counts each cell */
typedef struct post_rec {
    const float *c;
    float *copy;
    int *count;
    int64_t ldc;
} post_rec;

static void post_copy(void *ctx, int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
    post_rec *p = ctx;
    for (int64_t i = r0; i < r1; i++)
        for (int64_t j = c0; j < c1; j++) {
            p->copy[i * p->ldc + j] = p->c[i * p->ldc + j];
            __atomic_fetch_add(&p->count[i * p->ldc + j], 1, __ATOMIC_RELAXED);
        }
}

START_TEST(threads_gemm_equals_single) {
    const rr_kernels *ks[RR_KERN_COUNT];
    int nk = n_variants(ks);
    uint64_t rs = 4242;
    /* each above the 2^20 multiply-adds below which products stay on one thread */
    static const int64_t shapes[][3] = {{64, 1000, 300}, {1, 4096, 512}, {500, 20, 400}, {3, 17, 30000}};
    for (int n = 2; n <= 3; n++) {
        rr_threads *p;
        ck_assert_int_eq(rr_threads_new(n, NULL, &p), RNNRUN_OK);
        for (int s = 0; s < 4; s++) {
            int64_t M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
            float *A = malloc(sizeof(float) * (size_t)(M * K)), *B = malloc(sizeof(float) * (size_t)(K * N));
            float *C1 = malloc(sizeof(float) * (size_t)(M * N)), *C2 = malloc(sizeof(float) * (size_t)(M * N));
            float *P = malloc(rr_sgemm_pack_size(K, N));
            ck_assert(A && B && C1 && C2 && P);
            for (int64_t i = 0; i < M * K; i++) A[i] = real(&rs);
            for (int64_t i = 0; i < K * N; i++) B[i] = real(&rs);
            rr_sgemm_pack_b(K, N, B, N, 1, P);
            for (int v = 0; v < nk; v++) {
                rr_sgemm_ex(M, N, K, A, K, 1, B, N, 1, C1, N, false, ks[v], NULL);
                rr_sgemm_ex(M, N, K, A, K, 1, B, N, 1, C2, N, false, ks[v], p);
                ck_assert_msg(memcmp(C1, C2, sizeof(float) * (size_t)(M * N)) == 0, "%s strided %d threads", ks[v]->name, n);
                /* (packed and strided may round differently: the tail tile is summed in blocks) */
                rr_sgemm_packed(M, N, K, A, K, P, C1, N, false, ks[v], NULL);
                rr_sgemm_packed(M, N, K, A, K, P, C2, N, false, ks[v], p);
                ck_assert_msg(memcmp(C1, C2, sizeof(float) * (size_t)(M * N)) == 0, "%s packed %d threads", ks[v]->name, n);
                /* A packed into each part's scratch: the same bits again */
                const size_t wn = rr_gemm_ws_floats(M, n);
                float *ws = malloc(sizeof(float) * (wn ? wn : 1));
                ck_assert(ws);
                rr_gemm_job jw = {.M = M, .N = N, .K = K, .a = A, .rsa = K, .csa = 1, .bp = P, .c = C2, .ldc = N,
                                  .ws = ws, .ws_floats = wn};
                rr_gemm_run(ks[v], p, &jw);
                free(ws);
                ck_assert_msg(memcmp(C1, C2, sizeof(float) * (size_t)(M * N)) == 0, "%s scratch %d threads", ks[v]->name, n);
                /* with a bias (B itself as the bias row: any N floats) */
                rr_gemm_job j1 = {.M = M, .N = N, .K = K, .a = A, .rsa = K, .csa = 1, .bp = P, .c = C1, .ldc = N,
                                  .bias = B},
                            j2 = j1;
                j2.c = C2;
                rr_gemm_run(ks[v], NULL, &j1);
                rr_gemm_run(ks[v], p, &j2);
                ck_assert_msg(memcmp(C1, C2, sizeof(float) * (size_t)(M * N)) == 0, "%s bias %d threads", ks[v]->name, n);
                /* a post callback sees every cell exactly once, already final */
                float *copy = calloc((size_t)(M * N), sizeof(float));
                int *count = calloc((size_t)(M * N), sizeof(int));
                ck_assert(copy && count);
                post_rec pr = {.c = C2, .copy = copy, .count = count, .ldc = N};
                j2.post = post_copy;
                j2.post_ctx = &pr;
                rr_gemm_run(ks[v], p, &j2);
                ck_assert_msg(memcmp(copy, C1, sizeof(float) * (size_t)(M * N)) == 0, "%s post %d threads", ks[v]->name, n);
                for (int64_t q = 0; q < M * N; q++)
                    if (count[q] != 1) ck_abort_msg("%s post %d threads: cell %lld seen %d times", ks[v]->name, n, (long long)q, count[q]);
                free(copy);
                free(count);
            }
            free(A);
            free(B);
            free(C1);
            free(C2);
            free(P);
        }
        rr_threads_free(p);
    }
}
END_TEST

/* ---- activations ------------------------------------------------------------------------------- */

/* error of a float result against the double value, in units of the float's ulp at the value */
static double ulps(float got, double want) {
    if (got == want) return 0;
    double u = want == 0 ? FLT_TRUE_MIN : (double)nextafterf((float)fabs(want), INFINITY) - fabs((float)fabs(want));
    if (u < FLT_TRUE_MIN) u = FLT_TRUE_MIN;
    return fabs((double)got - want) / u;
}
static double sigmoid_d(double x) { return 1.0 / (1.0 + exp(-x)); }

/* over [-20, 20] step 1e-4 (400001 points) plus 1e4 points with |x| in [20, 1e30]: the largest
 * absolute error and ulp error of each variant, below the documented bounds */
START_TEST(activations_accuracy) {
    const rr_kernels *ks[RR_KERN_COUNT];
    int nk = n_variants(ks);
    const int64_t n = 400001 + 20000;
    float *x = malloc(sizeof(float) * (size_t)n), *y = malloc(sizeof(float) * (size_t)n);
    ck_assert(x && y);
    for (int64_t i = 0; i < 400001; i++) x[i] = (float)(-20.0 + 1e-4 * (double)i);
    for (int64_t i = 0; i < 20000; i++) {
        double m = pow(10.0, 1.3 + 28.7 * (double)(i / 2) / 10000.0);
        x[400001 + i] = (float)(i % 2 ? -m : m);
    }
    for (int v = 0; v < nk; v++)
        for (int f = 0; f < 2; f++) {
            (f ? ks[v]->vsigmoid : ks[v]->vtanh)(y, x, n);
            double max_abs = 0, max_ulp = 0;
            float worst = 0;
            for (int64_t i = 0; i < n; i++) {
                double want = f ? sigmoid_d(x[i]) : tanh((double)x[i]);
                /* ulps for normal results; a subnormal one (sigmoid below -87.3) within FLT_MIN */
                double e = fabs((double)y[i] - want), u = fabs(want) >= FLT_MIN ? ulps(y[i], want) : 0;
                if (e > FLT_MIN && fabs(want) < FLT_MIN) ck_abort_msg("%s: %.9g", ks[v]->name, x[i]);
                if (e > max_abs) max_abs = e;
                if (u > max_ulp) {
                    max_ulp = u;
                    worst = x[i];
                }
            }
            /* measured on every float in [-20, 20] (bench_kernels --accuracy 1), every variant:
             * tanh 1.526 ulp, sigmoid 3.876 ulp, both under 9.26e-8 absolute */
            ck_assert_msg(max_abs <= 1.0e-7 && max_ulp <= (f ? 4.0 : 1.6), "%s %s: max abs %.3g, max %.3g ulp at x = %.9g",
                          ks[v]->name, f ? "sigmoid" : "tanh", max_abs, max_ulp, worst);
        }
    free(x);
    free(y);
}
END_TEST

START_TEST(activations_special_values_and_tails) {
    const rr_kernels *ks[RR_KERN_COUNT];
    int nk = n_variants(ks);
    const float x[] = {NAN, INFINITY, -INFINITY, 0.0f, -0.0f, 1e-30f, -1e-40f, FLT_MAX, -FLT_MAX, 88.5f, -88.5f,
                       -100.0f, 9.5f, 0.625f, -0.625f, 0.62499994f};
    const int n = (int)(sizeof x / sizeof x[0]);
    for (int v = 0; v < nk; v++) {
        float t[16], s[16];
        ks[v]->vtanh(t, x, n);
        ks[v]->vsigmoid(s, x, n);
        ck_assert(isnan(t[0]) && isnan(s[0]));
        ck_assert_float_eq(t[1], 1.0f);
        ck_assert_float_eq(t[2], -1.0f);
        ck_assert_float_eq(s[1], 1.0f);
        ck_assert_float_eq(s[2], 0.0f);
        ck_assert(t[3] == 0 && !signbit(t[3]) && t[4] == 0 && signbit(t[4]));
        ck_assert_float_eq(s[3], 0.5f);
        ck_assert_float_eq(s[4], 0.5f);
        ck_assert_float_eq(t[5], 1e-30f);
        ck_assert_float_eq(t[6], -1e-40f);
        ck_assert_float_eq(t[7], 1.0f);
        ck_assert_float_eq(t[8], -1.0f);
        ck_assert_float_eq(s[7], 1.0f);
        ck_assert(s[8] >= 0.0f && s[8] < 1e-38f);
        ck_assert_float_eq(s[9], 1.0f);
        ck_assert(s[10] >= 0 && s[10] < 1e-38f && s[11] >= 0 && s[11] < 1e-38f);
        ck_assert_float_eq(t[12], 1.0f);
        for (int i = 13; i < 16; i++) ck_assert_msg(ulps(t[i], tanh(x[i])) <= 1.5, "%s tanh(%.9g)", ks[v]->name, x[i]);
        /* every length (the SIMD tails) and in place give the same values */
        for (int len = 0; len <= 37; len++) {
            float in[40], out[40], ref[40];
            for (int i = 0; i < len; i++) in[i] = (float)(i - 18) * 0.37f;
            ks[v]->vtanh(ref, in, 40 > len ? len : 40);
            for (int i = 0; i < len; i++) {
                ks[v]->vtanh(out, in + i, 1);
                ck_assert_float_eq(out[0], ref[i]);
            }
            memcpy(out, in, sizeof in);
            ks[v]->vsigmoid(out, out, len);
            for (int i = 0; i < len; i++) {
                float one;
                ks[v]->vsigmoid(&one, in + i, 1);
                ck_assert_float_eq(out[i], one);
            }
        }
    }
    float a[3] = {-1, 0, 1}, b[3];
    rr_vtanh(b, a, 3);
    ck_assert_float_eq_tol(b[2], 0.7615942f, 1e-7f);
    rr_vsigmoid(b, a, 3);
    ck_assert_float_eq_tol(b[0], 0.26894142f, 1e-7f);
}
END_TEST

int main(void) {
    const TTest *tests[] = {
        variants_available, gemm_exact_all_layouts, gemm_every_small_m, gemm_real_values, gemm_degenerate,
        threads_run_every_task_once, barrier_keeps_tasks_in_step, threads_use_the_allocator, threads_gemm_equals_single,
        activations_accuracy, activations_special_values_and_tails,
    };
    return tu_main("kernels", tests, (int)(sizeof tests / sizeof tests[0]));
}
