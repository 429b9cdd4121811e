/* The C API: handles, status codes, binding rules, outputs, plan caching, allocation-free runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* y = x + b, b = [1, 2, 3]; x declared (batch, 3) float */
static mb *add_model(void) {
    mb *b = mb_new(8, 13);
    mb_input(b, "x", RNNRUN_FLOAT, "batch,3");
    mb_output(b, "y", RNNRUN_FLOAT, "batch,3");
    static const float bias[3] = {1, 2, 3};
    mb_init_f(b, "b", "3", bias, 3);
    mb_node(b, "Add", "x,b", "y");
    return b;
}

START_TEST(version_and_status) {
    ck_assert_str_eq(rnnrun_version(), RNNRUN_VERSION);
    ck_assert_int_eq(RNNRUN_VERSION_NUMBER,
                     RNNRUN_VERSION_MAJOR * 1000000 + RNNRUN_VERSION_MINOR * 1000 + RNNRUN_VERSION_PATCH);
    ck_assert_str_eq(rnnrun_status_str(RNNRUN_OK), "ok");
    ck_assert_str_eq(rnnrun_status_str(RNNRUN_ERR_UNSUPPORTED), "unsupported");
    ck_assert_str_eq(rnnrun_status_str(RNNRUN_ERR_SHAPE), "wrong shape");
    ck_assert_str_eq(rnnrun_status_str(12345), "unknown status");
    ck_assert_str_eq(rnnrun_dtype_name(RNNRUN_FLOAT), "float32");
    ck_assert_str_eq(rnnrun_dtype_name(RNNRUN_INT64), "int64");
    ck_assert_str_eq(rnnrun_dtype_name(99), "?");
    ck_assert_uint_eq(rnnrun_dtype_size(RNNRUN_DOUBLE), 8);
    ck_assert_uint_eq(rnnrun_dtype_size(RNNRUN_BOOL), 1);
    ck_assert_uint_eq(rnnrun_dtype_size(99), 0);
}
END_TEST

START_TEST(model_queries) {
    mb *b = add_model();
    rnnrun_model *m = tu_load(b);
    ck_assert_int_eq(rnnrun_model_input_count(m), 1);
    ck_assert_int_eq(rnnrun_model_output_count(m), 1);
    ck_assert_str_eq(rnnrun_model_input_name(m, 0), "x");
    ck_assert_str_eq(rnnrun_model_output_name(m, 0), "y");
    ck_assert_ptr_null(rnnrun_model_input_name(m, 1));
    ck_assert_ptr_null(rnnrun_model_input_name(m, -1));
    ck_assert_ptr_null(rnnrun_model_output_name(m, 1));
    ck_assert_int_eq(rnnrun_model_input_index(m, "x"), 0);
    ck_assert_int_eq(rnnrun_model_input_index(m, "b"), -1);
    ck_assert_int_eq(rnnrun_model_output_index(m, "y"), 0);
    ck_assert_int_eq(rnnrun_model_opset(m), 13);
    ck_assert_int_eq(rnnrun_model_ir_version(m), 8);
    ck_assert_int_eq(rnnrun_model_node_count(m), 1);
    ck_assert_str_eq(rnnrun_model_node_op(m, 0), "Add");
    int dt, rank;
    int64_t dims[RNNRUN_MAX_RANK];
    const char *params[RNNRUN_MAX_RANK];
    ck_assert_int_eq(rnnrun_model_input_info(m, 0, &dt, &rank, dims, params), RNNRUN_OK);
    ck_assert_int_eq(dt, RNNRUN_FLOAT);
    ck_assert_int_eq(rank, 2);
    ck_assert_int_eq(dims[0], -1);
    ck_assert_str_eq(params[0], "batch");
    ck_assert_int_eq(dims[1], 3);
    ck_assert_ptr_null(params[1]);
    ck_assert_int_eq(rnnrun_model_input_info(m, 5, &dt, &rank, dims, params), RNNRUN_ERR_RANGE);
    ck_assert_int_eq(rnnrun_model_output_info(m, 0, &dt, &rank, NULL, NULL), RNNRUN_OK);
    ck_assert_int_eq(rank, 2);
    rnnrun_model_free(m);
    mb_free(b);
}
END_TEST

