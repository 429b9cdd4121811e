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


/* ---- session options ------------------------------------------------------------------------- */

START_TEST(options_defaults) {
    rnnrun_session_options o;
    memset(&o, 0x5a, sizeof o);
    rnnrun_session_options_init(&o);
    ck_assert_uint_eq(o.struct_size, sizeof o);
    ck_assert_int_eq(o.n_threads, 1);
    ck_assert_int_eq(o.max_tensor_bytes, (int64_t)4 << 30);
    ck_assert_ptr_null(o.allocator.alloc);
    ck_assert_ptr_null(o.allocator.free);
    ck_assert_ptr_null(o.allocator.user);
    rnnrun_session_options_init(NULL); /* no-op */

    mb *b = add_model();
    rnnrun_model *m = tu_load(b);
    rnnrun_session *s;
    /* NULL options and default options: 1 thread, 4 GiB */
    ck_assert_int_eq(rnnrun_session_new_with_options(m, NULL, &s), RNNRUN_OK);
    rr_settings cfg = rr_session_settings(s);
    ck_assert_int_eq(cfg.n_threads, 1);
    ck_assert_int_eq(cfg.max_tensor_bytes, (int64_t)4 << 30);
    rnnrun_session_free(s);
    ck_assert_int_eq(rnnrun_session_new(m, &s), RNNRUN_OK);
    ck_assert_int_eq(rr_session_settings(s).n_threads, 1);
    rnnrun_session_free(s);
    /* 0 means the default for both */
    o.n_threads = 0;
    o.max_tensor_bytes = 0;
    ck_assert_int_eq(rnnrun_session_new_with_options(m, &o, &s), RNNRUN_OK);
    cfg = rr_session_settings(s);
    ck_assert_int_eq(cfg.n_threads, 1);
    ck_assert_int_eq(cfg.max_tensor_bytes, (int64_t)4 << 30);
    rnnrun_session_free(s);
    /* values are stored as given, and the options need not outlive the call */
    o.n_threads = RNNRUN_MAX_THREADS;
    o.max_tensor_bytes = 12345;
    ck_assert_int_eq(rnnrun_session_new_with_options(m, &o, &s), RNNRUN_OK);
    memset(&o, 0, sizeof o);
    cfg = rr_session_settings(s);
    ck_assert_int_eq(cfg.n_threads, RNNRUN_MAX_THREADS);
    ck_assert_int_eq(cfg.max_tensor_bytes, 12345);
    /* and the session still computes the right thing */
    float x[3] = {1, 2, 3};
    rnnrun_tensor t = tu_tensor(RNNRUN_FLOAT, "1,3", x);
    ck_assert_int_eq(rnnrun_session_set_input(s, 0, &t), RNNRUN_OK);
    ck_assert_int_eq(rnnrun_session_run(s), RNNRUN_OK);
    const float want[3] = {2, 4, 6};
    tu_close_f32(tu_output(s, 0, RNNRUN_FLOAT, "1,3"), want, 3, 0, 0);
    rnnrun_session_free(s);
    rnnrun_model_free(m);
    mb_free(b);
}
END_TEST

static void *never_alloc(void *user, size_t size) {
    (void)user;
    (void)size;
    ck_abort_msg("allocator of a refused options struct was called");
    return NULL;
}
static void never_free(void *user, void *p) {
    (void)user;
    (void)p;
    ck_abort_msg("allocator of a refused options struct was called");
}

/* Options the library must refuse, each with its exact status and *out set to NULL. */
static void refused(const rnnrun_model *m, const rnnrun_session_options *o, int status) {
    rnnrun_session *s = (rnnrun_session *)1;
    ck_assert_int_eq(rnnrun_session_new_with_options(m, o, &s), status);
    ck_assert_ptr_null(s);
}

