/* Streaming: on every forward model of the zoo (models/<case> with a dynamic sequence axis),
 * feeding the sequence in chunks of 1, 3 and the full length with streaming on gives the outputs
 * of one whole run (per-step outputs chunk by chunk, the rest after the last chunk). Models with
 * a reverse or bidirectional node refuse streaming; resetting the state starts over; the batch
 * cannot change while a state is carried; misuse gives exact statuses. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npy.h"
#include "testutil.h"

typedef struct loaded {
    rnnrun_model *m;
    int n_in, n_out;
    rr_tensor in[8];
    int seq_axis;          /* of input 0: the dimension named "seq", or -1 */
} loaded;

static bool load_case(const char *dir, loaded *L) {
    char path[4200];
    snprintf(path, sizeof path, "%s/model.onnx", dir);
    char err[1200];
    ck_assert_msg(rnnrun_model_load_file(path, &L->m, err, sizeof err) == RNNRUN_OK, "%s", err);
    L->n_in = rnnrun_model_input_count(L->m);
    L->n_out = rnnrun_model_output_count(L->m);
    ck_assert_int_le(L->n_in, 8);
    for (int i = 0; i < L->n_in; i++) {
        rr_err e = {0};
        snprintf(path, sizeof path, "%s/input_%d.npy", dir, i);
        ck_assert_msg(rr_npy_read(path, &L->in[i], &e) == RNNRUN_OK, "%s", e.msg);
    }
    int dtype, rank;
    int64_t dims[RNNRUN_MAX_RANK];
    const char *params[RNNRUN_MAX_RANK];
    L->seq_axis = -1;
    ck_assert_int_eq(rnnrun_model_input_info(L->m, 0, &dtype, &rank, dims, params), RNNRUN_OK);
    for (int d = 0; d < rank; d++)
        if (params[d] && !strcmp(params[d], "seq")) L->seq_axis = d;
    return true;
}

static void free_case(loaded *L) {
    for (int i = 0; i < L->n_in; i++) free(L->in[i].data);
    rnnrun_model_free(L->m);
}

/* elements [start, start+len) of t along axis, as a dense copy */
static rr_tensor slice(const rr_tensor *t, int axis, int64_t start, int64_t len) {
    rr_tensor s = *t;
    s.dims[axis] = len;
    s.numel = t->numel / t->dims[axis] * len;
    size_t es = rr_dtype_size(t->dtype);
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < axis; d++) outer *= t->dims[d];
    for (int d = axis + 1; d < t->rank; d++) inner *= t->dims[d];
    s.data = malloc((size_t)(s.numel ? s.numel : 1) * es);
    for (int64_t o = 0; o < outer; o++)
        memcpy((char *)s.data + (size_t)(o * len * inner) * es,
               (const char *)t->data + (size_t)((o * t->dims[axis] + start) * inner) * es, (size_t)(len * inner) * es);
    return s;
}

/* An output kept as an rr_tensor copy. */
static rr_tensor keep(const rnnrun_tensor *o) {
    rr_tensor t = {.dtype = o->dtype, .rank = o->rank, .numel = 1};
    for (int d = 0; d < o->rank; d++) t.dims[d] = o->shape[d], t.numel *= o->shape[d];
    size_t bytes = (size_t)t.numel * rr_dtype_size(o->dtype);
    t.data = malloc(bytes ? bytes : 1);
    memcpy(t.data, o->data, bytes);
    return t;
}