START_TEST(null_handles) {
    ck_assert_int_eq(rnnrun_model_input_count(NULL), -1);
    ck_assert_int_eq(rnnrun_model_output_count(NULL), -1);
    ck_assert_ptr_null(rnnrun_model_input_name(NULL, 0));
    ck_assert_int_eq(rnnrun_model_input_info(NULL, 0, NULL, NULL, NULL, NULL), RNNRUN_ERR_ARG);
    rnnrun_model_free(NULL);
    rnnrun_session_free(NULL);
    rnnrun_session *s = (rnnrun_session *)1;
    ck_assert_int_eq(rnnrun_session_new(NULL, &s), RNNRUN_ERR_ARG);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(rnnrun_session_run(NULL), RNNRUN_ERR_ARG);
    ck_assert_int_eq(rnnrun_session_set_input(NULL, 0, NULL), RNNRUN_ERR_ARG);
    ck_assert_int_eq(rnnrun_session_output(NULL, 0, NULL), RNNRUN_ERR_ARG);
    ck_assert_ptr_nonnull(rnnrun_session_errmsg(NULL));
    char err[200];
    ck_assert_int_eq(rnnrun_model_load_file(NULL, NULL, err, sizeof err), RNNRUN_ERR_ARG);
    rnnrun_model *m = (rnnrun_model *)1;
    ck_assert_int_eq(rnnrun_model_load_buffer(NULL, 5, &m, err, sizeof err), RNNRUN_ERR_ARG);
    ck_assert_ptr_null(m);
    ck_assert_int_eq(rnnrun_model_load_file("/nonexistent/model.onnx", &m, err, sizeof err), RNNRUN_ERR_IO);
    ck_assert_ptr_null(m);
    ck_assert_msg(strstr(err, "/nonexistent/model.onnx") != NULL, "%s", err);
    /* a tiny error buffer is never overrun and stays terminated */
    char small[8];
    ck_assert_int_eq(rnnrun_model_load_file("/nonexistent/model.onnx", &m, small, sizeof small), RNNRUN_ERR_IO);
    ck_assert_int_eq(strlen(small), 7);
}
END_TEST

