/* ONNX backend node tests: one case folder (model.onnx, test_data_set_N/input_<i>.pb and
 * output_<i>.pb, serialized TensorProtos) through the library; outputs must match the ONNX
 * reference within 1e-5 absolute + 1e-4 relative (integers and bools exactly).
 *
 * usage: test_onnx_node CASE_DIR [--skip-unsupported]
 * With --skip-unsupported, a case whose model uses an op rnnrun does not implement exits 77
 * (meson's "skipped") instead of failing: used for Debian's ONNX 1.12 test data, which covers
 * every ONNX op, not just those of recurrent models. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "onnx.pb-c.h"
#include "testutil.h"

#define ATOL 1e-5
#define RTOL 1e-4

static const char *g_case;

/* Read a serialized TensorProto into a tensor from pool; returns false if the file is absent. */
static bool read_pb(rr_pool *pool, const char *path, rr_tensor **t, char *name, size_t name_size) {
    size_t n;
    uint8_t *buf = (uint8_t *)tu_read_file(path, &n);
    if (!buf) return false;
    Onnx__TensorProto *tp = onnx__tensor_proto__unpack(NULL, n, buf);
    free(buf);
    ck_assert_msg(tp != NULL, "%s: not a TensorProto", path);
    snprintf(name, name_size, "%s", tp->name ? tp->name : "");
    rr_err err = {0};
    int st = rr_tensor_from_proto(pool, tp, NULL, INT64_MAX / 2, path, t, &err);
    onnx__tensor_proto__free_unpacked(tp, NULL);
    ck_assert_msg(st == RNNRUN_OK, "%s", err.msg);
    return true;
}

static void run_set(const rnnrun_model *m, const char *set) {
    rr_pool pool;
    rr_pool_init(&pool, NULL);
    rnnrun_session *s;
    ck_assert_int_eq(rnnrun_session_new(m, &s), RNNRUN_OK);
    int pos = 0;
    for (int i = 0;; i++) {
        char p[4400], name[512];
        snprintf(p, sizeof p, "%s/input_%d.pb", set, i);
        rr_tensor *t;
        if (!read_pb(&pool, p, &t, name, sizeof name)) break;
        rnnrun_tensor in = tu_api_tensor(t);
        int st = name[0] && rnnrun_model_input_index(m, name) >= 0 ? rnnrun_session_set_input_by_name(s, name, &in)
                                                                    : rnnrun_session_set_input(s, pos, &in);
        pos++;
        ck_assert_msg(st == RNNRUN_OK, "%s: %s", p, rnnrun_session_errmsg(s));
    }
    int st = rnnrun_session_run(s);
    ck_assert_msg(st == RNNRUN_OK, "run failed (%s): %s", rnnrun_status_str(st), rnnrun_session_errmsg(s));
    int n_out = 0;
    for (int i = 0;; i++) {
        char p[4400], name[512];
        snprintf(p, sizeof p, "%s/output_%d.pb", set, i);
        rr_tensor *want;
        if (!read_pb(&pool, p, &want, name, sizeof name)) break;
        int idx = name[0] ? rnnrun_model_output_index(m, name) : -1;
        if (idx < 0) idx = i;
        rnnrun_tensor got;
        ck_assert_int_eq(rnnrun_session_output(s, idx, &got), RNNRUN_OK);
        char what[4500];
        snprintf(what, sizeof what, "%s output %d", set, i);
        tu_match(what, &got, want, ATOL, RTOL);
        n_out++;
    }
    ck_assert_msg(n_out > 0, "%s has no outputs", set);
    rnnrun_session_free(s);
    rr_pool_free(&pool);
}

START_TEST(node_case) {
    char path[4200];
    snprintf(path, sizeof path, "%s/model.onnx", g_case);
    rnnrun_model *m;
    char err[1200];
    int st = rnnrun_model_load_file(path, &m, err, sizeof err);
    ck_assert_msg(st == RNNRUN_OK, "load failed (%s): %s", rnnrun_status_str(st), err);
    DIR *d = opendir(g_case);
    ck_assert_ptr_nonnull(d);
    int sets = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, "test_data_set_", 14) != 0) continue;
        char set[4300];
        snprintf(set, sizeof set, "%s/%s", g_case, e->d_name);
        run_set(m, set);
        sets++;
    }
    closedir(d);
    ck_assert_msg(sets > 0, "no test_data_set_* in %s", g_case);
    rnnrun_model_free(m);
}
END_TEST

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: test_onnx_node CASE_DIR [--skip-unsupported]\n");
        return 2;
    }
    g_case = argv[1];
    if (argc > 2 && strcmp(argv[2], "--skip-unsupported") == 0) {
        char path[4200], err[1200];
        snprintf(path, sizeof path, "%s/model.onnx", g_case);
        rnnrun_model *m;
        int st = rnnrun_model_load_file(path, &m, err, sizeof err);
        if (st == RNNRUN_ERR_UNSUPPORTED) {
            printf("SKIP (not implemented): %s\n", err);
            return 77;
        }
        rnnrun_model_free(m);
    }
    Suite *s = suite_create("onnx-node");
    TCase *tc = tcase_create("case");
    tcase_add_test(tc, node_case);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
