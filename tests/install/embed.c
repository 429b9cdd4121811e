/* A program that embeds rnnrun the way a user's would: built by tests/install_test.sh against an
 * installed copy (rnnrun.h and librnnrun found through rnnrun.pc), never against the source tree.
 * Usage: embed MODEL_DIR — runs MODEL_DIR/model.onnx (models/loop_tanh) on zeros (2, 6, 16) with a
 * counting allocator, checks PyTorch's values for that input (tools/export_models.py, seed 0) and
 * prints "ok <allocations>". Exit status 0 only if everything matched and nothing leaked. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <rnnrun.h>

typedef struct counter {
    long allocs, live;
} counter;

static void *count_alloc(void *user, size_t size) {
    counter *c = user;
    void *p = malloc(size);
    if (p) {
        c->allocs++;
        c->live++;
    }
    return p;
}

static void count_free(void *user, void *p) {
    ((counter *)user)->live--;
    free(p);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: embed MODEL_DIR\n");
        return 2;
    }
    if (rnnrun_version()[0] != RNNRUN_VERSION[0]) {
        fprintf(stderr, "header %s, library %s\n", RNNRUN_VERSION, rnnrun_version());
        return 1;
    }
    char path[4096], err[1024];
    snprintf(path, sizeof path, "%s/model.onnx", argv[1]);
    rnnrun_model *m;
    if (rnnrun_model_load_file(path, &m, err, sizeof err) != RNNRUN_OK) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    counter c = {0, 0};
    rnnrun_session_options opt;
    rnnrun_session_options_init(&opt);
    opt.allocator.alloc = count_alloc;
    opt.allocator.free = count_free;
    opt.allocator.user = &c;
    rnnrun_session *s;
    int st = rnnrun_session_new_with_options(m, &opt, &s);
    if (st != RNNRUN_OK) {
        fprintf(stderr, "session: %s\n", rnnrun_status_str(st));
        rnnrun_model_free(m);
        return 1;
    }
    static float x[2 * 6 * 16];
    rnnrun_tensor t = {RNNRUN_FLOAT, 3, {2, 6, 16}, x};
    rnnrun_tensor y;
    int bad = 0;
    if (rnnrun_session_set_input(s, 0, &t) || rnnrun_session_run(s) || rnnrun_session_output(s, 0, &y)) {
        fprintf(stderr, "%s\n", rnnrun_session_errmsg(s));
        bad = 1;
    } else {
        static const float want[5] = {0.37924758f, 0.56059808f, 0.61618841f, 0.60465419f, 0.41606122f};
        bad = y.dtype != RNNRUN_FLOAT || y.rank != 2 || y.shape[0] != 2 || y.shape[1] != 5;
        for (int i = 0; !bad && i < 10; i++) bad = fabsf(((const float *)y.data)[i] - want[i % 5]) > 1e-6f;
        if (bad) fprintf(stderr, "wrong output\n");
    }
    rnnrun_session_free(s);
    rnnrun_model_free(m);
    if (c.live != 0 || c.allocs == 0) {
        fprintf(stderr, "allocator: %ld allocations, %ld not freed\n", c.allocs, c.live);
        bad = 1;
    }
    if (!bad) printf("ok %ld\n", c.allocs);
    return bad;
}
