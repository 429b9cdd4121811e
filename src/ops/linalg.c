/* Gemm and MatMul (float and double). A constant float B (Gemm's, or MatMul's without batch
 * dims) is packed at plan time into the kernels' panel layout (rr_sgemm_pack_b), whatever transB
 * says; products run on the session's kernels and thread pool. */
#include <string.h>

#include "../kernels/kernels.h"
#include "ops.h"

/* ---- Gemm: Y (M,N) = alpha * A' (M,K) @ B' (K,N) + beta * C, C broadcast to (M,N) ------------ */

typedef struct gemm_params {
    int64_t M, N, K;
    float alpha, beta;
    bool ta, tb;
    const float *packed_b;      /* a constant float B' (K, N) packed for rr_sgemm_packed, or NULL */
    const float *small_b;       /* the same plain row-major when it is tiny (rr_sgemm_small), or NULL */
    int64_t c_rs, c_cs;         /* C's element strides over (M, N): 0 along broadcast dims */
} gemm_params;

/* B' (K, N) with element (k, j) at b[k*rsb + j*csb], packed into the plan's pool */
static const float *pack_const_b(rr_ctx *c, const float *b, int64_t K, int64_t N, int64_t rsb, int64_t csb) {
    float *pb = rr_pool_alloc(c->pool, rr_sgemm_pack_size(K, N));
    if (pb) rr_sgemm_pack_b(K, N, b, rsb, csb, pb);
    return pb;
}

/* B' (K, N) plain row-major into the plan's pool when tiny (K*N <= RR_SGEMM_SMALL), else NULL */
static int small_const_b(rr_ctx *c, const float *b, int64_t K, int64_t N, int64_t rsb, int64_t csb, const float **out) {
    *out = NULL;
    if (K * N > RR_SGEMM_SMALL) return RNNRUN_OK;
    float *sb = rr_pool_alloc(c->pool, (size_t)(K * N) * sizeof(float));
    if (!sb) return rr_op_fail(c, RNNRUN_ERR_NOMEM, "out of memory");
    for (int64_t k = 0; k < K; k++)
        for (int64_t n = 0; n < N; n++) sb[k * N + n] = b[k * rsb + n * csb];
    *out = sb;
    return RNNRUN_OK;
}

/* the workspace of a product of M rows against packed B: the kernels' scratch */
static void set_gemm_ws(rr_ctx *c, int64_t M) { c->ws_size = rr_gemm_ws_floats(M, c->n_threads) * sizeof(float); }

/* Y (M, N) = A (M, K; strides rsa, csa) @ B' (+ bias row): packed B when there is one */
static void run_sgemm(const rr_ctx *c, int64_t M, int64_t N, int64_t K, const float *a, int64_t rsa, int64_t csa,
                      const float *packed, const float *b, int64_t rsb, int64_t csb, float *y, const float *bias) {
    rr_gemm_job j = {.M = M, .N = N, .K = K, .a = a, .rsa = rsa, .csa = csa, .bp = packed, .b = b, .rsb = rsb,
                     .csb = csb, .c = y, .ldc = N, .bias = bias, .ws = c->ws, .ws_floats = c->ws_size / sizeof(float)};
    rr_gemm_run(rr_kernels_select(), c->threads, &j);
}

