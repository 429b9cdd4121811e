/* Strided copies (Transpose, Slice, Fortran-order .npy). */
#include <string.h>

#include "kernels.h"

void rr_strided_init(rr_strided *s, int rank, const int64_t *dims, const int64_t *st, int64_t base) {
    int m = 0;
    for (int d = 0; d < rank; d++) {
        if (dims[d] == 1) continue;
        if (m > 0 && s->st[m - 1] == st[d] * dims[d]) {
            s->dims[m - 1] *= dims[d];
            s->st[m - 1] = st[d];
        } else {
            s->dims[m] = dims[d];
            s->st[m] = st[d];
            m++;
        }
    }
    if (m == 0) {
        s->dims[0] = 1;
        s->st[0] = 1;
        m = 1;
    }
    s->rank = m;
    s->base = base;
}

/* one run of n elements of size es at stride ist (elements) */
static inline void copy_run(char *restrict out, const char *restrict p, int64_t n, int64_t ist, size_t es) {
    const size_t bytes = (size_t)n * es;
    if (ist == 1 && bytes >= 16 && bytes <= 64) {
        /* a short row (a step's few features): two fixed-size copies, the second overlapping,
         * which compilers inline, instead of a memcpy call */
        if (bytes <= 32) {
            memcpy(out, p, 16);
            memcpy(out + bytes - 16, p + bytes - 16, 16);
        } else {
            memcpy(out, p, 32);
            memcpy(out + bytes - 32, p + bytes - 32, 32);
        }
    } else if (ist == 1) {
        memcpy(out, p, bytes);
    } else {
        switch (es) {
        case 1: for (int64_t i = 0; i < n; i++) out[i] = p[i * ist]; break;
        case 2: for (int64_t i = 0; i < n; i++) memcpy(out + 2 * i, p + 2 * i * ist, 2); break;
        case 4: for (int64_t i = 0; i < n; i++) memcpy(out + 4 * i, p + 4 * i * ist, 4); break;
        default: for (int64_t i = 0; i < n; i++) memcpy(out + es * (size_t)i, p + (int64_t)es * i * ist, es); break;
        }
    }
}

/* the two innermost dimensions as plain loops; the index walk only over the others */
void rr_strided_copy(const rr_strided *s, const void *src, void *dst, size_t es) {
    const int r = s->rank;
    const int64_t inner = s->dims[r - 1], ist = s->st[r - 1];
    const int64_t mid = r > 1 ? s->dims[r - 2] : 1, mst = r > 1 ? s->st[r - 2] : 0;
    int64_t outer = 1;
    for (int d = 0; d < r - 2; d++) outer *= s->dims[d];
    if (inner == 0 || mid == 0 || outer == 0) return;
    const char *in = (const char *)src + s->base * (int64_t)es;
    char *out = dst;
    int64_t idx[RR_STRIDED_MAX_RANK] = {0}, off = 0;
    for (int64_t o = 0; o < outer; o++) {
        const char *p = in + off * (int64_t)es;
        for (int64_t m = 0; m < mid; m++, out += (size_t)inner * es)
            copy_run(out, p + m * mst * (int64_t)es, inner, ist, es);
        for (int d = r - 3; d >= 0; d--) {
            off += s->st[d];
            if (++idx[d] < s->dims[d]) break;
            off -= s->st[d] * s->dims[d];
            idx[d] = 0;
        }
    }
}