START_TEST(bind_run_output) {
    mb *b = add_model();
    rnnrun_model *m = tu_load(b);
    rnnrun_session *s;
    ck_assert_int_eq(rnnrun_session_new(m, &s), RNNRUN_OK);
    rnnrun_tensor out;
    ck_assert_int_eq(rnnrun_session_output(s, 0, &out), RNNRUN_ERR_STATE);
    ck_assert_int_eq(rnnrun_session_run(s), RNNRUN_ERR_STATE);
    ck_assert_msg(strstr(rnnrun_session_errmsg(s), "'x' is not bound") != NULL, "%s", rnnrun_session_errmsg(s));

    float x[6] = {0, 1, 2, 3, 4, 5};
    rnnrun_tensor t = tu_tensor(RNNRUN_FLOAT, "2,3", x);
    ck_assert_int_eq(rnnrun_session_set_input(s, 1, &t), RNNRUN_ERR_RANGE);
    ck_assert_int_eq(rnnrun_session_set_input(s, -1, &t), RNNRUN_ERR_RANGE);
    ck_assert_int_eq(rnnrun_session_set_input(s, 0, NULL), RNNRUN_ERR_ARG);
    rnnrun_tensor bad = tu_tensor(RNNRUN_DOUBLE, "2,3", x);
    ck_assert_int_eq(rnnrun_session_set_input(s, 0, &bad), RNNRUN_ERR_DTYPE);
    ck_assert_msg(strstr(rnnrun_session_errmsg(s), "expected dtype float32, got float64") != NULL, "%s",
                  rnnrun_session_errmsg(s));
    bad = tu_tensor(RNNRUN_FLOAT, "2,4", x);
    ck_assert_int_eq(rnnrun_session_set_input(s, 0, &bad), RNNRUN_ERR_SHAPE);
    ck_assert_msg(strstr(rnnrun_session_errmsg(s), "expected shape (batch, 3), got (2, 4)") != NULL, "%s",
                  rnnrun_session_errmsg(s));
    bad = tu_tensor(RNNRUN_FLOAT, "6", x);
    ck_assert_int_eq(rnnrun_session_set_input(s, 0, &bad), RNNRUN_ERR_SHAPE);
    bad = tu_tensor(RNNRUN_FLOAT, "2,3", x);
    bad.rank = RNNRUN_MAX_RANK + 1;
    ck_assert_int_eq(rnnrun_session_set_input(s, 0, &bad), RNNRUN_ERR_LIMIT);
    bad = tu_tensor(RNNRUN_FLOAT, "2,3", NULL);
    ck_assert_int_eq(rnnrun_session_set_input(s, 0, &bad), RNNRUN_ERR_ARG);
    bad = tu_tensor(42, "2,3", x);
    ck_assert_int_eq(rnnrun_session_set_input(s, 0, &bad), RNNRUN_ERR_DTYPE);
    ck_assert_int_eq(rnnrun_session_set_input_by_name(s, "nope", &t), RNNRUN_ERR_RANGE);
    ck_assert_int_eq(rnnrun_session_set_input_by_name(s, NULL, &t), RNNRUN_ERR_ARG);

    ck_assert_int_eq(rnnrun_session_set_input(s, 0, &t), RNNRUN_OK);
    ck_assert_int_eq(rnnrun_session_run(s), RNNRUN_OK);
    ck_assert_str_eq(rnnrun_session_errmsg(s), "");
    ck_assert_int_eq(rnnrun_session_output(s, 1, &out), RNNRUN_ERR_RANGE);
    ck_assert_int_eq(rnnrun_session_output(s, 0, NULL), RNNRUN_ERR_ARG);
    const float *y = tu_output(s, 0, RNNRUN_FLOAT, "2,3");
    const float want[6] = {1, 3, 5, 4, 6, 8};
    tu_close_f32(y, want, 6, 0, 0);

    /* a new batch size plans again; the old one is still cached */
    float x3[9] = {1, 1, 1, 2, 2, 2, 3, 3, 3};
    rnnrun_tensor t3 = tu_tensor(RNNRUN_FLOAT, "3,3", x3);
    ck_assert_int_eq(rnnrun_session_set_input(s, 0, &t3), RNNRUN_OK);
    ck_assert_int_eq(rnnrun_session_run(s), RNNRUN_OK);
    const float want3[9] = {2, 3, 4, 3, 4, 5, 4, 5, 6};
    tu_close_f32(tu_output(s, 0, RNNRUN_FLOAT, "3,3"), want3, 9, 0, 0);
    ck_assert_int_eq(rnnrun_session_set_input_by_name(s, "x", &t), RNNRUN_OK);
    ck_assert_int_eq(rnnrun_session_run(s), RNNRUN_OK);
    tu_close_f32(tu_output(s, 0, RNNRUN_FLOAT, "2,3"), want, 6, 0, 0);
    /* a zero-size batch is valid */
    rnnrun_tensor t0 = tu_tensor(RNNRUN_FLOAT, "0,3", NULL);
    ck_assert_int_eq(rnnrun_session_set_input(s, 0, &t0), RNNRUN_OK);
    ck_assert_int_eq(rnnrun_session_run(s), RNNRUN_OK);
    tu_output(s, 0, RNNRUN_FLOAT, "0,3");
    rnnrun_session_free(s);
    rnnrun_model_free(m);
    mb_free(b);
}
END_TEST

