/* Kernel micro-benchmark: GFLOP/s of the float matrix products per kernel variant, for the
 * shapes of recurrent models (small M: one step of h (B,H) @ R^T) and of big layers, and ns per
 * element of the activations. Medians over repetitions (the machine may be shared).
 *
 *   build/tools/bench/bench_kernels [--threads T] [--quick] [--variant NAME] [MxNxK ...]
 *   build/tools/bench/bench_kernels --accuracy S   tanh/sigmoid error over every S-th float in [-20, 20]
 *   tools/bench/numpy_sgemm.py [MxNxK ...]   the same shapes with NumPy (OpenBLAS), for comparison
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "kernels/kernels.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct shape {
    int64_t M, N, K;
} shape;

/* median seconds of one call, over reps timed batches of calls that each take >= 20 ms */
typedef void (*bench_fn)(void *ctx);
static double median_time(bench_fn f, void *ctx, int reps) {
    f(ctx);
    int inner = 1;
    for (;;) {
        double t0 = now();
        for (int i = 0; i < inner; i++) f(ctx);
        if (now() - t0 > 0.02 || inner > (1 << 20)) break;
        inner *= 2;
    }
    double t[64];
    if (reps > 64) reps = 64;
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        for (int i = 0; i < inner; i++) f(ctx);
        t[r] = (now() - t0) / inner;
    }
    qsort(t, (size_t)reps, sizeof *t, cmp_d);
    return t[reps / 2];
}

typedef struct gctx {
    const rr_kernels *k;
    rr_threads *pool;
    shape s;
    const float *a, *b, *bp;
    float *c, *ws;
    size_t ws_floats;
    bool transposed_b;
} gctx;

static void run_raw(void *p) {
    gctx *g = p;
    if (g->transposed_b) /* B stored (N,K) row-major, as Linear/Gemm transB weights */
        rr_sgemm_ex(g->s.M, g->s.N, g->s.K, g->a, g->s.K, 1, g->b, 1, g->s.K, g->c, g->s.N, false, g->k, g->pool);
    else
        rr_sgemm_ex(g->s.M, g->s.N, g->s.K, g->a, g->s.K, 1, g->b, g->s.N, 1, g->c, g->s.N, false, g->k, g->pool);
}
static void run_packed(void *p) {
    gctx *g = p;
    rr_gemm_job j = {.M = g->s.M, .N = g->s.N, .K = g->s.K, .a = g->a, .rsa = g->s.K, .csa = 1, .bp = g->bp,
                     .c = g->c, .ldc = g->s.N, .ws = g->ws, .ws_floats = g->ws_floats};
    rr_gemm_run(g->k, g->pool, &j);
}

typedef struct actx {
    void (*f)(float *, const float *, int64_t);
    float *x, *y;
    int64_t n;
} actx;
static void run_act(void *p) {
    actx *a = p;
    a->f(a->y, a->x, a->n);
}

/* --accuracy S: every S-th float in [-20, 20] (S = 1: all 2.2e9 of them) through each variant's
 * tanh and sigmoid against double precision: the largest error in ulps (of the float nearest the
 * true value; normal results) and in absolute terms */
static double ulp_err(float got, double want) {
    if ((double)got == want) return 0;
    float w = (float)fabs(want);
    double u = (double)nextafterf(w, INFINITY) - (double)w;
    return fabs((double)got - want) / u;
}

