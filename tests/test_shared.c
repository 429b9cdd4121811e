/* The shared library on its own: this program sees only rnnrun.h and links librnnrun.so, so it
 * proves the exported symbols suffice. Runs models/loop_tanh on zeros; the expected values are
 * PyTorch's for x = zeros(2, 6, 16) with the case's weights (tools/export_models.py, seed 0). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnnrun.h"

START_TEST(loop_model_through_the_shared_library) {
    const char *root = getenv("RNNRUN_SOURCE_ROOT");
    char path[4096], err[512];
    snprintf(path, sizeof path, "%s/models/loop_tanh/model.onnx", root ? root : ".");
    rnnrun_model *m;
    ck_assert_msg(rnnrun_model_load_file(path, &m, err, sizeof err) == RNNRUN_OK, "%s", err);
    rnnrun_session *s;
    ck_assert_int_eq(rnnrun_session_new(m, &s), RNNRUN_OK);
    static float x[2 * 6 * 16];
    rnnrun_tensor t = {RNNRUN_FLOAT, 3, {2, 6, 16}, x};
    ck_assert_int_eq(rnnrun_session_set_input(s, 0, &t), RNNRUN_OK);
    ck_assert_msg(rnnrun_session_run(s) == RNNRUN_OK, "%s", rnnrun_session_errmsg(s));
    rnnrun_tensor y;
    ck_assert_int_eq(rnnrun_session_output(s, 0, &y), RNNRUN_OK);
    ck_assert_int_eq(y.dtype, RNNRUN_FLOAT);
    ck_assert_int_eq(y.rank, 2);
    ck_assert_int_eq(y.shape[0], 2);
    ck_assert_int_eq(y.shape[1], 5);
    const float want[5] = {0.37924758f, 0.56059808f, 0.61618841f, 0.60465419f, 0.41606122f};
    const float *got = y.data;
    for (int r = 0; r < 2; r++)
        for (int i = 0; i < 5; i++) ck_assert_float_eq_tol(got[r * 5 + i], want[i], 1e-6);
    rnnrun_session_free(s);
    rnnrun_model_free(m);
}
END_TEST

int main(void) {
    Suite *su = suite_create("shared");
    TCase *tc = tcase_create("shared");
    tcase_add_test(tc, loop_model_through_the_shared_library);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