/* A failed run leaves the session usable once the input is fixed. */
START_TEST(recovers_after_failed_run) {
    mb *b = mb_new(8, 13);
    mb_input(b, "x", RNNRUN_FLOAT, NULL); /* no declared shape: any shape binds */
    mb_output(b, "y", RNNRUN_FLOAT, NULL);
    static const float w[6] = {1, 0, 0, 1, 1, 1};
    mb_init_f(b, "w", "3,2", w, 6);
    mb_node(b, "MatMul", "x,w", "y");
    rnnrun_model *m = tu_load(b);
    rnnrun_session *s;
    ck_assert_int_eq(rnnrun_session_new(m, &s), RNNRUN_OK);
    float x[4] = {1, 2, 3, 4};
    rnnrun_tensor bad = tu_tensor(RNNRUN_FLOAT, "2,2", x);
    ck_assert_int_eq(rnnrun_session_set_input(s, 0, &bad), RNNRUN_OK);
    ck_assert_int_eq(rnnrun_session_run(s), RNNRUN_ERR_SHAPE);
    ck_assert_msg(strstr(rnnrun_session_errmsg(s), "MatMul") != NULL, "%s", rnnrun_session_errmsg(s));
    rnnrun_tensor out;
    ck_assert_int_eq(rnnrun_session_output(s, 0, &out), RNNRUN_ERR_STATE);
    float x2[3] = {1, 2, 3};
    rnnrun_tensor good = tu_tensor(RNNRUN_FLOAT, "1,3", x2);
    ck_assert_int_eq(rnnrun_session_set_input(s, 0, &good), RNNRUN_OK);
    ck_assert_int_eq(rnnrun_session_run(s), RNNRUN_OK);
    const float want[2] = {4, 5};
    tu_close_f32(tu_output(s, 0, RNNRUN_FLOAT, "1,2"), want, 2, 0, 0);
    rnnrun_session_free(s);
    rnnrun_model_free(m);
    mb_free(b);
}
END_TEST

/* Old IR: an initializer listed as a graph input is a default the caller may override by name. */
START_TEST(defaulted_inputs) {
    mb *b = mb_new(3, 8);
    mb_input(b, "x", RNNRUN_FLOAT, "2");
    mb_input(b, "w", RNNRUN_FLOAT, "2");
    mb_output(b, "y", RNNRUN_FLOAT, "2");
    static const float w[2] = {10, 20};
    mb_init_f(b, "w", "2", w, 2);
    mb_node(b, "Mul", "x,w", "y");
    rnnrun_model *m = tu_load(b);
    ck_assert_int_eq(rnnrun_model_input_count(m), 1);
    float x[2] = {1, 2};
    rnnrun_tensor t = tu_tensor(RNNRUN_FLOAT, "2", x);
    rnnrun_session *s = tu_run(m, 1, &t);
    const float want[2] = {10, 40};
    tu_close_f32(tu_output(s, 0, RNNRUN_FLOAT, "2"), want, 2, 0, 0);
    float w2[2] = {-1, 3};
    rnnrun_tensor tw = tu_tensor(RNNRUN_FLOAT, "2", w2);
    ck_assert_int_eq(rnnrun_session_set_input_by_name(s, "w", &tw), RNNRUN_OK);
    ck_assert_int_eq(rnnrun_session_run(s), RNNRUN_OK);
    const float want2[2] = {-1, 6};
    tu_close_f32(tu_output(s, 0, RNNRUN_FLOAT, "2"), want2, 2, 0, 0);
    rnnrun_tensor tw_bad = tu_tensor(RNNRUN_FLOAT, "3", w2);
    ck_assert_int_eq(rnnrun_session_set_input_by_name(s, "w", &tw_bad), RNNRUN_ERR_SHAPE);
    rnnrun_session_free(s);
    rnnrun_model_free(m);
    mb_free(b);
}
END_TEST

/* Inputs sharing a symbolic dimension must agree on it. */
START_TEST(symbolic_dims_agree) {
    mb *b = mb_new(8, 13);
    mb_input(b, "x", RNNRUN_FLOAT, "batch,3");
    mb_input(b, "h", RNNRUN_FLOAT, "batch,3");
    mb_output(b, "y", RNNRUN_FLOAT, "batch,3");
    mb_node(b, "Add", "x,h", "y");
    rnnrun_model *m = tu_load(b);
    float x[6] = {0}, h[9] = {0};
    rnnrun_tensor in[2] = {tu_tensor(RNNRUN_FLOAT, "2,3", x), tu_tensor(RNNRUN_FLOAT, "3,3", h)};
    tu_run_fails(m, 2, in, RNNRUN_ERR_SHAPE, "'batch'");
    rnnrun_model_free(m);
    mb_free(b);
}
END_TEST

/* After the first run of a shape, runs allocate nothing. */