/* Run L in chunks of `chunk` along its sequence axis with streaming on; compare with whole[]. */
static void stream_and_compare(const char *name, loaded *L, const rr_tensor *whole, int64_t chunk) {
    rnnrun_session *s;
    ck_assert_int_eq(rnnrun_session_new(L->m, &s), RNNRUN_OK);
    ck_assert_int_eq(rnnrun_session_set_streaming(s, 1), RNNRUN_OK);
    const int64_t T = L->in[0].dims[L->seq_axis];
    rr_tensor acc[8];
    int acc_axis[8];
    for (int o = 0; o < L->n_out; o++) acc[o] = whole[o], acc_axis[o] = -1;
    for (int i = 1; i < L->n_in; i++) {
        rnnrun_tensor t = tu_api_tensor(&L->in[i]);
        ck_assert_int_eq(rnnrun_session_set_input(s, i, &t), RNNRUN_OK);
    }
    for (int64_t start = 0; start < T; start += chunk) {
        int64_t len = start + chunk <= T ? chunk : T - start;
        rr_tensor part = slice(&L->in[0], L->seq_axis, start, len);
        rnnrun_tensor t = tu_api_tensor(&part);
        ck_assert_msg(rnnrun_session_set_input(s, 0, &t) == RNNRUN_OK, "%s", rnnrun_session_errmsg(s));
        ck_assert_msg(rnnrun_session_run(s) == RNNRUN_OK, "%s: %s", name, rnnrun_session_errmsg(s));
        bool last = start + len == T;
        for (int o = 0; o < L->n_out; o++) {
            rnnrun_tensor got;
            ck_assert_int_eq(rnnrun_session_output(s, o, &got), RNNRUN_OK);
            /* a per-step output: the one axis where the chunk's shape differs from the whole's */
            int axis = -1;
            if (len != T)
                for (int d = 0; d < got.rank; d++)
                    if (got.shape[d] != whole[o].dims[d]) axis = d;
            if (axis >= 0) {
                ck_assert_int_eq(got.shape[axis], len);
                rr_tensor want = slice(&whole[o], axis, start, len);
                char what[200];
                snprintf(what, sizeof what, "%s chunk %lld output %d steps %lld..", name, (long long)chunk, o,
                         (long long)start);
                tu_match(what, &got, &want, 1e-5, 1e-4);
                free(want.data);
                acc_axis[o] = axis;
            } else if (last) {
                char what[200];
                snprintf(what, sizeof what, "%s chunk %lld output %d (final)", name, (long long)chunk, o);
                tu_match(what, &got, &acc[o], 1e-5, 1e-4);
            }
        }
        free(part.data);
    }
    /* the carried state is forgotten on reset: the first chunk again gives a fresh start */
    if (chunk < T) {
        ck_assert_int_eq(rnnrun_session_reset_state(s), RNNRUN_OK);
        rr_tensor part = slice(&L->in[0], L->seq_axis, 0, chunk);
        rnnrun_tensor t = tu_api_tensor(&part);
        ck_assert_int_eq(rnnrun_session_set_input(s, 0, &t), RNNRUN_OK);
        ck_assert_int_eq(rnnrun_session_run(s), RNNRUN_OK);
        for (int o = 0; o < L->n_out; o++) {
            if (acc_axis[o] < 0) continue;
            rnnrun_tensor got;
            ck_assert_int_eq(rnnrun_session_output(s, o, &got), RNNRUN_OK);
            rr_tensor want = slice(&whole[o], acc_axis[o], 0, chunk);
            tu_match("after reset", &got, &want, 1e-5, 1e-4);
            free(want.data);
        }
        free(part.data);
    }
    rnnrun_session_free(s);
}

START_TEST(zoo_chunks_equal_whole_runs) {
    char root[4096];
    snprintf(root, sizeof root, "%s/models", tu_source_root());
    DIR *dir = opendir(root);
    ck_assert_ptr_nonnull(dir);
    struct dirent *e;
    int streamed = 0, refused = 0;
    while ((e = readdir(dir))) {
        if (e->d_name[0] == '.') continue;
        char path[4600];
        snprintf(path, sizeof path, "%s/%s", root, e->d_name);
        loaded L;
        load_case(path, &L);
        rnnrun_session *s;
        ck_assert_int_eq(rnnrun_session_new(L.m, &s), RNNRUN_OK);
        int st = rnnrun_session_set_streaming(s, 1);
        if (st != RNNRUN_OK) {
            ck_assert_int_eq(st, RNNRUN_ERR_UNSUPPORTED);
            ck_assert_msg(strstr(rnnrun_session_errmsg(s), "runs bidirectional: its outputs need the whole sequence"),
                          "%s", rnnrun_session_errmsg(s));
            refused++;
        }
        bool recurrent = false;
        for (int i = 0; i < rnnrun_model_node_count(L.m); i++) {
            const char *op = rnnrun_model_node_op(L.m, i);
            recurrent = recurrent || !strcmp(op, "RNN") || !strcmp(op, "GRU") || !strcmp(op, "LSTM");
        }
        /* streaming carries the state of recurrent nodes: other models have nothing to carry */
        if (st != RNNRUN_OK || L.seq_axis < 0 || !recurrent) {
            rnnrun_session_free(s);
            free_case(&L);
            continue;
        }
        ck_assert_int_eq(rnnrun_session_set_streaming(s, 0), RNNRUN_OK);
        for (int i = 0; i < L.n_in; i++) {
            rnnrun_tensor t = tu_api_tensor(&L.in[i]);
            ck_assert_int_eq(rnnrun_session_set_input(s, i, &t), RNNRUN_OK);
        }
        ck_assert_msg(rnnrun_session_run(s) == RNNRUN_OK, "%s", rnnrun_session_errmsg(s));
        rr_tensor whole[8];
        for (int o = 0; o < L.n_out; o++) {
            rnnrun_tensor got;
            ck_assert_int_eq(rnnrun_session_output(s, o, &got), RNNRUN_OK);
            whole[o] = keep(&got);
        }
        rnnrun_session_free(s);
        const int64_t T = L.in[0].dims[L.seq_axis];
        printf("%s: T %lld, chunks of 1, 3 and %lld\n", e->d_name, (long long)T, (long long)T);
        stream_and_compare(e->d_name, &L, whole, 1);
        stream_and_compare(e->d_name, &L, whole, 3);
        stream_and_compare(e->d_name, &L, whole, T);
        for (int o = 0; o < L.n_out; o++) free(whole[o].data);
        free_case(&L);
        streamed++;
    }
    closedir(dir);
    printf("%d models streamed, %d refused\n", streamed, refused);
    ck_assert_int_ge(streamed, 10);
    ck_assert_int_ge(refused, 5);
}
END_TEST

