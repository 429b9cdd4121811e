/* Threads: one model shared by four threads, each running its own session at the same time,
 * gives exactly (bit for bit) the single-thread answers. Run it under -Db_sanitize=thread too. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npy.h"
#include "testutil.h"

#define N_THREADS 4
#define ROUNDS 40
#define MAX_BATCH 8

typedef struct shared {
    const rnnrun_model *m;
    const float *x;                      /* input_0.npy (8, 6, 16) */
    float want[MAX_BATCH + 1][MAX_BATCH * 5]; /* [batch] single-thread output (batch, 5) */
    pthread_barrier_t start;
} shared;

typedef struct worker {
    shared *sh;
    int id;
    int runs, mismatches, status;
    char msg[1200];
} worker;

static void *work(void *arg) {
    worker *w = arg;
    shared *sh = w->sh;
    rnnrun_session *s = NULL;
    rnnrun_session_options o;
    rnnrun_session_options_init(&o);
    o.n_threads = w->id + 1;
    pthread_barrier_wait(&sh->start); /* sessions are created concurrently too */
    w->status = rnnrun_session_new_with_options(sh->m, &o, &s);
    if (w->status) return NULL;
    for (int r = 0; r < ROUNDS; r++) {
        int batch = 1 + (r * 3 + w->id) % MAX_BATCH; /* each thread walks the shapes in its own order */
        rnnrun_tensor t = {RNNRUN_FLOAT, 3, {batch, 6, 16}, (void *)sh->x};
        rnnrun_tensor y;
        if ((w->status = rnnrun_session_set_input(s, 0, &t)) || (w->status = rnnrun_session_run(s)) ||
            (w->status = rnnrun_session_output(s, 0, &y))) {
            snprintf(w->msg, sizeof w->msg, "%s", rnnrun_session_errmsg(s));
            break;
        }
        w->runs++;
        if (y.rank != 2 || y.shape[0] != batch || y.shape[1] != 5 ||
            memcmp(y.data, sh->want[batch], (size_t)batch * 5 * sizeof(float)) != 0)
            w->mismatches++;
    }
    rnnrun_session_free(s);
    return NULL;
}

START_TEST(four_threads_give_single_thread_answers) {
    char path[4200], err[1200];
    snprintf(path, sizeof path, "%s/models/loop_tanh/model.onnx", tu_source_root());
    rnnrun_model *m;
    ck_assert_msg(rnnrun_model_load_file(path, &m, err, sizeof err) == RNNRUN_OK, "%s", err);
    snprintf(path, sizeof path, "%s/models/loop_tanh/input_0.npy", tu_source_root());
    rr_tensor x;
    rr_err e = {0};
    ck_assert_msg(rr_npy_read(path, &x, &e) == RNNRUN_OK, "%s", e.msg);
    ck_assert_int_eq(x.numel, MAX_BATCH * 6 * 16);
    static shared sh;
    sh.m = m;
    sh.x = x.data;

    /* the single-thread answers; the full batch must equal PyTorch's expected_0.npy */
    rnnrun_session *s;
    ck_assert_int_eq(rnnrun_session_new(m, &s), RNNRUN_OK);
    for (int b = 1; b <= MAX_BATCH; b++) {
        rnnrun_tensor t = {RNNRUN_FLOAT, 3, {b, 6, 16}, x.data};
        ck_assert_int_eq(rnnrun_session_set_input(s, 0, &t), RNNRUN_OK);
        ck_assert_msg(rnnrun_session_run(s) == RNNRUN_OK, "%s", rnnrun_session_errmsg(s));
        char shape[16];
        snprintf(shape, sizeof shape, "%d,5", b);
        memcpy(sh.want[b], tu_output(s, 0, RNNRUN_FLOAT, shape), (size_t)b * 5 * sizeof(float));
    }
    rnnrun_session_free(s);
    snprintf(path, sizeof path, "%s/models/loop_tanh/expected_0.npy", tu_source_root());
    rr_tensor want;
    ck_assert_msg(rr_npy_read(path, &want, &e) == RNNRUN_OK, "%s", e.msg);
    tu_close_f32(sh.want[MAX_BATCH], want.data, MAX_BATCH * 5, 1e-5, 0);
    free(want.data);

    ck_assert_int_eq(pthread_barrier_init(&sh.start, NULL, N_THREADS), 0);
    pthread_t th[N_THREADS];
    worker w[N_THREADS];
    for (int i = 0; i < N_THREADS; i++) {
        w[i] = (worker){.sh = &sh, .id = i};
        ck_assert_int_eq(pthread_create(&th[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < N_THREADS; i++) ck_assert_int_eq(pthread_join(th[i], NULL), 0);
    pthread_barrier_destroy(&sh.start);
    for (int i = 0; i < N_THREADS; i++) {
        ck_assert_msg(w[i].status == RNNRUN_OK, "thread %d: status %d: %s", i, w[i].status, w[i].msg);
        ck_assert_int_eq(w[i].runs, ROUNDS);
        ck_assert_msg(w[i].mismatches == 0, "thread %d: %d of %d runs differ from the single-thread answer", i,
                      w[i].mismatches, ROUNDS);
    }
    free(x.data);
    rnnrun_model_free(m);
}
END_TEST

int main(void) {
    const TTest *tests[] = {four_threads_give_single_thread_answers};
    return tu_main("threads", tests, 1);
}