int rr_infer_gemm(rr_ctx *c) {
    const rr_tensor *A = rr_in(c, 0), *B = rr_in(c, 1), *C = rr_in(c, 2);
    const rr_node *n = c->node;
    gemm_params *p = rr_pool_alloc(c->pool, sizeof *p);
    if (!p) return rr_op_fail(c, RNNRUN_ERR_NOMEM, "out of memory");
    memset(p, 0, sizeof *p);
    int64_t ta, tb;
    if (rr_attr_float(n, "alpha", 1.0f, &p->alpha, c->err) || rr_attr_float(n, "beta", 1.0f, &p->beta, c->err) ||
        rr_attr_int(n, "transA", 0, &ta, c->err) || rr_attr_int(n, "transB", 0, &tb, c->err))
        return rr_op_prefix(c);
    if (rr_attr_find(n, "broadcast"))
        return rr_op_fail(c, RNNRUN_ERR_MODEL, "attribute 'broadcast' belongs to Gemm-6 and earlier");
    p->ta = ta != 0;
    p->tb = tb != 0;
    if (rr_need_dtype(c, A, "A", RR_M_FLOATS)) return c->err->status;
    if (B->dtype != A->dtype || (C && C->dtype != A->dtype))
        return rr_op_fail(c, RNNRUN_ERR_DTYPE, "A, B and C must have one dtype (A is %s)", rr_dtype_name(A->dtype));
    if (A->rank != 2 || B->rank != 2)
        return rr_op_fail(c, RNNRUN_ERR_SHAPE, "A and B must be 2-D (ranks %d and %d)", A->rank, B->rank);
    p->M = p->ta ? A->dims[1] : A->dims[0];
    p->K = p->ta ? A->dims[0] : A->dims[1];
    int64_t kb = p->tb ? B->dims[1] : B->dims[0];
    p->N = p->tb ? B->dims[0] : B->dims[1];
    if (kb != p->K) {
        char sa[80], sb[80];
        return rr_op_fail(c, RNNRUN_ERR_SHAPE, "A%s %s and B%s %s do not multiply (K %lld vs %lld)",
                          p->ta ? "'" : "", rr_shape_str(A->dims, 2, sa, sizeof sa), p->tb ? "'" : "",
                          rr_shape_str(B->dims, 2, sb, sizeof sb), (long long)p->K, (long long)kb);
    }
    if (C) {
        /* unidirectional broadcast of C to (M, N) */
        int64_t cm = C->rank == 2 ? C->dims[0] : 1, cn = C->rank >= 1 ? C->dims[C->rank - 1] : 1;
        if (C->rank > 2 || (cm != 1 && cm != p->M) || (cn != 1 && cn != p->N)) {
            char sc[160];
            return rr_op_fail(c, RNNRUN_ERR_SHAPE, "C of shape %s does not broadcast to (%lld, %lld)",
                              rr_shape_str(C->dims, C->rank, sc, sizeof sc), (long long)p->M, (long long)p->N);
        }
        p->c_rs = cm == 1 ? 0 : cn;
        p->c_cs = cn == 1 ? 0 : 1;
    }
    if (A->dtype == RR_FLOAT && B->data && p->N * p->K > 0) {
        /* a tiny B is used plain (with a row-major A) and needs no packed copy */
        if (!p->ta && small_const_b(c, B->data, p->K, p->N, p->tb ? 1 : p->N, p->tb ? p->K : 1, &p->small_b))
            return c->err->status;
        if (!p->small_b) {
            p->packed_b = pack_const_b(c, B->data, p->K, p->N, p->tb ? 1 : p->N, p->tb ? p->K : 1);
            if (!p->packed_b) return rr_op_fail(c, RNNRUN_ERR_NOMEM, "out of memory");
            set_gemm_ws(c, p->M);
        }
    }
    c->params = p;
    int64_t dims[2] = {p->M, p->N};
    return rr_set_out(c, 0, A->dtype, 2, dims);
}