static int accuracy(int64_t stride) {
    enum { CH = 4096 };
    float x[CH], y[CH];
    const uint32_t top = 0x41a00000u; /* 20.0f */
    for (int v = RR_KERN_COUNT - 1; v >= 0; v--) {
        const rr_kernels *k = rr_kernels_get((rr_kernel_variant)v);
        if (!k) continue;
        for (int f = 0; f < 2; f++) {
            double mu = 0, ma = 0;
            float wu = 0, wa = 0;
            int64_t count = 0;
            for (int sign = 0; sign < 2; sign++)
                for (uint64_t b = 0; b <= top;) {
                    int n = 0;
                    for (; n < CH && b <= top; n++, b += (uint64_t)stride) {
                        uint32_t bits = (uint32_t)b | (sign ? 0x80000000u : 0);
                        memcpy(&x[n], &bits, 4);
                    }
                    (f ? k->vsigmoid : k->vtanh)(y, x, n);
                    for (int i = 0; i < n; i++) {
                        double want = f ? 1.0 / (1.0 + exp(-(double)x[i])) : tanh((double)x[i]);
                        double e = fabs((double)y[i] - want), u = fabs(want) >= FLT_MIN ? ulp_err(y[i], want) : 0;
                        if (e > ma) ma = e, wa = x[i];
                        if (u > mu) mu = u, wu = x[i];
                    }
                    count += n;
                }
            printf("%-8s %-8s %lld floats in [-20, 20]: max %.3f ulp (x = %.9g), max abs %.3g (x = %.9g)\n",
                   k->name, f ? "sigmoid" : "tanh", (long long)count, mu, wu, ma, wa);
            fflush(stdout);
        }
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--accuracy") == 0) return accuracy(atoll(argv[2]) > 0 ? atoll(argv[2]) : 1);
    int threads = 1, reps = 9;
    const char *only = NULL;
    shape shapes[32];
    int ns = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) threads = atoi(argv[++i]);
        else if (strcmp(argv[i], "--quick") == 0) reps = 3;
        else if (strcmp(argv[i], "--variant") == 0 && i + 1 < argc) only = argv[++i];
        else if (ns < 32) {
            long long m, n, k;
            if (sscanf(argv[i], "%lldx%lldx%lld", &m, &n, &k) != 3 || m < 1 || n < 1 || k < 1) {
                fprintf(stderr, "usage: bench_kernels [--threads T] [--quick] [--variant NAME] [MxNxK ...]\n");
                return 2;
            }
            shapes[ns++] = (shape){m, n, k};
        }
    }
    if (!ns) {
        static const shape def[] = {{1, 256, 64},    {16, 256, 64},     {64, 768, 256},  {1, 4096, 1024},
                                    {16, 4096, 1024}, {64, 4096, 1024}, {256, 1024, 1024}, {1024, 1024, 1024}};
        ns = (int)(sizeof def / sizeof def[0]);
        memcpy(shapes, def, sizeof def);
    }
    rr_threads *pool = NULL;
    if (threads > 1 && rr_threads_new(threads, NULL, &pool)) {
        fprintf(stderr, "bench_kernels: cannot start %d threads\n", threads);
        return 1;
    }
    printf("sgemm GFLOP/s (median of %d), threads %d; raw = rr_sgemm on row-major B, rawT = on B stored "
           "(N,K), packed = on packed B with the scratch of an op (rr_gemm_ws_floats)\n", reps, threads);
    printf("%-18s %-8s %9s %9s %9s\n", "MxNxK", "kernels", "raw", "rawT", "packed");
    for (int si = 0; si < ns; si++) {
        shape s = shapes[si];
        float *a = malloc(sizeof(float) * (size_t)(s.M * s.K)), *b = malloc(sizeof(float) * (size_t)(s.K * s.N));
        float *c = malloc(sizeof(float) * (size_t)(s.M * s.N));
        float *bp = aligned_alloc(64, rr_align_up(rr_sgemm_pack_size(s.K, s.N)));
        const size_t wn = rr_gemm_ws_floats(s.M, threads);
        float *ws = malloc(sizeof(float) * (wn ? wn : 1));
        if (!a || !b || !c || !bp || !ws) return 1;
        for (int64_t i = 0; i < s.M * s.K; i++) a[i] = (float)((i * 7919) % 1000) / 1000.0f - 0.5f;
        for (int64_t i = 0; i < s.K * s.N; i++) b[i] = (float)((i * 104729) % 1000) / 1000.0f - 0.5f;
        rr_sgemm_pack_b(s.K, s.N, b, s.N, 1, bp);
        double flops = 2.0 * (double)s.M * (double)s.N * (double)s.K;
        for (int v = RR_KERN_COUNT - 1; v >= 0; v--) {
            const rr_kernels *k = rr_kernels_get((rr_kernel_variant)v);
            if (!k || (only && strcmp(only, k->name) != 0)) continue;
            gctx g = {.k = k, .pool = pool, .s = s, .a = a, .b = b, .bp = bp, .c = c, .ws = ws, .ws_floats = wn};
            double t_raw = median_time(run_raw, &g, reps);
            g.transposed_b = true;
            double t_rawt = median_time(run_raw, &g, reps);
            double t_packed = median_time(run_packed, &g, reps);
            char name[64];
            snprintf(name, sizeof name, "%lldx%lldx%lld", (long long)s.M, (long long)s.N, (long long)s.K);
            printf("%-18s %-8s %9.1f %9.1f %9.1f\n", name, k->name, flops / t_raw * 1e-9, flops / t_rawt * 1e-9,
                   flops / t_packed * 1e-9);
            fflush(stdout);
        }
        free(a);
        free(b);
        free(c);
        free(bp);
        free(ws);
    }
    int64_t n = 4096;
    float *x = malloc(sizeof(float) * (size_t)n), *y = malloc(sizeof(float) * (size_t)n);
    if (!x || !y) return 1;
    for (int64_t i = 0; i < n; i++) x[i] = (float)(i % 2000) / 100.0f - 10.0f;
    printf("activations, ns per element (n = %lld)\n", (long long)n);
    for (int v = RR_KERN_COUNT - 1; v >= 0; v--) {
        const rr_kernels *k = rr_kernels_get((rr_kernel_variant)v);
        if (!k) continue;
        actx at = {k->vtanh, x, y, n}, as = {k->vsigmoid, x, y, n};
        printf("  %-8s tanh %.3f  sigmoid %.3f\n", k->name, median_time(run_act, &at, reps) / (double)n * 1e9,
               median_time(run_act, &as, reps) / (double)n * 1e9);
    }
    free(x);
    free(y);
    rr_threads_free(pool);
    return 0;
}