START_TEST(runs_do_not_allocate) {
    mb *b = add_model();
    rnnrun_model *m = tu_load(b);
    tu_counter c = {0, 0};
    rr_allocator a = tu_counting_allocator(&c);
    rnnrun_session *s;
    ck_assert_int_eq(rr_session_new_with(m, &a, &s), RNNRUN_OK);
    float x[6] = {0, 1, 2, 3, 4, 5};
    rnnrun_tensor t = tu_tensor(RNNRUN_FLOAT, "2,3", x);
    ck_assert_int_eq(rnnrun_session_set_input(s, 0, &t), RNNRUN_OK);
    ck_assert_int_eq(rnnrun_session_run(s), RNNRUN_OK);
    long after_first = c.allocs;
    ck_assert_int_gt(after_first, 0);
    for (int i = 0; i < 10; i++) {
        x[0] = (float)i;
        ck_assert_int_eq(rnnrun_session_set_input(s, 0, &t), RNNRUN_OK);
        ck_assert_int_eq(rnnrun_session_run(s), RNNRUN_OK);
        rnnrun_tensor out;
        ck_assert_int_eq(rnnrun_session_output(s, 0, &out), RNNRUN_OK);
        ck_assert_float_eq(((float *)out.data)[0], (float)i + 1);
    }
    ck_assert_int_eq(c.allocs, after_first);
    rnnrun_session_free(s);
    ck_assert_int_eq(c.allocs, c.frees);
    rnnrun_model_free(m);
    mb_free(b);
}
END_TEST

/* More shapes than the cache holds: still right, and old plans are evicted. */
START_TEST(plan_cache_eviction) {
    mb *b = add_model();
    rnnrun_model *m = tu_load(b);
    rnnrun_session *s;
    ck_assert_int_eq(rnnrun_session_new(m, &s), RNNRUN_OK);
    float x[3 * 20];
    for (int i = 0; i < 60; i++) x[i] = (float)i;
    for (int round = 0; round < 2; round++)
        for (int n = 1; n <= 20; n++) {
            char shape[16];
            snprintf(shape, sizeof shape, "%d,3", n);
            rnnrun_tensor t = tu_tensor(RNNRUN_FLOAT, shape, x);
            ck_assert_int_eq(rnnrun_session_set_input(s, 0, &t), RNNRUN_OK);
            ck_assert_int_eq(rnnrun_session_run(s), RNNRUN_OK);
            const float *y = tu_output(s, 0, RNNRUN_FLOAT, shape);
            for (int i = 0; i < 3 * n; i++) ck_assert_float_eq(y[i], x[i] + (float)(i % 3 + 1));
        }
    rnnrun_session_free(s);
    rnnrun_model_free(m);
    mb_free(b);
}
END_TEST

/* Two sessions of one model are independent. */
START_TEST(sessions_are_independent) {
    mb *b = add_model();
    rnnrun_model *m = tu_load(b);
    float x1[3] = {1, 1, 1}, x2[6] = {5, 5, 5, 6, 6, 6};
    rnnrun_tensor t1 = tu_tensor(RNNRUN_FLOAT, "1,3", x1), t2 = tu_tensor(RNNRUN_FLOAT, "2,3", x2);
    rnnrun_session *s1 = tu_run(m, 1, &t1);
    rnnrun_session *s2 = tu_run(m, 1, &t2);
    const float w1[3] = {2, 3, 4}, w2[6] = {6, 7, 8, 7, 8, 9};
    tu_close_f32(tu_output(s1, 0, RNNRUN_FLOAT, "1,3"), w1, 3, 0, 0);
    tu_close_f32(tu_output(s2, 0, RNNRUN_FLOAT, "2,3"), w2, 6, 0, 0);
    rnnrun_session_free(s1);
    rnnrun_session_free(s2);
    rnnrun_model_free(m);
    mb_free(b);
}
END_TEST

int main(void) {
    const TTest *tests[] = {
        version_and_status, model_queries, null_handles, bind_run_output, recovers_after_failed_run,
        defaulted_inputs, symbolic_dims_agree, runs_do_not_allocate, plan_cache_eviction,
        sessions_are_independent,
    };
    return tu_main("api", tests, (int)(sizeof tests / sizeof tests[0]));
}
