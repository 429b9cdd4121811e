/* libFuzzer harness: load, plan and run a fuzzed model on fuzzed inputs.
 *
 * Input layout: [u32 little-endian n][n bytes: the model][the rest: input bytes]. Inputs take the
 * model's declared dtypes and shapes; a symbolic or unknown dimension takes its size from the
 * input bytes (0..4). Tensors are capped at 64 KiB (the model's tensor limit is lowered to
 * 1 MiB) so that every run stays small and fast. tools/fuzz.sh makes seeds in this layout. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MAX_INPUT_BYTES 65536

typedef struct src {
    const uint8_t *p;
    size_t n, i;
} src;

static uint8_t next(src *s) { return s->n ? s->p[s->i++ % s->n] : 0; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 4) return 0;
    size_t n = (size_t)data[0] | (size_t)data[1] << 8 | (size_t)data[2] << 16 | (size_t)data[3] << 24;
    if (n > size - 4) n = size - 4;
    src in = {data + 4 + n, size - 4 - n, 0};
    rnnrun_model *m = NULL;
    char err[512];
    if (rnnrun_model_load_buffer(data + 4, n, &m, err, sizeof err)) return 0;
    m->max_tensor_bytes = 1 << 20;
    /* the session's limit governs planning (tensors and workspaces): 1 MiB here */
    rnnrun_session_options opt;
    rnnrun_session_options_init(&opt);
    opt.max_tensor_bytes = 1 << 20;
    rnnrun_session *s = NULL;
    if (rnnrun_session_new_with_options(m, &opt, &s)) abort();
    int n_in = rnnrun_model_input_count(m);
    void **bufs = calloc((size_t)n_in + 1, sizeof *bufs);
    bool ok = true;
    for (int i = 0; i < n_in && ok; i++) {
        int dtype, rank;
        int64_t dims[RNNRUN_MAX_RANK];
        rnnrun_model_input_info(m, i, &dtype, &rank, dims, NULL);
        rnnrun_tensor t = {.dtype = dtype ? (rnnrun_dtype)dtype : RNNRUN_FLOAT, .rank = rank < 0 ? 1 : rank};
        size_t es = rnnrun_dtype_size((int)t.dtype);
        if (!es) es = 1;
        int64_t numel = 1;
        for (int d = 0; d < t.rank; d++) {
            t.shape[d] = rank >= 0 && dims[d] >= 0 ? dims[d] : next(&in) % 5;
            if (t.shape[d] > MAX_INPUT_BYTES || (numel *= t.shape[d]) > MAX_INPUT_BYTES) ok = false;
        }
        if (!ok || (size_t)numel * es > MAX_INPUT_BYTES) {
            ok = false;
            break;
        }
        bufs[i] = malloc((size_t)numel * es + 1);
        unsigned char *b = bufs[i];
        for (size_t k = 0; k < (size_t)numel * es; k++) b[k] = next(&in);
        if (t.dtype == RNNRUN_BOOL)
            for (int64_t k = 0; k < numel; k++) b[k] &= 1;
        /* integer inputs (indices, shapes) mostly small: keep the sign byte, zero the middle */
        if (t.dtype == RNNRUN_INT64)
            for (int64_t k = 0; k < numel; k++) {
                int64_t v = (int8_t)b[8 * k];
                memcpy(b + 8 * k, &v, 8);
            }
        if (t.dtype == RNNRUN_INT32)
            for (int64_t k = 0; k < numel; k++) {
                int32_t v = (int8_t)b[4 * k];
                memcpy(b + 4 * k, &v, 4);
            }
        t.data = bufs[i];
        int st = rnnrun_session_set_input(s, i, &t);
        if (st != RNNRUN_OK && !rnnrun_session_errmsg(s)[0]) abort();
        if (st != RNNRUN_OK) ok = false;
    }
    if (ok) {
        for (int rep = 0; rep < 2; rep++) {
            int st = rnnrun_session_run(s);
            if (st != RNNRUN_OK) {
                if (!rnnrun_session_errmsg(s)[0]) abort();
                break;
            }
            for (int o = 0; o < rnnrun_model_output_count(m); o++) {
                rnnrun_tensor y;
                if (rnnrun_session_output(s, o, &y)) abort();
                size_t nb = rnnrun_dtype_size((int)y.dtype);
                for (int d = 0; d < y.rank; d++) nb *= (size_t)y.shape[d];
                /* read every output byte, so ASan sees any output that points at freed or
                 * too-small storage */
                volatile unsigned char sink = 0;
                for (size_t k = 0; k < nb; k++) sink ^= ((const unsigned char *)y.data)[k];
                (void)sink;
            }
        }
    }
    for (int i = 0; i < n_in; i++) free(bufs[i]);
    free(bufs);
    rnnrun_session_free(s);
    rnnrun_model_free(m);
    return 0;
}
