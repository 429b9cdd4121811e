#!/usr/bin/python3
"""NumPy (OpenBLAS) float32 matmul GFLOP/s for the shapes of bench_kernels, medians of 9.
usage: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tools/bench/numpy_sgemm.py [MxNxK ...]"""
import sys, time
import numpy as np

shapes = [tuple(int(v) for v in a.split("x")) for a in sys.argv[1:]] or [
    (1, 256, 64), (16, 256, 64), (64, 768, 256), (1, 4096, 1024), (16, 4096, 1024), (64, 4096, 1024),
    (256, 1024, 1024), (1024, 1024, 1024)]
print("numpy", np.__version__, "GFLOP/s (median of 9): A @ B, B (K,N) row-major; A @ W.T, W (N,K)")
for M, N, K in shapes:
    a = np.random.rand(M, K).astype(np.float32) - 0.5
    b = np.random.rand(K, N).astype(np.float32) - 0.5
    w = np.ascontiguousarray(b.T)
    c = np.empty((M, N), np.float32)
    res = []
    for f in (lambda: np.matmul(a, b, out=c), lambda: np.matmul(a, w.T, out=c)):
        f()
        inner = 1
        while True:
            t0 = time.perf_counter()
            for _ in range(inner): f()
            if time.perf_counter() - t0 > 0.02: break
            inner *= 2
        ts = []
        for _ in range(9):
            t0 = time.perf_counter()
            for _ in range(inner): f()
            ts.append((time.perf_counter() - t0) / inner)
        res.append(2.0 * M * N * K / sorted(ts)[4] * 1e-9)
    print(f"{M}x{N}x{K}".ljust(18), "numpy   ", f"{res[0]:9.1f} {res[1]:9.1f}")