START_TEST(options_misuse) {
    mb *b = add_model();
    rnnrun_model *m = tu_load(b);
    rnnrun_session_options o;
    rnnrun_session_options_init(&o);
    refused(NULL, &o, RNNRUN_ERR_ARG);
    ck_assert_int_eq(rnnrun_session_new_with_options(m, &o, NULL), RNNRUN_ERR_ARG);
    ck_assert_int_eq(rnnrun_session_new(m, NULL), RNNRUN_ERR_ARG);
    /* size field: zero, one byte short of the first release's struct */
    o.struct_size = 0;
    refused(m, &o, RNNRUN_ERR_ARG);
    o.struct_size = sizeof o - 1;
    refused(m, &o, RNNRUN_ERR_ARG);
    o.struct_size = 1;
    refused(m, &o, RNNRUN_ERR_ARG);
    /* thread count */
    rnnrun_session_options_init(&o);
    o.n_threads = -1;
    refused(m, &o, RNNRUN_ERR_ARG);
    o.n_threads = RNNRUN_MAX_THREADS + 1;
    refused(m, &o, RNNRUN_ERR_ARG);
    o.n_threads = -2147483647 - 1;
    refused(m, &o, RNNRUN_ERR_ARG);
    /* size limit */
    rnnrun_session_options_init(&o);
    o.max_tensor_bytes = -1;
    refused(m, &o, RNNRUN_ERR_ARG);
    o.max_tensor_bytes = INT64_MIN;
    refused(m, &o, RNNRUN_ERR_ARG);
    /* half an allocator (and it is never called) */
    rnnrun_session_options_init(&o);
    o.allocator.alloc = never_alloc;
    refused(m, &o, RNNRUN_ERR_ARG);
    o.allocator.alloc = NULL;
    o.allocator.free = never_free;
    refused(m, &o, RNNRUN_ERR_ARG);

    /* a newer caller's larger struct: fine while the options we do not know are zero */
    struct {
        rnnrun_session_options o;
        int64_t future[3];
    } big;
    memset(&big, 0, sizeof big);
    rnnrun_session_options_init(&big.o);
    big.o.struct_size = sizeof big;
    big.o.n_threads = 3;
    rnnrun_session *s;
    ck_assert_int_eq(rnnrun_session_new_with_options(m, &big.o, &s), RNNRUN_OK);
    ck_assert_int_eq(rr_session_settings(s).n_threads, 3);
    rnnrun_session_free(s);
    big.future[2] = 1;
    refused(m, &big.o, RNNRUN_ERR_UNSUPPORTED);
    rnnrun_model_free(m);
    mb_free(b);
}
END_TEST

/* y = x + b with x (n, 1) and b (1, 100): y is 400 n bytes, x only 4 n. */
static mb *widening_model(void) {
    mb *b = mb_new(8, 13);
    mb_input(b, "x", RNNRUN_FLOAT, "n,1");
    mb_output(b, "y", RNNRUN_FLOAT, "n,100");
    static float bias[100];
    for (int i = 0; i < 100; i++) bias[i] = (float)i;
    mb_init_f(b, "b", "1,100", bias, 100);
    mb_node_name(b, mb_node(b, "Add", "x,b", "y"), "widen");
    return b;
}

/* The session's max_tensor_bytes governs planning (every tensor a node creates) and binding. */
START_TEST(options_max_tensor_bytes) {
    mb *b = widening_model();
    rnnrun_model *m = tu_load(b);
    rnnrun_session_options o;
    rnnrun_session_options_init(&o);
    o.max_tensor_bytes = 1000;
    rnnrun_session *s;
    ck_assert_int_eq(rnnrun_session_new_with_options(m, &o, &s), RNNRUN_OK);
    float x[4] = {0, 1000, 2000, 3000};
    rnnrun_tensor t2 = tu_tensor(RNNRUN_FLOAT, "2,1", x), t3 = tu_tensor(RNNRUN_FLOAT, "3,1", x);
    ck_assert_int_eq(rnnrun_session_set_input(s, 0, &t2), RNNRUN_OK);
    ck_assert_int_eq(rnnrun_session_run(s), RNNRUN_OK); /* y: 800 bytes */
    const float *y = tu_output(s, 0, RNNRUN_FLOAT, "2,100");
    ck_assert_float_eq(y[0], 0);
    ck_assert_float_eq(y[199], 1099);
    ck_assert_int_eq(rnnrun_session_set_input(s, 0, &t3), RNNRUN_OK); /* x: 12 bytes */
    ck_assert_int_eq(rnnrun_session_run(s), RNNRUN_ERR_LIMIT);       /* y: 1200 bytes */
    const char *msg = rnnrun_session_errmsg(s);
    ck_assert_msg(strstr(msg, "node 'widen' (Add)") && strstr(msg, "exceeds the limit of 1000 bytes"), "%s", msg);
    rnnrun_tensor out;
    ck_assert_int_eq(rnnrun_session_output(s, 0, &out), RNNRUN_ERR_STATE);
    /* the cached plan still serves the smaller batch */
    ck_assert_int_eq(rnnrun_session_set_input(s, 0, &t2), RNNRUN_OK);
    ck_assert_int_eq(rnnrun_session_run(s), RNNRUN_OK);
    tu_output(s, 0, RNNRUN_FLOAT, "2,100");
    rnnrun_session_free(s);

    /* binding: an input above the limit is refused and nothing is bound */
    o.max_tensor_bytes = 8;
    ck_assert_int_eq(rnnrun_session_new_with_options(m, &o, &s), RNNRUN_OK);
    ck_assert_int_eq(rnnrun_session_set_input(s, 0, &t3), RNNRUN_ERR_LIMIT);
    ck_assert_msg(strstr(rnnrun_session_errmsg(s), "input 'x'"), "%s", rnnrun_session_errmsg(s));
    ck_assert_int_eq(rnnrun_session_run(s), RNNRUN_ERR_STATE);
    rnnrun_session_free(s);

    /* the default session plans the large batch */
    ck_assert_int_eq(rnnrun_session_new(m, &s), RNNRUN_OK);
    ck_assert_int_eq(rnnrun_session_set_input(s, 0, &t3), RNNRUN_OK);
    ck_assert_int_eq(rnnrun_session_run(s), RNNRUN_OK);
    y = tu_output(s, 0, RNNRUN_FLOAT, "3,100");
    ck_assert_float_eq(y[299], 2099);
    rnnrun_session_free(s);
    rnnrun_model_free(m);
    mb_free(b);
}
END_TEST