/* Misuse, the batch rule, and a failed run followed by a good one. */
START_TEST(streaming_rules) {
    ck_assert_int_eq(rnnrun_session_set_streaming(NULL, 1), RNNRUN_ERR_ARG);
    ck_assert_int_eq(rnnrun_session_reset_state(NULL), RNNRUN_ERR_ARG);
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/models/mtm_relu", tu_source_root());
    loaded L;
    load_case(dir, &L); /* x (batch, seq, 15) */
    rnnrun_session *s;
    ck_assert_int_eq(rnnrun_session_new(L.m, &s), RNNRUN_OK);
    ck_assert_int_eq(rnnrun_session_reset_state(s), RNNRUN_OK); /* not streaming: fine */
    ck_assert_int_eq(rnnrun_session_set_streaming(s, 1), RNNRUN_OK);
    rr_tensor a = slice(&L.in[0], 1, 0, 2), b = slice(&L.in[0], 0, 0, 1);
    rnnrun_tensor ta = tu_api_tensor(&a), tb = tu_api_tensor(&b);
    ck_assert_int_eq(rnnrun_session_set_input(s, 0, &ta), RNNRUN_OK);
    ck_assert_int_eq(rnnrun_session_run(s), RNNRUN_OK);
    /* another batch while a state is carried */
    tb.shape[1] = 1; /* (1, 1, 15): batch 1, one step */
    ck_assert_int_eq(rnnrun_session_set_input(s, 0, &tb), RNNRUN_OK);
    ck_assert_int_eq(rnnrun_session_run(s), RNNRUN_ERR_STATE);
    ck_assert_msg(strstr(rnnrun_session_errmsg(s), "the streamed state has batch 4 but this run has batch 1"), "%s",
                  rnnrun_session_errmsg(s));
    rnnrun_tensor o;
    ck_assert_int_eq(rnnrun_session_output(s, 0, &o), RNNRUN_ERR_STATE);
    /* a wrong input shape fails before any node; fixing it continues the stream */
    rnnrun_tensor bad = ta;
    bad.shape[2] = 14;
    ck_assert_int_eq(rnnrun_session_set_input(s, 0, &bad), RNNRUN_ERR_SHAPE);
    ck_assert_int_eq(rnnrun_session_set_input(s, 0, &ta), RNNRUN_OK);
    ck_assert_int_eq(rnnrun_session_run(s), RNNRUN_OK);
    /* after a reset the batch may change */
    ck_assert_int_eq(rnnrun_session_reset_state(s), RNNRUN_OK);
    ck_assert_int_eq(rnnrun_session_set_input(s, 0, &tb), RNNRUN_OK);
    ck_assert_int_eq(rnnrun_session_run(s), RNNRUN_OK);
    free(a.data);
    free(b.data);
    rnnrun_session_free(s);
    free_case(&L);
}
END_TEST

int main(void) {
    const TTest *tests[] = {zoo_chunks_equal_whole_runs, streaming_rules};
    return tu_main("streaming", tests, 2);
}
