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

void rr_strided_copy(const rr_strided *s, const void *src, void *dst, size_t es) {
    int r = s->rank;
    int64_t inner = s->dims[r - 1], ist = s->st[r - 1], outer = 1;
    for (int d = 0; d < r - 1; d++) outer *= s->dims[d];
    if (inner == 0 || outer == 0) return;
    const char *in = (const char *)src + s->base * (int64_t)es;
    char *out = dst;
    int64_t idx[RR_STRIDED_MAX_RANK] = {0}, off = 0;
    for (int64_t o = 0; o < outer; o++) {
        const char *p = in + off * (int64_t)es;
        if (ist == 1) {
            memcpy(out, p, (size_t)inner * es);
        } else {
            switch (es) {
            case 1: for (int64_t i = 0; i < inner; i++) out[i] = p[i * ist]; break;
            case 2: for (int64_t i = 0; i < inner; i++) memcpy(out + 2 * i, p + 2 * i * ist, 2); break;
            case 4: for (int64_t i = 0; i < inner; i++) memcpy(out + 4 * i, p + 4 * i * ist, 4); break;
            default: for (int64_t i = 0; i < inner; i++) memcpy(out + es * (size_t)i, p + (int64_t)es * i * ist, es); break;
            }
        }
        out += (size_t)inner * es;
        for (int d = r - 2; d >= 0; d--) {
            off += s->st[d];
            if (++idx[d] < s->dims[d]) break;
            off -= s->st[d] * s->dims[d];
            idx[d] = 0;
        }
    }
}