/* A failed bind keeps the previous binding; a run after a failed run works. */
START_TEST(failed_bind_keeps_binding) {
    mb *b = add_model();
    rnnrun_model *m = tu_load(b);
    rnnrun_session *s;
    ck_assert_int_eq(rnnrun_session_new(m, &s), RNNRUN_OK);
    float x[6] = {0, 1, 2, 3, 4, 5};
    rnnrun_tensor good = tu_tensor(RNNRUN_FLOAT, "2,3", x), bad = tu_tensor(RNNRUN_FLOAT, "3,2", x);
    ck_assert_int_eq(rnnrun_session_set_input(s, 0, &good), RNNRUN_OK);
    ck_assert_int_eq(rnnrun_session_set_input(s, 0, &bad), RNNRUN_ERR_SHAPE);
    ck_assert_int_eq(rnnrun_session_run(s), RNNRUN_OK);
    const float want[6] = {1, 3, 5, 4, 6, 8};
    tu_close_f32(tu_output(s, 0, RNNRUN_FLOAT, "2,3"), want, 6, 0, 0);
    rnnrun_session_free(s);
    rnnrun_model_free(m);
    mb_free(b);
}
END_TEST

/* ---- the allocator hook ---------------------------------------------------------------------- */

/* Counts calls and live blocks; fails the allocation numbered fail_at (0-based; -1: never). */
typedef struct hook {
    unsigned magic;
    long calls, live, frees;
    long fail_at;
    size_t bytes;
} hook;
#define HOOK_MAGIC 0x6a6b6c6du

static void *hook_alloc(void *user, size_t size) {
    hook *h = user;
    ck_assert_uint_eq(h->magic, HOOK_MAGIC);
    ck_assert_uint_gt(size, 0);
    if (h->calls++ == h->fail_at) return NULL;
    void *p = malloc(size);
    if (p) {
        h->live++;
        h->bytes += size;
    }
    return p;
}

static void hook_free(void *user, void *p) {
    hook *h = user;
    ck_assert_uint_eq(h->magic, HOOK_MAGIC);
    ck_assert_ptr_nonnull(p);
    h->live--;
    h->frees++;
    free(p);
}

static rnnrun_session_options hook_options(hook *h) {
    rnnrun_session_options o;
    rnnrun_session_options_init(&o);
    o.allocator.alloc = hook_alloc;
    o.allocator.free = hook_free;
    o.allocator.user = h;
    return o;
}

static rnnrun_model *load_loop_model(void) {
    char path[4200], err[1200];
    snprintf(path, sizeof path, "%s/models/loop_tanh/model.onnx", tu_source_root());
    rnnrun_model *m;
    ck_assert_msg(rnnrun_model_load_file(path, &m, err, sizeof err) == RNNRUN_OK, "%s", err);
    return m;
}

/* PyTorch's output for loop_tanh on zeros, any batch (see test_shared.c) */
static const float loop_zero_out[5] = {0.37924758f, 0.56059808f, 0.61618841f, 0.60465419f, 0.41606122f};

static void check_loop_out(rnnrun_session *s, int batch) {
    char shape[16];
    snprintf(shape, sizeof shape, "%d,5", batch);
    const float *y = tu_output(s, 0, RNNRUN_FLOAT, shape);
    for (int r = 0; r < batch; r++) tu_close_f32(y + r * 5, loop_zero_out, 5, 1e-6, 0);
}