int rr_run_gemm(const rr_ctx *c) {
    const gemm_params *p = c->params;
    const rr_tensor *A = rr_in(c, 0), *B = rr_in(c, 1), *C = rr_in(c, 2);
    rr_tensor *Y = rr_out(c, 0);
    int64_t M = p->M, N = p->N, K = p->K;
    /* element (i,k) of A' and (k,j) of B' */
    int64_t rsa = p->ta ? 1 : K, csa = p->ta ? M : 1;
    int64_t rsb = p->tb ? 1 : N, csb = p->tb ? K : 1;
    if (A->dtype == RR_FLOAT) {
        float *y = Y->data;
        const float *cd = C ? C->data : NULL;
        float alpha = p->alpha, beta = p->beta;
        /* the common head: Y = A @ B' + a bias row, the bias joining the product's sum */
        const bool row_bias = cd && alpha == 1.0f && beta == 1.0f && p->c_rs == 0 && p->c_cs == 1;
        if (p->small_b) rr_sgemm_small(M, N, K, A->data, p->small_b, y, N, row_bias ? cd : NULL, 0);
        else run_sgemm(c, M, N, K, A->data, rsa, csa, p->packed_b, B->data, rsb, csb, y, row_bias ? cd : NULL);
        if (row_bias || (!cd && alpha == 1.0f)) return RNNRUN_OK;
        for (int64_t i = 0; i < M; i++)
            for (int64_t j = 0; j < N; j++) {
                float v = alpha * y[i * N + j];
                if (cd) v += beta * cd[i * p->c_rs + j * p->c_cs];
                y[i * N + j] = v;
            }
    } else {
        double *y = Y->data;
        rr_dgemm(M, N, K, A->data, rsa, csa, B->data, rsb, csb, y, N, false);
        const double *cd = C ? C->data : NULL;
        for (int64_t i = 0; i < M; i++)
            for (int64_t j = 0; j < N; j++) {
                double v = p->alpha * y[i * N + j];
                if (cd) v += p->beta * cd[i * p->c_rs + j * p->c_cs];
                y[i * N + j] = v;
            }
    }
    return RNNRUN_OK;
}

/* ---- MatMul: numpy matmul semantics, batch dims broadcast ------------------------------------ */

typedef struct matmul_params {
    int64_t M, N, K;
    int brank;                       /* batch rank of the output */
    int64_t bdims[RR_MAX_RANK];
    int64_t bsa[RR_MAX_RANK], bsb[RR_MAX_RANK];  /* element strides of A and B per batch dim */
    int64_t batches;
    const float *packed_b;           /* a constant float B without batch dims, packed; or NULL */
    const float *small_b;            /* the same plain row-major when tiny (rr_sgemm_small); or NULL */
} matmul_params;

int rr_infer_matmul(rr_ctx *c) {
    const rr_tensor *A = rr_in(c, 0), *B = rr_in(c, 1);
    if (rr_need_dtype(c, A, "A", RR_M_FLOATS)) return c->err->status;
    if (B->dtype != A->dtype)
        return rr_op_fail(c, RNNRUN_ERR_DTYPE, "A is %s but B is %s", rr_dtype_name(A->dtype), rr_dtype_name(B->dtype));
    if (A->rank < 1 || B->rank < 1) return rr_op_fail(c, RNNRUN_ERR_SHAPE, "MatMul inputs must have rank >= 1");
    matmul_params *p = rr_pool_alloc(c->pool, sizeof *p);
    if (!p) return rr_op_fail(c, RNNRUN_ERR_NOMEM, "out of memory");
    /* 1-D operands: A (K) is (1, K), B (K) is (K, 1); the added dim is dropped from the result */
    int ra = A->rank, rb = B->rank;
    p->M = ra >= 2 ? A->dims[ra - 2] : 1;
    p->K = A->dims[ra - 1];
    int64_t kb = rb >= 2 ? B->dims[rb - 2] : B->dims[0];
    p->N = rb >= 2 ? B->dims[rb - 1] : 1;
    if (kb != p->K) {
        char sa[160], sb[160];
        return rr_op_fail(c, RNNRUN_ERR_SHAPE, "shapes %s and %s do not multiply (K %lld vs %lld)",
                          rr_shape_str(A->dims, ra, sa, sizeof sa), rr_shape_str(B->dims, rb, sb, sizeof sb),
                          (long long)p->K, (long long)kb);
    }
    int ba = ra > 2 ? ra - 2 : 0, bb = rb > 2 ? rb - 2 : 0;
    int br = ba > bb ? ba : bb;
    p->brank = br;
    p->batches = 1;
    int64_t sa = p->M * p->K, sb = p->K * p->N;   /* strides of the innermost batch dim */
    for (int d = br - 1; d >= 0; d--) {
        int da = d - (br - ba), db = d - (br - bb);
        int64_t xa = da >= 0 ? A->dims[da] : 1, xb = db >= 0 ? B->dims[db] : 1;
        if (xa != xb && xa != 1 && xb != 1) {
            char s1[160], s2[160];
            return rr_op_fail(c, RNNRUN_ERR_SHAPE, "batch dimensions of %s and %s do not broadcast",
                              rr_shape_str(A->dims, ra, s1, sizeof s1), rr_shape_str(B->dims, rb, s2, sizeof s2));
        }
        p->bdims[d] = xa == 1 ? xb : xa;
        p->bsa[d] = xa == 1 ? 0 : sa;
        p->bsb[d] = xb == 1 ? 0 : sb;
        sa *= xa;
        sb *= xb;
        if (!rr_mul_ok(p->batches, p->bdims[d] ? p->bdims[d] : 1, &p->batches))
            return rr_op_fail(c, RNNRUN_ERR_LIMIT, "batch dimensions too large");
    }
    int64_t dims[RR_MAX_RANK + 2];
    int r = 0;
    for (int d = 0; d < br; d++) dims[r++] = p->bdims[d];
    if (ra >= 2) dims[r++] = p->M;
    if (rb >= 2) dims[r++] = p->N;
    if (r > RR_MAX_RANK) return rr_op_fail(c, RNNRUN_ERR_LIMIT, "result rank %d is above %d", r, RR_MAX_RANK);
    p->packed_b = NULL;
    p->small_b = NULL;
    if (A->dtype == RR_FLOAT && B->data && B->rank <= 2 && p->N * p->K > 0) {
        p->packed_b = pack_const_b(c, B->data, p->K, p->N, p->N, 1);
        if (!p->packed_b) return rr_op_fail(c, RNNRUN_ERR_NOMEM, "out of memory");
        if (small_const_b(c, B->data, p->K, p->N, p->N, 1, &p->small_b)) return c->err->status;
        if (p->batches <= INT64_MAX / (p->M ? p->M : 1)) set_gemm_ws(c, p->batches * p->M);
    }
    c->params = p;
    return rr_set_out(c, 0, A->dtype, r, dims);
}

