/* End to end: one case folder (model.onnx, input_<i>.npy, expected_<i>.npy from PyTorch or ONNX
 * Runtime) through the library and through the rnnrun CLI. Usage: test_models CASE_DIR [RTOL].
 * Outputs must match within 1e-5 absolute plus RTOL (default 0) relative; integer outputs exactly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "npy.h"
#include "testutil.h"

#define ATOL 1e-5

static const char *g_case; /* the case folder, from argv[1] */
static double g_rtol;      /* relative tolerance, from argv[2] */

/* Count consecutive files prefix_<i>.npy. */
static int count_files(const char *dir, const char *prefix) {
    int n = 0;
    for (;; n++) {
        char p[4200];
        snprintf(p, sizeof p, "%s/%s_%d.npy", dir, prefix, n);
        if (access(p, R_OK) != 0) return n;
    }
}

static rr_tensor read_npy(const char *dir, const char *prefix, int i) {
    char p[4200];
    snprintf(p, sizeof p, "%s/%s_%d.npy", dir, prefix, i);
    rr_tensor t;
    rr_err err = {0};
    ck_assert_msg(rr_npy_read(p, &t, &err) == RNNRUN_OK, "%s: %s", p, err.msg);
    return t;
}

/* got must equal expected_<i>.npy within ATOL + g_rtol * |expected| */
static void compare(int i, const rnnrun_tensor *got) {
    rr_tensor want = read_npy(g_case, "expected", i);
    char what[64], shape[200];
    snprintf(what, sizeof what, "output %d (vs expected)", i);
    double maxerr = tu_match(what, got, &want, ATOL, g_rtol);
    printf("  output %d %s %s: max abs error %.3g\n", i, rr_dtype_name(want.dtype),
           rr_shape_str(want.dims, want.rank, shape, sizeof shape), maxerr);
    free(want.data);
}

START_TEST(library) {
    char path[4200];
    snprintf(path, sizeof path, "%s/model.onnx", g_case);
    rnnrun_model *m;
    char err[1200];
    ck_assert_msg(rnnrun_model_load_file(path, &m, err, sizeof err) == RNNRUN_OK, "%s", err);
    int n_in = count_files(g_case, "input"), n_out = count_files(g_case, "expected");
    ck_assert_int_eq(n_in, rnnrun_model_input_count(m));
    ck_assert_int_eq(n_out, rnnrun_model_output_count(m));
    rnnrun_session *s;
    ck_assert_int_eq(rnnrun_session_new(m, &s), RNNRUN_OK);
    rr_tensor *in = calloc((size_t)n_in + 1, sizeof *in);
    for (int i = 0; i < n_in; i++) {
        in[i] = read_npy(g_case, "input", i);
        rnnrun_tensor t = tu_api_tensor(&in[i]);
        ck_assert_msg(rnnrun_session_set_input(s, i, &t) == RNNRUN_OK, "%s", rnnrun_session_errmsg(s));
    }
    /* twice: the second run reuses the plan and must give the same answer */
    for (int round = 0; round < 2; round++) {
        ck_assert_msg(rnnrun_session_run(s) == RNNRUN_OK, "%s", rnnrun_session_errmsg(s));
        for (int i = 0; i < n_out; i++) {
            rnnrun_tensor o;
            ck_assert_int_eq(rnnrun_session_output(s, i, &o), RNNRUN_OK);
            compare(i, &o);
        }
    }
    for (int i = 0; i < n_in; i++) free(in[i].data);
    free(in);
    rnnrun_session_free(s);
    rnnrun_model_free(m);
}
END_TEST

START_TEST(cli) {
    const char *exe = getenv("RNNRUN_CLI");
    ck_assert_msg(exe && exe[0], "RNNRUN_CLI is not set");
    int n_in = count_files(g_case, "input"), n_out = count_files(g_case, "expected");
    char *dir = tu_tmpdir();
    char model[4200], outdir[4200];
    snprintf(model, sizeof model, "%s/model.onnx", g_case);
    snprintf(outdir, sizeof outdir, "%s/out", dir);
    const char **argv = calloc((size_t)n_in + 8, sizeof *argv);
    char (*inputs)[4200] = calloc((size_t)n_in + 1, sizeof *inputs);
    int k = 0;
    argv[k++] = exe;
    argv[k++] = model;
    for (int i = 0; i < n_in; i++) {
        snprintf(inputs[i], sizeof inputs[i], "%s/input_%d.npy", g_case, i);
        argv[k++] = inputs[i];
    }
    argv[k++] = "-o";
    argv[k++] = outdir;
    argv[k] = NULL;
    char *out = NULL, *err = NULL;
    int rc = tu_exec(argv, &out, &err);
    ck_assert_msg(rc == 0, "rnnrun exited %d: %s", rc, err ? err : "");
    ck_assert_str_eq(err, "");
    for (int i = 0; i < n_out; i++) {
        rr_tensor got = read_npy(outdir, "output", i);
        rnnrun_tensor g = tu_api_tensor(&got);
        compare(i, &g);
        free(got.data);
    }
    free(out);
    free(err);
    /* without -o: prints every output */
    argv[k - 2] = NULL;
    rc = tu_exec(argv, &out, &err);
    ck_assert_msg(rc == 0, "rnnrun exited %d: %s", rc, err ? err : "");
    rnnrun_model *m;
    ck_assert_int_eq(rnnrun_model_load_file(model, &m, NULL, 0), RNNRUN_OK);
    for (int i = 0; i < n_out; i++) {
        char want[300];
        snprintf(want, sizeof want, "%s: ", rnnrun_model_output_name(m, i));
        ck_assert_msg(strstr(out, want) != NULL, "stdout lacks '%s': %s", want, out);
    }
    rnnrun_model_free(m);
    free(out);
    free(err);
    free(argv);
    free(inputs);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

int main(int argc, char **argv) {
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: test_models CASE_DIR [RTOL]\n");
        return 2;
    }
    g_case = argv[1];
    g_rtol = argc == 3 ? strtod(argv[2], NULL) : 0.0;
    printf("case %s\n", g_case);
    Suite *s = suite_create("models");
    TCase *tc = tcase_create("models");
    tcase_add_test(tc, library);
    tcase_add_test(tc, cli);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