START_TEST(allocator_sees_every_allocation) {
    rnnrun_model *m = load_loop_model();
    hook h = {.magic = HOOK_MAGIC, .fail_at = -1};
    rnnrun_session_options o = hook_options(&h);
    rnnrun_session *s;
    ck_assert_int_eq(rnnrun_session_new_with_options(m, &o, &s), RNNRUN_OK);
    ck_assert_int_gt(h.calls, 0);
    static float x[3 * 6 * 16];
    rnnrun_tensor t2 = tu_tensor(RNNRUN_FLOAT, "2,6,16", x), t3 = tu_tensor(RNNRUN_FLOAT, "3,6,16", x);
    ck_assert_int_eq(rnnrun_session_set_input(s, 0, &t2), RNNRUN_OK);
    long before = h.calls;
    ck_assert_int_eq(rnnrun_session_run(s), RNNRUN_OK); /* plans: plan pool and arena */
    ck_assert_int_gt(h.calls, before);
    check_loop_out(s, 2);
    ck_assert_int_eq(rnnrun_session_set_input(s, 0, &t3), RNNRUN_OK);
    ck_assert_int_eq(rnnrun_session_run(s), RNNRUN_OK);
    check_loop_out(s, 3);
    ck_assert_int_gt(h.live, 0);
    ck_assert_uint_gt(h.bytes, 3 * 6 * 16 * sizeof(float) / 2);
    rnnrun_session_free(s);
    ck_assert_int_eq(h.live, 0);
    ck_assert_int_eq(h.frees, h.calls);
    rnnrun_model_free(m);
}
END_TEST

/* Fail each allocation in turn (only that one): the call that needed it returns
 * RNNRUN_ERR_NOMEM, the session stays usable, and freeing it leaves nothing allocated. */
START_TEST(allocator_failure_at_every_index) {
    rnnrun_model *m = load_loop_model();
    static float x[3 * 6 * 16];
    rnnrun_tensor t2 = tu_tensor(RNNRUN_FLOAT, "2,6,16", x), t3 = tu_tensor(RNNRUN_FLOAT, "3,6,16", x);
    long total = -1, k;
    for (k = 0; k < 10000; k++) {
        hook h = {.magic = HOOK_MAGIC, .fail_at = k};
        rnnrun_session_options o = hook_options(&h);
        rnnrun_session *s = (rnnrun_session *)1;
        int st = rnnrun_session_new_with_options(m, &o, &s);
        if (st != RNNRUN_OK) {
            ck_assert_int_eq(st, RNNRUN_ERR_NOMEM);
            ck_assert_ptr_null(s);
            ck_assert_int_eq(h.live, 0);
            continue;
        }
        bool failed = false;
        const rnnrun_tensor *ts[2] = {&t2, &t3};
        for (int r = 0; r < 2; r++) {
            ck_assert_int_eq(rnnrun_session_set_input(s, 0, ts[r]), RNNRUN_OK);
            st = rnnrun_session_run(s);
            if (st != RNNRUN_OK) {
                ck_assert_msg(st == RNNRUN_ERR_NOMEM, "allocation %ld: status %d: %s", k, st, rnnrun_session_errmsg(s));
                ck_assert_str_ne(rnnrun_session_errmsg(s), "");
                rnnrun_tensor out;
                ck_assert_int_eq(rnnrun_session_output(s, 0, &out), RNNRUN_ERR_STATE);
                failed = true;
                ck_assert_int_eq(rnnrun_session_run(s), RNNRUN_OK); /* the next try succeeds */
            }
            check_loop_out(s, r == 0 ? 2 : 3);
        }
        rnnrun_session_free(s);
        ck_assert_msg(h.live == 0, "allocation %ld failed: %ld blocks leaked", k, h.live);
        if (!failed && h.calls <= k) {
            total = h.calls;
            break;
        }
    }
    ck_assert_int_gt(total, 3); /* every index up to the last allocation was failed once */
    ck_assert_int_eq(k, total);
    rnnrun_model_free(m);
}
END_TEST

/* An allocator that always fails: every call that needs memory says so, nothing crashes. */
START_TEST(allocator_always_fails) {
    rnnrun_model *m = load_loop_model();
    hook h = {.magic = HOOK_MAGIC, .fail_at = 0};
    rnnrun_session_options o = hook_options(&h);
    rnnrun_session *s = (rnnrun_session *)1;
    ck_assert_int_eq(rnnrun_session_new_with_options(m, &o, &s), RNNRUN_ERR_NOMEM);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(h.calls, 1);
    ck_assert_int_eq(h.live, 0);
    rnnrun_model_free(m);
}
END_TEST