int rr_run_matmul(const rr_ctx *c) {
    const matmul_params *p = c->params;
    const rr_tensor *A = rr_in(c, 0), *B = rr_in(c, 1);
    rr_tensor *Y = rr_out(c, 0);
    int64_t M = p->M, N = p->N, K = p->K;
    if (Y->numel == 0) return RNNRUN_OK;
    bool f32 = A->dtype == RR_FLOAT;
    /* B without batch dims: all of A's rows form one product */
    bool b_shared = true;
    for (int d = 0; d < p->brank; d++) b_shared = b_shared && p->bsb[d] == 0;
    bool a_dense = true;
    for (int d = 0; d < p->brank; d++) a_dense = a_dense && p->bsa[d] != 0;
    if (b_shared && a_dense) {
        int64_t rows = p->batches * M;
        if (f32 && p->small_b) rr_sgemm_small(rows, N, K, A->data, p->small_b, Y->data, N, NULL, 0);
        else if (f32) run_sgemm(c, rows, N, K, A->data, K, 1, p->packed_b, B->data, N, 1, Y->data, NULL);
        else rr_dgemm(rows, N, K, A->data, K, 1, B->data, N, 1, Y->data, N, false);
        return RNNRUN_OK;
    }
    int64_t idx[RR_MAX_RANK] = {0}, oa = 0, ob = 0;
    for (int64_t b = 0; b < p->batches; b++) {
        if (f32)
            run_sgemm(c, M, N, K, (const float *)A->data + oa, K, 1, p->packed_b, (const float *)B->data + ob, N, 1,
                      (float *)Y->data + b * M * N, NULL);
        else
            rr_dgemm(M, N, K, (const double *)A->data + oa, K, 1, (const double *)B->data + ob, N, 1,
                     (double *)Y->data + b * M * N, N, false);
        for (int d = p->brank - 1; d >= 0; d--) {
            oa += p->bsa[d];
            ob += p->bsb[d];
            if (++idx[d] < p->bdims[d]) break;
            oa -= p->bsa[d] * p->bdims[d];
            ob -= p->bsb[d] * p->bdims[d];
            idx[d] = 0;
        }
    }
    return RNNRUN_OK;
}