/* Every query on NULL handles, NULL names and indexes out of range, with its documented answer. */
START_TEST(queries_misuse) {
    ck_assert_int_eq(rnnrun_model_opset(NULL), -1);
    ck_assert_int_eq(rnnrun_model_ir_version(NULL), -1);
    ck_assert_int_eq(rnnrun_model_node_count(NULL), -1);
    ck_assert_ptr_null(rnnrun_model_node_op(NULL, 0));
    ck_assert_ptr_null(rnnrun_model_output_name(NULL, 0));
    ck_assert_int_eq(rnnrun_model_input_index(NULL, "x"), -1);
    ck_assert_int_eq(rnnrun_model_output_index(NULL, "y"), -1);
    ck_assert_int_eq(rnnrun_model_output_info(NULL, 0, NULL, NULL, NULL, NULL), RNNRUN_ERR_ARG);
    ck_assert_int_eq(rnnrun_session_set_input_by_name(NULL, "x", NULL), RNNRUN_ERR_ARG);
    ck_assert_int_eq(rnnrun_session_new_with_options(NULL, NULL, NULL), RNNRUN_ERR_ARG);
    mb *b = add_model();
    rnnrun_model *m = tu_load(b);
    ck_assert_ptr_null(rnnrun_model_node_op(m, 1));
    ck_assert_ptr_null(rnnrun_model_node_op(m, -1));
    ck_assert_ptr_null(rnnrun_model_output_name(m, -1));
    ck_assert_int_eq(rnnrun_model_input_index(m, NULL), -1);
    ck_assert_int_eq(rnnrun_model_output_index(m, NULL), -1);
    ck_assert_int_eq(rnnrun_model_output_index(m, "x"), -1);
    int dt = 77, rank = 77;
    ck_assert_int_eq(rnnrun_model_output_info(m, 1, &dt, &rank, NULL, NULL), RNNRUN_ERR_RANGE);
    ck_assert_int_eq(rnnrun_model_output_info(m, -1, &dt, &rank, NULL, NULL), RNNRUN_ERR_RANGE);
    ck_assert_int_eq(rnnrun_model_input_info(m, -1, &dt, &rank, NULL, NULL), RNNRUN_ERR_RANGE);
    ck_assert_int_eq(dt, 77); /* nothing written */
    ck_assert_int_eq(rank, 77);
    ck_assert_int_eq(rnnrun_model_input_info(m, 0, NULL, NULL, NULL, NULL), RNNRUN_OK);

    rnnrun_session *s;
    ck_assert_int_eq(rnnrun_session_new(m, &s), RNNRUN_OK);
    ck_assert_str_eq(rnnrun_session_errmsg(s), "");
    rnnrun_tensor out;
    ck_assert_int_eq(rnnrun_session_output(s, -1, &out), RNNRUN_ERR_RANGE);
    ck_assert_int_eq(rnnrun_session_output(s, 0, &out), RNNRUN_ERR_STATE);
    ck_assert_msg(strstr(rnnrun_session_errmsg(s), "no successful run"), "%s", rnnrun_session_errmsg(s));
    float x[6] = {0};
    rnnrun_tensor t = tu_tensor(RNNRUN_FLOAT, "2,3", x);
    t.shape[0] = -2; /* a negative dimension */
    ck_assert_int_eq(rnnrun_session_set_input(s, 0, &t), RNNRUN_ERR_SHAPE);
    t.rank = -1;
    ck_assert_int_eq(rnnrun_session_set_input(s, 0, &t), RNNRUN_ERR_LIMIT);
    ck_assert_int_eq(rnnrun_session_set_input_by_name(s, "x", NULL), RNNRUN_ERR_ARG);
    ck_assert_int_eq(rnnrun_session_set_input_by_name(s, "b", &t), RNNRUN_ERR_RANGE); /* a plain initializer */
    ck_assert_int_eq(rnnrun_session_run(s), RNNRUN_ERR_STATE); /* nothing was bound */
    rnnrun_session_free(s);
    rnnrun_model_free(m);
    mb_free(b);
}
END_TEST

int main(void) {
    const TTest *tests[] = {
        version_and_status, model_queries, null_handles, bind_run_output, recovers_after_failed_run,
        defaulted_inputs, symbolic_dims_agree, runs_do_not_allocate, plan_cache_eviction,
        sessions_are_independent, options_defaults, options_misuse, options_max_tensor_bytes,
        failed_bind_keeps_binding, allocator_sees_every_allocation, allocator_failure_at_every_index,
        allocator_always_fails, queries_misuse,
    };
    return tu_main("api", tests, (int)(sizeof tests / sizeof tests[0]));
}
