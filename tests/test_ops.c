/* Unit tests for every op in the dispatch table (src/ops/registry.c).
 *
 * Each case is a one-node model. Unless a test says otherwise it runs in every way the planner can
 * meet the node: all data inputs fed as graph inputs (the node runs at run time), all of them as
 * initializers (the planner folds the node at plan time), and, for nodes with two or more data
 * inputs, the first fed and the rest initializers and the other way round (e.g. Gemm packs a
 * constant B at plan time). Shape-defining inputs (Reshape's shape, Slice's starts/ends/axes/steps,
 * Squeeze/Unsqueeze axes) are initializers, except in the tests of such inputs fed at run time
 * (the plan is pinned to their values) or computed at run time (refused). Every run is done twice
 * in one session, so a cached plan is checked too.
 *
 * Expected values are worked out by hand where the arithmetic is small (the working is in the
 * comments) and otherwise come from NumPy 1.24 (Debian's /usr/bin/python3), run offline; the
 * comment above each array gives the expression. Inputs of the larger float cases come from
 * fill() below, whose values are small multiples of 1/8, so every product and sum of them is
 * exact in float32 and the results do not depend on summation order. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/ops.h"
#include "testutil.h"

/* ---- one-node models ------------------------------------------------------------------------- */

/* How an input reaches the node: AUTO follows the run mode (fed or initializer), CONST is always
 * an initializer, INPUT always a graph input, COMPUTED a graph input times an initializer 1 (so
 * its value exists only at run time), OMIT leaves an empty name (an omitted optional). */
enum { AUTO = 0, CONST, INPUT, COMPUTED, OMIT };

typedef struct arg {
    int dtype;
    const char *shape; /* "2,3"; "" is a scalar */
    const void *data;  /* NULL for a tensor without elements */
    int kind;
    size_t n;          /* elements in data, checked against the shape */
} arg;

#define ARG_(dt, T, kind, shape, ...) \
    {dt, shape, (const T[]){__VA_ARGS__}, kind, sizeof((const T[]){__VA_ARGS__}) / sizeof(T)}
#define F32(shape, ...) ARG_(RNNRUN_FLOAT, float, AUTO, shape, __VA_ARGS__)
#define F64(shape, ...) ARG_(RNNRUN_DOUBLE, double, AUTO, shape, __VA_ARGS__)
#define I64(shape, ...) ARG_(RNNRUN_INT64, int64_t, AUTO, shape, __VA_ARGS__)
#define I32(shape, ...) ARG_(RNNRUN_INT32, int32_t, AUTO, shape, __VA_ARGS__)
#define I16(shape, ...) ARG_(RR_INT16, int16_t, AUTO, shape, __VA_ARGS__)
#define I8(shape, ...) ARG_(RNNRUN_INT8, int8_t, AUTO, shape, __VA_ARGS__)
#define U8(shape, ...) ARG_(RNNRUN_UINT8, uint8_t, AUTO, shape, __VA_ARGS__)
#define BOOL(shape, ...) ARG_(RNNRUN_BOOL, uint8_t, AUTO, shape, __VA_ARGS__)
/* shape-defining int64 / int32 inputs: always initializers; IN_I64 is the same fed as a graph
 * input, RT_I64 computed at run time */
#define K_I64(shape, ...) ARG_(RNNRUN_INT64, int64_t, CONST, shape, __VA_ARGS__)
#define K_I32(shape, ...) ARG_(RNNRUN_INT32, int32_t, CONST, shape, __VA_ARGS__)
#define IN_I64(shape, ...) ARG_(RNNRUN_INT64, int64_t, INPUT, shape, __VA_ARGS__)
#define RT_I64(shape, ...) ARG_(RNNRUN_INT64, int64_t, COMPUTED, shape, __VA_ARGS__)
#define EMPTY(dt, shape) {dt, shape, NULL, AUTO, 0}
#define DATA(dt, shape, ptr, count) {dt, shape, ptr, AUTO, count}
#define NONE {0, NULL, NULL, OMIT, 0}

typedef struct attr {
    const char *name;
    char kind; /* i f s t I F S */
    int64_t i;
    float f;
    const void *v; /* ints, floats, string(s), or an arg for a tensor */
    int n;
} attr;

#define AT_I(nm, x) {nm, 'i', x, 0, NULL, 0}
#define AT_F(nm, x) {nm, 'f', 0, x, NULL, 0}
#define AT_S(nm, x) {nm, 's', 0, 0, x, 0}
#define AT_T(nm, a) {nm, 't', 0, 0, &(const arg)a, 0}
#define AT_INTS(nm, ...) \
    {nm, 'I', 0, 0, (const int64_t[]){__VA_ARGS__}, (int)(sizeof((const int64_t[]){__VA_ARGS__}) / sizeof(int64_t))}
#define AT_FLOATS(nm, ...) \
    {nm, 'F', 0, 0, (const float[]){__VA_ARGS__}, (int)(sizeof((const float[]){__VA_ARGS__}) / sizeof(float))}
#define AT_STRINGS(nm, ...) \
    {nm, 'S', 0, 0, (const char *const[]){__VA_ARGS__}, \
     (int)(sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))}

#define MAX_ARGS 8
typedef struct op_case {
    const char *op;
    int opset;
    arg in[MAX_ARGS]; /* ends at the first entry with dtype 0 that is not NONE */
    attr at[6];       /* ends at the first entry without a name */
    const char *name; /* node name, or NULL for none */
} op_case;

#define CASE(op_, opset_, ...) (&(const op_case){.op = op_, .opset = opset_, __VA_ARGS__})

/* The expected output 0: exact dtype and shape, then values (floats within atol + rtol*|want|,
 * NaN matching NaN and infinities exactly; everything else bit for bit). */
typedef struct want {
    int dtype;
    const char *shape;
    const void *data;
    double atol, rtol;
    size_t n;
} want;

#define W_(dt, T, atol, rtol, shape, ...) \
    (&(const want){dt, shape, (const T[]){__VA_ARGS__}, atol, rtol, sizeof((const T[]){__VA_ARGS__}) / sizeof(T)})
#define WF32(shape, ...) W_(RNNRUN_FLOAT, float, 1e-6, 0, shape, __VA_ARGS__)
#define WF32_TOL(atol, rtol, shape, ...) W_(RNNRUN_FLOAT, float, atol, rtol, shape, __VA_ARGS__)
#define WF64(shape, ...) W_(RNNRUN_DOUBLE, double, 1e-12, 0, shape, __VA_ARGS__)
#define WF64_TOL(atol, rtol, shape, ...) W_(RNNRUN_DOUBLE, double, atol, rtol, shape, __VA_ARGS__)
#define WI64(shape, ...) W_(RNNRUN_INT64, int64_t, 0, 0, shape, __VA_ARGS__)
#define WI32(shape, ...) W_(RNNRUN_INT32, int32_t, 0, 0, shape, __VA_ARGS__)
#define WI16(shape, ...) W_(RR_INT16, int16_t, 0, 0, shape, __VA_ARGS__)
#define WI8(shape, ...) W_(RNNRUN_INT8, int8_t, 0, 0, shape, __VA_ARGS__)
#define WU8(shape, ...) W_(RNNRUN_UINT8, uint8_t, 0, 0, shape, __VA_ARGS__)
#define WBOOL(shape, ...) W_(RNNRUN_BOOL, uint8_t, 0, 0, shape, __VA_ARGS__)
#define WEMPTY(dt, shape) (&(const want){dt, shape, NULL, 0, 0, 0})
#define WDATA(dt, shape, ptr, count, atol, rtol) (&(const want){dt, shape, ptr, atol, rtol, count})

/* fill(i, seed) = ((37*i + 11*seed + 5) mod 23 - 11) / 8, i = 0..n-1; in NumPy:
 *   def fill(n, seed): i = np.arange(n); return ((i * 37 + seed * 11 + 5) % 23 - 11) / 8.0 */
static void fill(float *x, int64_t n, int seed) {
    for (int64_t i = 0; i < n; i++) x[i] = (float)((i * 37 + seed * 11 + 5) % 23 - 11) / 8.0f;
}

/* 0, 1, 2, ... (np.arange) */
static void iota_f32(float *x, int n) {
    for (int i = 0; i < n; i++) x[i] = (float)i;
}
static void iota_i64(int64_t *x, int n) {
    for (int i = 0; i < n; i++) x[i] = i;
}

static int64_t shape_numel(const char *shape) {
    rnnrun_tensor t = tu_tensor(RNNRUN_FLOAT, shape, NULL);
    int64_t n = 1;
    for (int d = 0; d < t.rank; d++) n *= t.shape[d];
    return n;
}

static int n_args(const op_case *c) {
    int n = 0;
    while (n < MAX_ARGS && (c->in[n].dtype != 0 || c->in[n].kind == OMIT)) n++;
    return n;
}

static int n_auto(const op_case *c) {
    int k = 0;
    for (int i = 0; i < n_args(c); i++) k += c->in[i].kind == AUTO;
    return k;
}

/* Run modes. */
enum { M_FED, M_FOLDED, M_FIRST_FED, M_FIRST_CONST, M_COUNT };
static const char *const mode_name[M_COUNT] = {
    "inputs fed at run time", "inputs as initializers (folded)", "first input fed, the rest initializers",
    "first input an initializer, the rest fed"};

static bool mode_applies(const op_case *c, int mode) {
    int k = n_auto(c);
    if (k == 0) return mode == M_FOLDED;
    if (k == 1) return mode == M_FED || mode == M_FOLDED;
    return true;
}

static bool arg_is_const(const op_case *c, int i, int mode) {
    if (c->in[i].kind == CONST) return true;
    if (c->in[i].kind == INPUT || c->in[i].kind == COMPUTED) return false;
    int k = 0; /* position among the AUTO inputs */
    for (int j = 0; j < i; j++) k += c->in[j].kind == AUTO;
    switch (mode) {
    case M_FED: return false;
    case M_FOLDED: return true;
    case M_FIRST_FED: return k != 0;
    default: return k == 0;
    }
}

static Onnx__TensorProto *arg_tensor(mb *b, const char *name, const arg *a) {
    int64_t n = shape_numel(a->shape);
    ck_assert_msg(a->data ? (int64_t)a->n == n : n == 0, "test bug: tensor %s of shape (%s) given %zu values",
                  name, a->shape, a->n);
    return mb_tensor_raw(b, name, a->dtype, a->shape, a->data, (size_t)n * rnnrun_dtype_size(a->dtype));
}

/* The model of a case in a mode; *bound gets the tensors to feed, in graph-input order. */
static mb *build(const op_case *c, int mode, rnnrun_tensor *bound, int *n_bound) {
    mb *b = mb_new(c->opset < 9 ? 3 : 8, c->opset);
    char inputs[256] = "";
    *n_bound = 0;
    for (int i = 0; i < n_args(c); i++) {
        const arg *a = &c->in[i];
        char name[16];
        snprintf(name, sizeof name, "x%d", i);
        if (i) strcat(inputs, ",");
        if (a->kind == OMIT) continue;
        strcat(inputs, name);
        if (a->kind == COMPUTED) {
            /* name = raw * 1 */
            char raw[24], one[24];
            snprintf(raw, sizeof raw, "%s_raw", name);
            snprintf(one, sizeof one, "%s_one", name);
            static const int64_t one64 = 1;
            static const int32_t one32 = 1;
            ck_assert(a->dtype == RNNRUN_INT64 || a->dtype == RNNRUN_INT32);
            mb_init(b, mb_tensor_raw(b, one, a->dtype, "", a->dtype == RNNRUN_INT64 ? (const void *)&one64 : &one32,
                                     rnnrun_dtype_size(a->dtype)));
            mb_input(b, raw, a->dtype, a->shape);
            char mul_in[64];
            snprintf(mul_in, sizeof mul_in, "%s,%s", raw, one);
            mb_node(b, "Mul", mul_in, name);
            bound[(*n_bound)++] = tu_tensor(a->dtype, a->shape, a->data);
        } else if (arg_is_const(c, i, mode)) {
            mb_init(b, arg_tensor(b, name, a));
        } else {
            mb_input(b, name, a->dtype, a->shape);
            ck_assert_msg(a->data || shape_numel(a->shape) == 0, "test bug: input %s has no data", name);
            bound[(*n_bound)++] = tu_tensor(a->dtype, a->shape, a->data);
        }
    }
    mb_output(b, "y", 0, NULL);
    Onnx__NodeProto *n = mb_node(b, c->op, inputs, "y");
    if (c->name) mb_node_name(b, n, c->name);
    for (int i = 0; i < 6 && c->at[i].name; i++) {
        const attr *a = &c->at[i];
        switch (a->kind) {
        case 'i': mb_attr_i(b, n, a->name, a->i); break;
        case 'f': mb_attr_f(b, n, a->name, a->f); break;
        case 's': mb_attr_s(b, n, a->name, a->v); break;
        case 't': mb_attr_t(b, n, a->name, arg_tensor(b, "", a->v)); break;
        case 'I': mb_attr_ints(b, n, a->name, (size_t)a->n, a->v); break;
        case 'F': mb_attr_floats(b, n, a->name, (size_t)a->n, a->v); break;
        case 'S': mb_attr_strings(b, n, a->name, (size_t)a->n, a->v); break;
        default: ck_abort_msg("test bug: attribute kind %c", a->kind);
        }
    }
    return b;
}

static rnnrun_model *load_ok(mb *b, const char *mode) {
    rnnrun_model *m = NULL;
    char err[1200] = "";
    int st = mb_load(b, &m, err, sizeof err);
    ck_assert_msg(st == RNNRUN_OK, "[%s] load failed (%d): %s", mode, st, err);
    return m;
}

static double real_at(int dtype, const void *p, int64_t i) {
    return dtype == RNNRUN_FLOAT ? ((const float *)p)[i] : ((const double *)p)[i];
}

static long long int_at(int dtype, const void *p, int64_t i) {
    switch (dtype) {
    case RNNRUN_INT64: return ((const int64_t *)p)[i];
    case RNNRUN_INT32: return ((const int32_t *)p)[i];
    case RR_INT16: return ((const int16_t *)p)[i];
    case RNNRUN_INT8: return ((const int8_t *)p)[i];
    default: return ((const uint8_t *)p)[i];
    }
}

/* Output 0 of a finished run against w. */
static void check_output(rnnrun_session *s, const want *w, const char *mode) {
    rnnrun_tensor t;
    ck_assert_int_eq(rnnrun_session_output(s, 0, &t), RNNRUN_OK);
    rnnrun_tensor e = tu_tensor(w->dtype, w->shape, NULL);
    char gs[200], ws[200];
    rr_shape_str(t.shape, t.rank, gs, sizeof gs);
    rr_shape_str(e.shape, e.rank, ws, sizeof ws);
    ck_assert_msg((int)t.dtype == w->dtype, "[%s] dtype %s, expected %s", mode, rnnrun_dtype_name((int)t.dtype),
                  rnnrun_dtype_name(w->dtype));
    ck_assert_msg(strcmp(gs, ws) == 0, "[%s] shape %s, expected %s", mode, gs, ws);
    int64_t n = shape_numel(w->shape);
    ck_assert_msg(w->data ? (int64_t)w->n == n : n == 0, "test bug: expected shape %s given %zu values", ws, w->n);
    if (n == 0) return;
    ck_assert_ptr_nonnull(t.data);
    for (int64_t i = 0; i < n; i++) {
        if (w->dtype == RNNRUN_FLOAT || w->dtype == RNNRUN_DOUBLE) {
            double g = real_at(w->dtype, t.data, i), x = real_at(w->dtype, w->data, i);
            bool ok = (isnan(g) && isnan(x)) || (isinf(x) ? g == x : fabs(g - x) <= w->atol + w->rtol * fabs(x));
            ck_assert_msg(ok, "[%s] element %lld: got %.17g, expected %.17g", mode, (long long)i, g, x);
        } else {
            long long g = int_at(w->dtype, t.data, i), x = int_at(w->dtype, w->data, i);
            ck_assert_msg(g == x, "[%s] element %lld: got %lld, expected %lld", mode, (long long)i, g, x);
        }
    }
}

/* The case gives w in every applicable mode (and again on a second run of the same session). */
static void expect_ok(const op_case *c, const want *w) {
    for (int mode = 0; mode < M_COUNT; mode++) {
        if (!mode_applies(c, mode)) continue;
        rnnrun_tensor bound[MAX_ARGS];
        int nb;
        mb *b = build(c, mode, bound, &nb);
        rnnrun_model *m = load_ok(b, mode_name[mode]);
        rnnrun_session *s = NULL;
        ck_assert_int_eq(rnnrun_session_new(m, &s), RNNRUN_OK);
        for (int i = 0; i < nb; i++)
            ck_assert_msg(rnnrun_session_set_input(s, i, &bound[i]) == RNNRUN_OK, "[%s] binding input %d: %s",
                          mode_name[mode], i, rnnrun_session_errmsg(s));
        for (int round = 0; round < 2; round++) {
            int st = rnnrun_session_run(s);
            ck_assert_msg(st == RNNRUN_OK, "[%s] %s run failed (%d): %s", mode_name[mode], round ? "second" : "first",
                          st, rnnrun_session_errmsg(s));
            check_output(s, w, mode_name[mode]);
        }
        rnnrun_session_free(s);
        rnnrun_model_free(m);
        mb_free(b);
    }
}

/* The case loads but its run fails with status and a message containing frag, in every mode. */
static void expect_fail(const op_case *c, int status, const char *frag) {
    for (int mode = 0; mode < M_COUNT; mode++) {
        if (!mode_applies(c, mode)) continue;
        rnnrun_tensor bound[MAX_ARGS];
        int nb;
        mb *b = build(c, mode, bound, &nb);
        rnnrun_model *m = load_ok(b, mode_name[mode]);
        rnnrun_session *s = NULL;
        ck_assert_int_eq(rnnrun_session_new(m, &s), RNNRUN_OK);
        int st = RNNRUN_OK;
        for (int i = 0; i < nb && st == RNNRUN_OK; i++) st = rnnrun_session_set_input(s, i, &bound[i]);
        if (st == RNNRUN_OK) st = rnnrun_session_run(s);
        const char *msg = rnnrun_session_errmsg(s);
        ck_assert_msg(st == status, "[%s] got status %d (%s), expected %d (%s): %s", mode_name[mode], st,
                      rnnrun_status_str(st), status, rnnrun_status_str(status), msg);
        if (frag) ck_assert_msg(strstr(msg, frag) != NULL, "[%s] message '%s' lacks '%s'", mode_name[mode], msg, frag);
        rnnrun_tensor out;
        ck_assert_int_eq(rnnrun_session_output(s, 0, &out), RNNRUN_ERR_STATE);
        rnnrun_session_free(s);
        rnnrun_model_free(m);
        mb_free(b);
    }
}

/* Loading the case fails with status and a message containing frag. */
static void expect_load_fail(const op_case *c, int status, const char *frag) {
    rnnrun_tensor bound[MAX_ARGS];
    int nb;
    mb *b = build(c, mode_applies(c, M_FED) ? M_FED : M_FOLDED, bound, &nb);
    tu_load_fails(b, status, frag);
    mb_free(b);
}

#define I64MAX INT64_MAX
#define I64MIN INT64_MIN

/* ---- Add, Sub, Mul, Div ---------------------------------------------------------------------- */

/* a = [1..6], b = [0.5, -1, 2, 4, -8, 16], elementwise by hand */
START_TEST(binary_same_shape) {
#define AB F32("2,3", 1, 2, 3, 4, 5, 6), F32("2,3", 0.5f, -1, 2, 4, -8, 16)
    expect_ok(CASE("Add", 13, {AB}), WF32("2,3", 1.5f, 1, 5, 8, -3, 22));
    expect_ok(CASE("Sub", 13, {AB}), WF32("2,3", 0.5f, 3, 1, 0, 13, -10));
    expect_ok(CASE("Mul", 13, {AB}), WF32("2,3", 0.5f, -2, 6, 16, -40, 96));
    expect_ok(CASE("Div", 13, {AB}), WF32("2,3", 2, -2, 1.5f, 1, -0.625f, 0.375f));
    /* every registered version of the four ops: 7, 13 and 14 */
    expect_ok(CASE("Add", 7, {AB}), WF32("2,3", 1.5f, 1, 5, 8, -3, 22));
    expect_ok(CASE("Sub", 14, {AB}), WF32("2,3", 0.5f, 3, 1, 0, 13, -10));
    expect_ok(CASE("Mul", 7, {AB}), WF32("2,3", 0.5f, -2, 6, 16, -40, 96));
    expect_ok(CASE("Div", 14, {AB}), WF32("2,3", 2, -2, 1.5f, 1, -0.625f, 0.375f));
#undef AB
}
END_TEST

/* a scalar on either side: Sub and Div show the operand order */
START_TEST(binary_scalar_tensor) {
    expect_ok(CASE("Sub", 13, {F32("", 10), F32("2,2", 1, 2, 3, 4)}), WF32("2,2", 9, 8, 7, 6));
    expect_ok(CASE("Sub", 13, {F32("2,2", 1, 2, 3, 4), F32("", 10)}), WF32("2,2", -9, -8, -7, -6));
    expect_ok(CASE("Div", 13, {F32("", 12), F32("2,2", 1, 2, 3, 4)}), WF32("2,2", 12, 6, 4, 3));
    expect_ok(CASE("Div", 13, {F32("2,2", 1, 2, 3, 4), F32("", 4)}), WF32("2,2", 0.25f, 0.5f, 0.75f, 1));
    /* shape (1,) and (1,1,1) also broadcast as scalars; the rank is the larger one */
    expect_ok(CASE("Add", 13, {F32("2,2", 1, 2, 3, 4), F32("1", 100)}), WF32("2,2", 101, 102, 103, 104));
    expect_ok(CASE("Mul", 13, {F32("1,1,1", -2), F32("2,2", 1, 2, 3, 4)}), WF32("1,2,2", -2, -4, -6, -8));
}
END_TEST

/* (3,4) and (4,): a = np.arange(12).reshape(3,4), b = [10, 20, 30, 40] */
START_TEST(binary_row_broadcast) {
#define A34 F32("3,4", 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
    expect_ok(CASE("Add", 13, {A34, F32("4", 10, 20, 30, 40)}),
              WF32("3,4", 10, 21, 32, 43, 14, 25, 36, 47, 18, 29, 40, 51));
    /* b - a: [10-0, 20-1, 30-2, 40-3, 10-4, ...] */
    expect_ok(CASE("Sub", 13, {F32("4", 10, 20, 30, 40), A34}),
              WF32("3,4", 10, 19, 28, 37, 6, 15, 24, 33, 2, 11, 20, 29));
    /* (3,4) and (1,4) is the same broadcast */
    expect_ok(CASE("Add", 13, {A34, F32("1,4", 10, 20, 30, 40)}),
              WF32("3,4", 10, 21, 32, 43, 14, 25, 36, 47, 18, 29, 40, 51));
    /* (3,4) and (3,1): a column; each row i gets c[i] = 100*(i+1) */
    expect_ok(CASE("Add", 13, {A34, F32("3,1", 100, 200, 300)}),
              WF32("3,4", 100, 101, 102, 103, 204, 205, 206, 207, 308, 309, 310, 311));
#undef A34
}
END_TEST

/* (3,1) * (1,4): the outer product of [1, 2, 3] and [1, 10, 100, 1000] */
START_TEST(binary_column_broadcast) {
    expect_ok(CASE("Mul", 13, {F32("3,1", 1, 2, 3), F32("1,4", 1, 10, 100, 1000)}),
              WF32("3,4", 1, 10, 100, 1000, 2, 20, 200, 2000, 3, 30, 300, 3000));
    /* a[i] / b[j]: [1, 2, 3] over [1, 2, 4, 8] */
    expect_ok(CASE("Div", 13, {F32("3,1", 1, 2, 3), F32("1,4", 1, 2, 4, 8)}),
              WF32("3,4", 1, 0.5f, 0.25f, 0.125f, 2, 1, 0.5f, 0.25f, 3, 1.5f, 0.75f, 0.375f));
}
END_TEST

/* size-1 dims in both operands, with rank 3 and rank 4 */
START_TEST(binary_nd_broadcast) {
    /* numpy: np.arange(6).reshape(2,1,3) - (10*np.arange(4)).reshape(4,1) -> (2,4,3) */
    expect_ok(CASE("Sub", 13, {F32("2,1,3", 0, 1, 2, 3, 4, 5), F32("4,1", 0, 10, 20, 30)}),
              WF32("2,4,3", 0, 1, 2, -10, -9, -8, -20, -19, -18, -30, -29, -28, 3, 4, 5, -7, -6, -5, -17, -16, -15,
                   -27, -26, -25));
    /* numpy: np.arange(6).reshape(2,1,3,1) + (0.5*np.arange(8)).reshape(1,4,1,2) -> (2,4,3,2) */
    expect_ok(CASE("Add", 13, {F32("2,1,3,1", 0, 1, 2, 3, 4, 5), F32("1,4,1,2", 0, 0.5f, 1, 1.5f, 2, 2.5f, 3, 3.5f)}),
              WF32("2,4,3,2", 0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 2.5f, 1.0f, 1.5f, 2.0f, 2.5f, 3.0f, 3.5f, 2.0f, 2.5f, 3.0f,
                   3.5f, 4.0f, 4.5f, 3.0f, 3.5f, 4.0f, 4.5f, 5.0f, 5.5f, 3.0f, 3.5f, 4.0f, 4.5f, 5.0f, 5.5f, 4.0f, 4.5f,
                   5.0f, 5.5f, 6.0f, 6.5f, 5.0f, 5.5f, 6.0f, 6.5f, 7.0f, 7.5f, 6.0f, 6.5f, 7.0f, 7.5f, 8.0f, 8.5f));
    /* numpy: (np.arange(6)-2).reshape(1,3,1,2) * (np.arange(8)+1).reshape(2,1,4,1) -> (2,3,4,2) */
    expect_ok(CASE("Mul", 13, {F32("1,3,1,2", -2, -1, 0, 1, 2, 3), F32("2,1,4,1", 1, 2, 3, 4, 5, 6, 7, 8)}),
              WF32("2,3,4,2", -2, -1, -4, -2, -6, -3, -8, -4, 0, 1, 0, 2, 0, 3, 0, 4, 2, 3, 4, 6, 6, 9, 8, 12, -10, -5,
                   -12, -6, -14, -7, -16, -8, 0, 5, 0, 6, 0, 7, 0, 8, 10, 15, 12, 18, 14, 21, 16, 24));
}
END_TEST

START_TEST(binary_rank0_and_zero_size) {
    expect_ok(CASE("Add", 13, {F32("", 1.5f), F32("", 2.25f)}), WF32("", 3.75f));
    expect_ok(CASE("Div", 13, {F32("", 1), F32("", 8)}), WF32("", 0.125f));
    /* zero-size results (numpy gives the same shapes) */
    expect_ok(CASE("Mul", 13, {F32("", 2), EMPTY(RNNRUN_FLOAT, "0,3")}), WEMPTY(RNNRUN_FLOAT, "0,3"));
    expect_ok(CASE("Add", 13, {EMPTY(RNNRUN_FLOAT, "0,3"), F32("3", 1, 2, 3)}), WEMPTY(RNNRUN_FLOAT, "0,3"));
    expect_ok(CASE("Sub", 13, {EMPTY(RNNRUN_FLOAT, "2,0"), F32("1", 1)}), WEMPTY(RNNRUN_FLOAT, "2,0"));
    expect_ok(CASE("Add", 13, {EMPTY(RNNRUN_FLOAT, "0"), F32("", 1)}), WEMPTY(RNNRUN_FLOAT, "0"));
    /* np.zeros((2,1)) + np.zeros((1,0)) has shape (2,0) */
    expect_ok(CASE("Add", 13, {F32("2,1", 1, 2), EMPTY(RNNRUN_FLOAT, "1,0")}), WEMPTY(RNNRUN_FLOAT, "2,0"));
    expect_ok(CASE("Div", 13, {EMPTY(RNNRUN_INT64, "0,2"), EMPTY(RNNRUN_INT64, "0,1")}), WEMPTY(RNNRUN_INT64, "0,2"));
}
END_TEST

START_TEST(binary_not_broadcastable) {
    expect_fail(CASE("Add", 13, {F32("2,3", 1, 2, 3, 4, 5, 6), F32("2,4", 1, 2, 3, 4, 5, 6, 7, 8)}), RNNRUN_ERR_SHAPE,
                "do not broadcast");
    expect_fail(CASE("Mul", 13, {F32("3", 1, 2, 3), F32("4", 1, 2, 3, 4)}), RNNRUN_ERR_SHAPE, "(3,) and (4,)");
    expect_fail(CASE("Sub", 13, {F32("2,3", 1, 2, 3, 4, 5, 6), F32("3,2", 1, 2, 3, 4, 5, 6)}), RNNRUN_ERR_SHAPE,
                "(Sub");
    /* a zero dim broadcasts only against 1 */
    expect_fail(CASE("Div", 13, {EMPTY(RNNRUN_FLOAT, "0"), F32("2", 1, 2)}), RNNRUN_ERR_SHAPE, "do not broadcast");
}
END_TEST

START_TEST(binary_dtype_mismatch) {
    expect_fail(CASE("Add", 13, {F32("2", 1, 2), F64("2", 1, 2)}), RNNRUN_ERR_DTYPE, "float32 and float64");
    expect_fail(CASE("Mul", 13, {I32("2", 1, 2), I64("2", 1, 2)}), RNNRUN_ERR_DTYPE, "int32 and int64");
    expect_fail(CASE("Div", 13, {U8("", 1), I8("", 1)}), RNNRUN_ERR_DTYPE, "(Div");
    /* bool is not a number type of these ops */
    expect_fail(CASE("Add", 13, {BOOL("2", 1, 0), BOOL("2", 1, 1)}), RNNRUN_ERR_UNSUPPORTED, "bool");
}
END_TEST

/* Integer arithmetic wraps (two's complement); division truncates toward zero as C and
 * onnxruntime do (not numpy's floor division); x/0 gives 0 and MIN/-1 gives MIN. */
START_TEST(binary_int32) {
    /* MAX+1 = MIN, MIN+(-1) = MAX */
    expect_ok(CASE("Add", 13, {I32("4", INT32_MAX, INT32_MIN, 5, -5), I32("4", 1, -1, -7, 3)}),
              WI32("4", INT32_MIN, INT32_MAX, -2, -2));
    /* 0 - MIN = 2^31 wraps to MIN */
    expect_ok(CASE("Sub", 13, {I32("4", INT32_MIN, INT32_MAX, 5, 0), I32("4", 1, -1, 7, INT32_MIN)}),
              WI32("4", INT32_MAX, INT32_MIN, -2, INT32_MIN));
    /* 65536^2 = 2^32 -> 0; 46341^2 = 2147488281 -> -2147479015 (np.int32 product); MIN*-1 -> MIN */
    expect_ok(CASE("Mul", 13, {I32("4", 65536, 46341, -3, INT32_MIN), I32("4", 65536, 46341, 7, -1)}),
              WI32("4", 0, -2147479015, -21, INT32_MIN));
    expect_ok(
        CASE("Div", 13, {I32("8", -7, 7, -7, 7, 7, INT32_MIN, 0, INT32_MIN), I32("8", 2, -2, -2, 2, 0, -1, 5, 0)}),
        WI32("8", -3, -3, 3, 3, 0, INT32_MIN, 0, 0));
    /* broadcasting with an int32 scalar */
    expect_ok(CASE("Div", 13, {I32("3", 9, -9, 10), I32("", 4)}), WI32("3", 2, -2, 2));
}
END_TEST

START_TEST(binary_int64) {
    expect_ok(CASE("Add", 13, {I64("3", I64MAX, I64MIN, (int64_t)1 << 40), I64("3", 1, -1, (int64_t)1 << 40)}),
              WI64("3", I64MIN, I64MAX, (int64_t)1 << 41));
    expect_ok(CASE("Sub", 13, {I64("2", I64MIN, 0), I64("2", 1, I64MIN)}), WI64("2", I64MAX, I64MIN));
    /* 2^32 * 2^32 = 2^64 -> 0; 3037000500^2 -> -9223372036709301616 (np.int64 product) */
    expect_ok(
        CASE("Mul", 13,
             {I64("4", (int64_t)1 << 32, 3037000500, -1, I64MIN), I64("4", (int64_t)1 << 32, 3037000500, I64MIN, -1)}),
        WI64("4", 0, -9223372036709301616, I64MIN, I64MIN));
    expect_ok(CASE("Div", 13, {I64("6", -7, 7, I64MIN, I64MIN, 9, I64MAX), I64("6", 2, 0, -1, 0, -4, I64MIN)}),
              WI64("6", -3, 0, I64MIN, 0, -2, 0));
    /* row broadcast with int64 */
    expect_ok(CASE("Add", 13, {I64("2,3", 1, 2, 3, 4, 5, 6), I64("3", 10, 20, 30)}),
              WI64("2,3", 11, 22, 33, 14, 25, 36));
}
END_TEST

START_TEST(binary_int8) {
    /* 100 + 100 = 200 -> -56 */
    expect_ok(CASE("Add", 13, {I8("3", 127, -128, 100), I8("3", 1, -1, 100)}), WI8("3", -128, 127, -56));
    expect_ok(CASE("Sub", 13, {I8("2", -128, 127), I8("2", 1, -1)}), WI8("2", 127, -128));
    /* 16*16 = 256 -> 0; -128*-1 = 128 -> -128; 11*12 = 132 -> -124 (np.int8 product) */
    expect_ok(CASE("Mul", 13, {I8("4", 16, -128, 11, -3), I8("4", 16, -1, 12, 5)}), WI8("4", 0, -128, -124, -15));
    /* -100/7 = -14.28 truncates to -14 (numpy's // would floor to -15) */
    expect_ok(CASE("Div", 13, {I8("5", -128, -7, 7, 100, -100), I8("5", -1, 2, 0, 3, 7)}),
              WI8("5", -128, -3, 0, 33, -14));
}
END_TEST

START_TEST(binary_uint8) {
    expect_ok(CASE("Add", 13, {U8("2", 255, 200), U8("2", 1, 100)}), WU8("2", 0, 44));
    expect_ok(CASE("Sub", 13, {U8("2", 0, 5), U8("2", 1, 10)}), WU8("2", 255, 251));
    /* 16*17 = 272 -> 16; 255*255 = 65025 -> 1 */
    expect_ok(CASE("Mul", 13, {U8("2", 16, 255), U8("2", 17, 255)}), WU8("2", 16, 1));
    expect_ok(CASE("Div", 13, {U8("3", 200, 5, 255), U8("3", 7, 0, 255)}), WU8("3", 28, 0, 1));
}
END_TEST

/* IEEE division: x/0 = +-inf, 0/0 = NaN, x/-0 = -inf for x > 0, x/inf = +-0 */
START_TEST(binary_float_div_by_zero) {
    expect_ok(CASE("Div", 13, {F32("5", 1, -1, 0, 1, -1), F32("5", 0, 0, 0, -0.0f, INFINITY)}),
              WF32("5", INFINITY, -INFINITY, NAN, -INFINITY, -0.0f));
    expect_ok(CASE("Div", 13, {F64("3", 1, 0, -2), F64("", 0)}), WF64("3", INFINITY, NAN, -INFINITY));
}
END_TEST

/* float64 keeps what float32 would round away */
START_TEST(binary_double) {
    /* 0.1 + 0.2 = 0.30000000000000004 in double; 1 + 1e-12 */
    expect_ok(CASE("Add", 13, {F64("2", 0.1, 1), F64("2", 0.2, 1e-12)}),
              WF64_TOL(0, 1e-16, "2", 0.30000000000000004, 1.000000000001));
    expect_ok(CASE("Sub", 13, {F64("2", 1.000000000001, 1e300), F64("2", 1, -1e300)}),
              WF64_TOL(0, 1e-16, "2", 1.000088900582341e-12, 2e300)); /* Python: 1.000000000001 - 1 */
    /* 1e300 * 1e10 overflows to inf */
    expect_ok(CASE("Mul", 13, {F64("2", 1e300, 3), F64("2", 1e10, 1.0 / 3.0)}), WF64_TOL(0, 1e-16, "2", INFINITY, 1));
    expect_ok(CASE("Div", 13, {F64("2,2", 1, 2, 3, 4), F64("2", 3, 7)}),
              WF64_TOL(0, 1e-16, "2,2", 0.3333333333333333, 0.2857142857142857, 1, 0.5714285714285714));
}
END_TEST

/* ---- Sigmoid, Tanh, Relu --------------------------------------------------------------------- */

/* numpy: 1/(1+np.exp(-x.astype(np.float64))). sigmoid(-100) is about 3.7e-44 (a float32 denormal;
 * computing 1/(1+expf(100)) gives 0, within the tolerance) and must not be NaN; sigmoid(100) is 1 */
START_TEST(sigmoid_values) {
    expect_ok(CASE("Sigmoid", 13, {F32("10", -100, -20, -1, -0.5f, 0, 0.5f, 1, 20, 100, NAN)}),
              WF32_TOL(1e-7, 1e-6, "10", 3.7200759760208356e-44f, 2.0611536181902037e-09f, 0.2689414213699951f,
                       0.3775406687981454f, 0.5f, 0.6224593312018546f, 0.7310585786300049f, 0.9999999979388463f, 1.0f,
                       NAN));
    expect_ok(CASE("Sigmoid", 6, {F32("2,2", -1, 0, 1, 0.5f)}),
              WF32_TOL(1e-7, 1e-6, "2,2", 0.2689414213699951f, 0.5f, 0.7310585786300049f, 0.6224593312018546f));
    /* float64, same numpy expression, plus extremes: sigmoid(-800) underflows to 0, sigmoid(800) = 1 */
    expect_ok(CASE("Sigmoid", 13, {F64("10", -100, -20, -1, -0.5, 0, 0.5, 1, 20, 100, NAN)}),
              WF64_TOL(1e-300, 1e-13, "10", 3.7200759760208356e-44, 2.0611536181902037e-09, 0.2689414213699951,
                       0.3775406687981454, 0.5, 0.6224593312018546, 0.7310585786300049, 0.9999999979388463, 1.0, NAN));
    expect_ok(CASE("Sigmoid", 13, {F64("7", -800, -40, -1e-9, 1e-9, 0.1, 40, 800)}),
              WF64_TOL(1e-300, 1e-13, "7", 0.0, 4.24835425529159e-18, 0.49999999975, 0.50000000025, 0.52497918747894,
                       1.0, 1.0));
    expect_ok(CASE("Sigmoid", 13, {EMPTY(RNNRUN_FLOAT, "0,4")}), WEMPTY(RNNRUN_FLOAT, "0,4"));
}
END_TEST

/* numpy: np.tanh(x.astype(np.float64)); tanh(+-20) = +-1 in float32 */
START_TEST(tanh_values) {
    expect_ok(CASE("Tanh", 13, {F32("10", -20, -3, -1, -0.25f, 0, 0.25f, 1, 3, 20, NAN)}),
              WF32_TOL(1e-7, 1e-6, "10", -1.0f, -0.9950547536867305f, -0.7615941559557649f, -0.24491866240370913f, 0.0f,
                       0.24491866240370913f, 0.7615941559557649f, 0.9950547536867305f, 1.0f, NAN));
    expect_ok(CASE("Tanh", 6, {F32("", 1000)}), WF32("", 1));
    expect_ok(CASE("Tanh", 13, {F64("10", -20, -3, -1, -0.25, 0, 0.25, 1, 3, 20, NAN)}),
              WF64_TOL(1e-300, 1e-13, "10", -1.0, -0.9950547536867305, -0.7615941559557649, -0.24491866240370913, 0.0,
                       0.24491866240370913, 0.7615941559557649, 0.9950547536867305, 1.0, NAN));
    expect_ok(CASE("Tanh", 13, {F64("7", -800, -40, -1e-9, 1e-9, 0.1, 40, 800)}),
              WF64_TOL(1e-300, 1e-13, "7", -1.0, -1.0, -1e-09, 1e-09, 0.09966799462495582, 1.0, 1.0));
}
END_TEST

/* max(x, 0): NaN stays NaN, infinities pass through. -0.0 gives a zero; its sign is not checked
 * (the spec's max(0, x) does not say which zero). */
START_TEST(relu_float) {
    expect_ok(CASE("Relu", 13, {F32("8", -2, -0.0f, 0, 1.5f, -INFINITY, INFINITY, NAN, -1e-30f)}),
              WF32("8", 0, 0, 0, 1.5f, 0, INFINITY, NAN, 0));
    expect_ok(CASE("Relu", 6, {F64("2,2", -1e-300, 1e-300, -5, 5)}), WF64_TOL(0, 0, "2,2", 0, 1e-300, 0, 5));
    expect_ok(CASE("Relu", 14, {F32("", -3)}), WF32("", 0));
}
END_TEST

/* signed integers from opset 14 */
START_TEST(relu_int_opset14) {
    expect_ok(CASE("Relu", 14, {I8("5", -128, -1, 0, 1, 127)}), WI8("5", 0, 0, 0, 1, 127));
    expect_ok(CASE("Relu", 14, {I16("5", -32768, -1, 0, 300, 32767)}), WI16("5", 0, 0, 0, 300, 32767));
    expect_ok(CASE("Relu", 14, {I32("2,2", INT32_MIN, -1, 5, INT32_MAX)}), WI32("2,2", 0, 0, 5, INT32_MAX));
    expect_ok(CASE("Relu", 14, {I64("5", I64MIN, -5, 0, 7, I64MAX)}), WI64("5", 0, 0, 0, 7, I64MAX));
}
END_TEST

START_TEST(activation_dtypes_refused) {
    /* Relu-13 has no integer types */
    expect_fail(CASE("Relu", 13, {I32("2", -1, 1)}), RNNRUN_ERR_UNSUPPORTED, "int32");
    expect_fail(CASE("Relu", 6, {I64("2", -1, 1)}), RNNRUN_ERR_UNSUPPORTED, "(Relu");
    /* unsigned types are not in Relu-14's list */
    expect_fail(CASE("Relu", 14, {U8("2", 1, 2)}), RNNRUN_ERR_UNSUPPORTED, "uint8");
    expect_fail(CASE("Sigmoid", 13, {I32("2", -1, 1)}), RNNRUN_ERR_UNSUPPORTED, "(Sigmoid");
    expect_fail(CASE("Tanh", 13, {I64("2", -1, 1)}), RNNRUN_ERR_UNSUPPORTED, "(Tanh");
}
END_TEST

/* ---- Gemm ------------------------------------------------------------------------------------ */

/* A' = [[1,2,3],[4,5,6]] (2,3) and B' = [[1,-1,0],[0,2,1],[3,1,-2]] (3,3):
 * P = A' @ B' = [[1+0+9, -1+4+3, 0+2-6], [4+0+18, -4+10+6, 0+5-12]] = [[10,6,-4],[22,12,-7]].
 * Stored transposed for transA / transB: A = A'^T (3,2), B = B'^T (3,3). */
#define GA F32("2,3", 1, 2, 3, 4, 5, 6)
#define GA_T F32("3,2", 1, 4, 2, 5, 3, 6)
#define GB F32("3,3", 1, -1, 0, 0, 2, 1, 3, 1, -2)
#define GB_T F32("3,3", 1, 0, 3, -1, 2, 1, 0, 1, -2)
#define GC F32("2,3", 1, 2, 3, 4, 5, 6)

START_TEST(gemm_trans_alpha_beta) {
    /* alpha = beta = 1 (defaults): P + C = [[11,8,-1],[26,17,-1]] */
    expect_ok(CASE("Gemm", 13, {GA, GB, GC}), WF32("2,3", 11, 8, -1, 26, 17, -1));
    expect_ok(CASE("Gemm", 13, {GA_T, GB, GC}, {AT_I("transA", 1)}), WF32("2,3", 11, 8, -1, 26, 17, -1));
    expect_ok(CASE("Gemm", 13, {GA, GB_T, GC}, {AT_I("transB", 1)}), WF32("2,3", 11, 8, -1, 26, 17, -1));
    expect_ok(CASE("Gemm", 13, {GA_T, GB_T, GC}, {AT_I("transA", 1), AT_I("transB", 1)}),
              WF32("2,3", 11, 8, -1, 26, 17, -1));
    /* alpha = 2, beta = 0.5: 2P + 0.5C = [[20.5,13,-6.5],[46,26.5,-11]] */
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) {
            const op_case *c = CASE("Gemm", 13, {GA, GB, GC},
                                    {AT_I("transA", 0), AT_I("transB", 0), AT_F("alpha", 2), AT_F("beta", 0.5f)});
            const arg a_t = GA_T, b_t = GB_T; /* declared here so they outlive the ifs below */
            op_case k = *c;
            if (ta) k.in[0] = a_t;
            if (tb) k.in[1] = b_t;
            k.at[0].i = ta;
            k.at[1].i = tb;
            expect_ok(&k, WF32("2,3", 20.5f, 13, -6.5f, 46, 26.5f, -11));
        }
    /* transA = 0 and transB = 0 given explicitly; alpha = 0 leaves beta*C; beta = 0 leaves alpha*P */
    expect_ok(CASE("Gemm", 11, {GA, GB, GC}, {AT_F("alpha", 0)}), WF32("2,3", 1, 2, 3, 4, 5, 6));
    expect_ok(CASE("Gemm", 11, {GA, GB, GC}, {AT_F("beta", 0)}), WF32("2,3", 10, 6, -4, 22, 12, -7));
    expect_ok(CASE("Gemm", 11, {GA, GB, GC}, {AT_F("alpha", -1), AT_F("beta", -1)}),
              WF32("2,3", -11, -8, 1, -26, -17, 1));
}
END_TEST

/* C broadcast to (M,N) = (2,3), P as above, alpha = beta = 1 unless given */
START_TEST(gemm_c_shapes) {
    /* () and (1,): P + 100 */
    expect_ok(CASE("Gemm", 13, {GA, GB, F32("", 100)}), WF32("2,3", 110, 106, 96, 122, 112, 93));
    expect_ok(CASE("Gemm", 13, {GA, GB, F32("1", 100)}), WF32("2,3", 110, 106, 96, 122, 112, 93));
    /* (N,) and (1,N): every row + [1,2,3] */
    expect_ok(CASE("Gemm", 13, {GA, GB, F32("3", 1, 2, 3)}), WF32("2,3", 11, 8, -1, 23, 14, -4));
    expect_ok(CASE("Gemm", 13, {GA, GB, F32("1,3", 1, 2, 3)}), WF32("2,3", 11, 8, -1, 23, 14, -4));
    /* (M,1): row 0 + 10, row 1 + 20 */
    expect_ok(CASE("Gemm", 13, {GA, GB, F32("2,1", 10, 20)}), WF32("2,3", 20, 16, 6, 42, 32, 13));
    /* (1,1) */
    expect_ok(CASE("Gemm", 13, {GA, GB, F32("1,1", -10)}), WF32("2,3", 0, -4, -14, 12, 2, -17));
    /* (M,N) */
    expect_ok(CASE("Gemm", 13, {GA, GB, GC}), WF32("2,3", 11, 8, -1, 26, 17, -1));
    /* (M,1) with alpha 0.5, beta 2: 0.5P + 2[[10],[20]] = [[25,23,18],[51,46,36.5]] */
    expect_ok(CASE("Gemm", 13, {GA, GB, F32("2,1", 10, 20)}, {AT_F("alpha", 0.5f), AT_F("beta", 2)}),
              WF32("2,3", 25, 23, 18, 51, 46, 36.5f));
    /* (N,) with transB: the C strides do not depend on B's layout */
    expect_ok(CASE("Gemm", 13, {GA_T, GB_T, F32("3", 1, 2, 3)}, {AT_I("transA", 1), AT_I("transB", 1)}),
              WF32("2,3", 11, 8, -1, 23, 14, -4));
    /* C omitted (opset 11 and later): just alpha * P; at 11 by arity, at 13 by an empty name */
    expect_ok(CASE("Gemm", 11, {GA, GB}), WF32("2,3", 10, 6, -4, 22, 12, -7));
    expect_ok(CASE("Gemm", 13, {GA, GB, NONE}, {AT_F("beta", 5)}), WF32("2,3", 10, 6, -4, 22, 12, -7));
    expect_ok(CASE("Gemm", 13, {GA, GB}, {AT_F("alpha", 2)}), WF32("2,3", 20, 12, -8, 44, 24, -14));
    /* Gemm-7 and Gemm-9 with C */
    expect_ok(CASE("Gemm", 7, {GA, GB, F32("3", 1, 2, 3)}), WF32("2,3", 11, 8, -1, 23, 14, -4));
    expect_ok(CASE("Gemm", 9, {GA, GB, GC}), WF32("2,3", 11, 8, -1, 26, 17, -1));
    /* C that does not broadcast to (2,3) */
    expect_fail(CASE("Gemm", 13, {GA, GB, F32("2", 1, 2)}), RNNRUN_ERR_SHAPE, "does not broadcast to (2, 3)");
    expect_fail(CASE("Gemm", 13, {GA, GB, F32("3,2", 1, 2, 3, 4, 5, 6)}), RNNRUN_ERR_SHAPE, "(Gemm");
    expect_fail(CASE("Gemm", 13, {GA, GB, F32("1,2,3", 1, 2, 3, 4, 5, 6)}), RNNRUN_ERR_SHAPE, "(1, 2, 3)");
    expect_fail(CASE("Gemm", 13, {GA, GB, F32("2,3,1", 1, 2, 3, 4, 5, 6)}), RNNRUN_ERR_SHAPE, "(Gemm");
}
END_TEST

/* Gemm-7 and Gemm-9 require C: a node with two inputs is not a valid model. */
START_TEST(gemm_c_required_before_11) {
    expect_load_fail(CASE("Gemm", 9, {GA, GB}), RNNRUN_ERR_MODEL, "required input 2");
    expect_load_fail(CASE("Gemm", 7, {GA, GB}), RNNRUN_ERR_MODEL, "Gemm-7");
    expect_load_fail(CASE("Gemm", 9, {GA, GB, NONE}), RNNRUN_ERR_MODEL, "required input 2");
    /* and Gemm before 7 (the broadcast attribute era) is not implemented */
    expect_load_fail(CASE("Gemm", 6, {GA, GB, GC}), RNNRUN_ERR_UNSUPPORTED, "Gemm at opset 6");
}
END_TEST

START_TEST(gemm_shape_errors) {
    /* K mismatch: A (2,3) @ B (4,2) */
    expect_fail(CASE("Gemm", 13, {GA, F32("4,2", 1, 2, 3, 4, 5, 6, 7, 8)}), RNNRUN_ERR_SHAPE, "K 3 vs 4");
    /* with transB, B (3,3)' is fine but B (2,3)' = (3,2) gives K mismatch after transA */
    expect_fail(CASE("Gemm", 13, {GA_T, F32("2,3", 1, 2, 3, 4, 5, 6)}, {AT_I("transA", 1)}), RNNRUN_ERR_SHAPE,
                "K 3 vs 2");
    expect_fail(CASE("Gemm", 13, {GA, F32("3,2", 1, 2, 3, 4, 5, 6)}, {AT_I("transB", 1)}), RNNRUN_ERR_SHAPE, "(Gemm");
    /* not 2-D */
    expect_fail(CASE("Gemm", 13, {F32("2,3,1", 1, 2, 3, 4, 5, 6), GB}), RNNRUN_ERR_SHAPE, "must be 2-D");
    expect_fail(CASE("Gemm", 13, {F32("3", 1, 2, 3), GB}), RNNRUN_ERR_SHAPE, "must be 2-D");
    expect_fail(CASE("Gemm", 13, {GA, F32("9", 1, 2, 3, 4, 5, 6, 7, 8, 9)}), RNNRUN_ERR_SHAPE, "must be 2-D");
    /* dtypes */
    expect_fail(CASE("Gemm", 13, {GA, F64("3,3", 1, 2, 3, 4, 5, 6, 7, 8, 9)}), RNNRUN_ERR_DTYPE, "(Gemm");
    expect_fail(CASE("Gemm", 13, {GA, GB, F64("", 1)}), RNNRUN_ERR_DTYPE, "one dtype");
    expect_fail(CASE("Gemm", 13, {I32("1,1", 1), I32("1,1", 1)}), RNNRUN_ERR_UNSUPPORTED, "int32");
}
END_TEST

/* Odd sizes. A, B, C from fill() (see the top of the file); alpha = 0.5, beta = -1.5. Expected:
 *   A = fill(M*K, sa).reshape((K,M) if transA else (M,K)); B likewise; C = fill(.., sc).reshape(cshape)
 *   0.5 * (A.T if transA else A) @ (B.T if transB else B) + -1.5 * C    (numpy, float64; exact here) */
static float gemm_a[17 * 17], gemm_b[17 * 17], gemm_c[17 * 17];

static void gemm_odd(int M, int K, int N, int ta, int tb, int sa, int sb, int sc, const char *cshape,
                     const float *expected, size_t n_expected) {
    char as[32], bs[32], ys[32];
    snprintf(as, sizeof as, "%d,%d", ta ? K : M, ta ? M : K);
    snprintf(bs, sizeof bs, "%d,%d", tb ? N : K, tb ? K : N);
    snprintf(ys, sizeof ys, "%d,%d", M, N);
    int64_t nc = shape_numel(cshape);
    fill(gemm_a, M * K, sa);
    fill(gemm_b, K * N, sb);
    fill(gemm_c, nc, sc);
    const op_case *c =
        CASE("Gemm", 13,
             {DATA(RNNRUN_FLOAT, as, gemm_a, (size_t)(M * K)), DATA(RNNRUN_FLOAT, bs, gemm_b, (size_t)(K * N)),
              DATA(RNNRUN_FLOAT, cshape, gemm_c, (size_t)nc)},
             {AT_I("transA", ta), AT_I("transB", tb), AT_F("alpha", 0.5f), AT_F("beta", -1.5f)});
    expect_ok(c, WDATA(RNNRUN_FLOAT, ys, expected, n_expected, 1e-6, 1e-6));
}

START_TEST(gemm_odd_sizes) {
    /* M=1 K=17 N=5, transB, A=fill(17,1) B=fill(85,2) C=fill(5,3) shape (5,) */
    static const float y1[] = {-3.7890625f, 2.71875f, -1.015625f, -2.953125f, 4.9921875f};
    gemm_odd(1, 17, 5, 0, 1, 1, 2, 3, "5", y1, sizeof y1 / sizeof y1[0]);
    /* M=5 K=1 N=17, transA, A=fill(5,4) B=fill(17,5) C=fill(5,6) shape (5,1) */
    static const float y2[] = {
        1.5f, 2.0625f, 1.1875f, 1.75f, 2.3125f, 1.4375f, 2.0f, 1.125f, 1.6875f, 2.25f, 1.375f, 1.9375f, 1.0625f,
        1.625f, 2.1875f, 1.3125f, 1.875f, -0.796875f, -1.21875f, -0.5625f, -0.984375f, -1.40625f, -0.75f, -1.171875f,
        -0.515625f, -0.9375f, -1.359375f, -0.703125f, -1.125f, -0.46875f, -0.890625f, -1.3125f, -0.65625f, -1.078125f,
        0.6796875f, 0.890625f, 0.5625f, 0.7734375f, 0.984375f, 0.65625f, 0.8671875f, 0.5390625f, 0.75f, 0.9609375f,
        0.6328125f, 0.84375f, 0.515625f, 0.7265625f, 0.9375f, 0.609375f, 0.8203125f, -1.6171875f, -2.390625f,
        -1.1875f, -1.9609375f, -2.734375f, -1.53125f, -2.3046875f, -1.1015625f, -1.875f, -2.6484375f, -1.4453125f,
        -2.21875f, -1.015625f, -1.7890625f, -2.5625f, -1.359375f, -2.1328125f, -0.140625f, -0.28125f, -0.0625f,
        -0.203125f, -0.34375f, -0.125f, -0.265625f, -0.046875f, -0.1875f, -0.328125f, -0.109375f, -0.25f, -0.03125f,
        -0.171875f, -0.3125f, -0.09375f, -0.234375f};
    gemm_odd(5, 1, 17, 1, 0, 4, 5, 6, "5,1", y2, sizeof y2 / sizeof y2[0]);
    /* M=17 K=5 N=1, transA and transB, A=fill(85,7) B=fill(5,8) C=fill(1,9) shape (1,) */
    static const float y3[] = {0.375f, -0.3828125f, -0.421875f, 0.4375f, -0.3203125f, 0.359375f,
                               -0.3984375f, -0.4375f, 0.421875f, -0.3359375f, -0.375f, -0.4140625f,
                               -0.453125f, 0.40625f, -0.3515625f, -0.390625f, 0.46875f};
    gemm_odd(17, 5, 1, 1, 1, 7, 8, 9, "1", y3, sizeof y3 / sizeof y3[0]);
    /* M=K=N=17, A=fill(289,10) B=fill(289,11) C=fill(289,12) shape (17,17) */
    static const float y4[] = {
        -4.484375f, 0.4609375f, 0.734375f, -0.609375f, 0.921875f, 1.1953125f, 0.03125f, 0.484375f, -0.859375f,
        -0.765625f, 1.84375f, -1.1171875f, 1.671875f, -1.109375f, 0.9609375f, 1.7734375f, -2.984375f, 3.6171875f,
        -2.078125f, -1.3046875f, 2.1640625f, -2.8125f, 3.53125f, -3.9609375f, -1.5703125f, 1.8984375f, -1.8203125f,
        2.7265625f, 1.8828125f, -1.8359375f, 1.6328125f, -1.546875f, 1.203125f, 2.6953125f, -1.21875f, 1.8515625f,
        -2.8046875f, -0.453125f, 3.3359375f, -2.578125f, 2.828125f, -2.90625f, -0.5546875f, 3.0546875f, -4.65625f,
        3.0859375f, -4.4453125f, -0.65625f, 2.0546875f, -3.3203125f, 2.625f, -0.3046875f, 0.390625f, 0.546875f,
        -0.9140625f, 0.6796875f, 1.015625f, -0.0859375f, 0.4296875f, -1.03125f, -1.0546875f, 1.6171875f, -1.28125f,
        1.5703125f, -1.1484375f, 0.625f, 1.5f, -3.1953125f, 2.046875f, -1.96875f, 0.3046875f, 1.140625f, -2.15625f,
        1.734375f, 0.234375f, -0.0078125f, 0.828125f, -1.390625f, 0.703125f, 1.5390625f, -0.5f, 0.515625f,
        -1.34375f, -1.046875f, 2.125f, -3.1484375f, 1.6015625f, -1.5546875f, -1.8359375f, 3.6328125f, -4.734375f,
        2.3515625f, -1.703125f, -1.984375f, 3.125f, -2.90625f, 2.3828125f, 0.84375f, -2.1328125f, 1.8984375f,
        -1.796875f, 1.6953125f, 1.5390625f, -0.21875f, 1.4375f, -2.65625f, 0.6171875f, 2.6328125f, -0.921875f,
        1.2734375f, -2.8203125f, -1.34375f, 3.0078125f, -2.34375f, 2.1875f, -2.984375f, 0.109375f, 2.6640625f,
        -4.484375f, 1.9140625f, 2.2734375f, 0.1171875f, 0.8359375f, -2.3984375f, 1.5546875f, 0.1171875f, -0.0625f,
        0.65625f, -1.6796875f, 0.4765625f, 1.375f, -0.6015625f, 0.4765625f, -1.6796875f, -1.3203125f, 1.9140625f,
        -2.0234375f, 0.2734375f, -1.3828125f, -0.1640625f, 2.8515625f, -3.8359375f, 0.796875f, 2.734375f, -0.359375f,
        2.1171875f, -2.234375f, 0.6015625f, 0.7421875f, -0.5546875f, 0.6640625f, -1.3515625f, -0.3125f, 2.3046875f,
        -1.90625f, 1.25f, -1.34375f, -0.5234375f, 3.171875f, -2.8359375f, 1.0390625f, -1.5546875f, -2.7109375f,
        3.3203125f, -4.484375f, 1.7265625f, 2.546875f, -1.484375f, 2.75f, -2.71875f, 2.3203125f, 0.2265625f,
        -0.4296875f, 1.7890625f, -3.8984375f, 1.734375f, 1.9765625f, -0.65625f, 1.5625f, -3.40625f, 0.4296875f,
        3.0078125f, -1.421875f, 1.3359375f, -3.6328125f, -1.59375f, 3.3203125f, -2.15625f, 0.203125f, 2.7421875f,
        -0.46875f, 2.609375f, -4.015625f, 0.6796875f, 2.6796875f, -0.53125f, 1.828125f, -2.4609375f, 0.4375f,
        0.640625f, -0.59375f, 0.328125f, -1.625f, -0.5234375f, 1.9921875f, -0.5390625f, -0.015625f, -1.109375f,
        -2.7421875f, 2.6328125f, -1.6953125f, -0.2734375f, 2.9453125f, -1.0234375f, 2.5546875f, -3.5703125f, 0.1875f,
        2.6875f, -0.0234375f, 1.7578125f, -2.03125f, 1.6484375f, 1.234375f, -2.0546875f, 1.6640625f, -2.34375f,
        0.8359375f, 2.7578125f, -2.328125f, 1.390625f, -2.078125f, -0.6953125f, 3.5625f, -3.3203125f, 1.1171875f,
        1.78125f, -2.9453125f, 3.6484375f, -3.1875f, 0.8515625f, 0.7578125f, -0.953125f, 3.8046875f, -5.2734375f,
        1.1015625f, 0.6484375f, -1.0625f, 2.796875f, -3.9453125f, 0.6328125f, 2.515625f, -1.171875f, 1.0703125f,
        -3.3359375f, -0.5546875f, 1.859375f, -0.609375f, -0.203125f, 2.8984375f, -2.984375f, 2.453125f, -1.8125f,
        -0.328125f, 2.7734375f, -1.3125f, 2.328125f, -3.734375f, 0.0859375f, 2.6484375f, -0.359375f, 1.484375f,
        -2.2421875f, -0.1015625f, 1.1640625f, -0.625f, 0.4609375f, -1.8671875f, -1.140625f, 2.4609375f, -0.9453125f,
        0.140625f, 2.484375f, -2.8984375f, 3.0390625f, -2.1640625f, -0.1796875f, 1.8046875f, -1.2421875f, 2.8984375f};
    gemm_odd(17, 17, 17, 0, 0, 10, 11, 12, "17,17", y4, sizeof y4 / sizeof y4[0]);
    /* M=5 K=17 N=17, transA and transB, A=fill(85,13) B=fill(289,14) C=fill(17,15) shape (1,17) */
    static const float y5[] = {
        -0.6015625f, 4.03125f, 0.21875f, -0.359375f, -1.1171875f, 1.1796875f, 0.78125f, -1.0546875f, 0.1640625f,
        -2.5703125f, -0.09375f, 0.046875f, 0.3671875f, 0.8671875f, -3.484375f, 0.0703125f, 3.625f, -0.703125f,
        1.5546875f, -0.5f, 0.6796875f, -2.453125f, -0.015625f, 2.9609375f, -1.25f, 0.109375f, -0.8671875f,
        0.8515625f, 1.1328125f, -0.921875f, 1.3359375f, -1.2578125f, -0.078125f, 1.1015625f, 1.171875f, 2.671875f,
        -0.140625f, 0.28125f, 0.5234375f, 0.5859375f, 0.2890625f, -0.546875f, 2.5703125f, -3.296875f, -0.71875f,
        1.3203125f, -1.4921875f, 0.0078125f, -3.34375f, 1.2109375f, 1.6328125f, -0.546875f, 1.6328125f, -0.5f,
        0.6015625f, -2.609375f, 0.6484375f, 2.6484375f, -1.640625f, 0.5390625f, -0.515625f, 0.2265625f, 1.328125f,
        -0.8046875f, 1.375f, -1.296875f, -0.1953125f, 0.90625f, -0.2890625f, 2.2109375f, 0.3984375f, 1.8203125f,
        -1.0703125f, 0.890625f, 0.6953125f, 0.859375f, 1.7421875f, -3.125f, -0.4453125f, 3.4921875f, -2.453125f,
        0.046875f, -2.3046875f, -0.8828125f, 0.5390625f};
    gemm_odd(5, 17, 17, 1, 1, 13, 14, 15, "1,17", y5, sizeof y5 / sizeof y5[0]);
}
END_TEST

/* K = 0: A'B' is all zeros, so Y = beta * C; M = 0: an empty result */
START_TEST(gemm_zero_size) {
    expect_ok(CASE("Gemm", 13, {EMPTY(RNNRUN_FLOAT, "2,0"), EMPTY(RNNRUN_FLOAT, "0,3"), F32("3", 1, 2, 3)},
                   {AT_F("beta", 2)}),
              WF32("2,3", 2, 4, 6, 2, 4, 6));
    expect_ok(CASE("Gemm", 13, {EMPTY(RNNRUN_FLOAT, "2,0"), EMPTY(RNNRUN_FLOAT, "3,0")}, {AT_I("transB", 1)}),
              WF32("2,3", 0, 0, 0, 0, 0, 0));
    expect_ok(CASE("Gemm", 13, {EMPTY(RNNRUN_FLOAT, "0,3"), GB, F32("3", 1, 2, 3)}), WEMPTY(RNNRUN_FLOAT, "0,3"));
    expect_ok(CASE("Gemm", 13, {GA, EMPTY(RNNRUN_FLOAT, "3,0")}), WEMPTY(RNNRUN_FLOAT, "2,0"));
}
END_TEST

/* float64. numpy, with rng = np.random.default_rng(1): A = rng.standard_normal((3,4)),
 * B = rng.standard_normal((4,2)), C = rng.standard_normal((2,)); Y = 0.25 * A @ B + 2.0 * C */
START_TEST(gemm_double) {
    const op_case *c = CASE(
        "Gemm", 13,
        {F64("3,4", 0.345584192064786, 0.8216181435011584, 0.33043707618338714, -1.303157231604361, 0.9053558666731177,
             0.4463745723640113, -0.5369532353602852, 0.5811181041963531, 0.36457239618607573, 0.294132496655526,
             0.02842224131579679, 0.5467129866124469),
         F64("4,2", -0.7364540870016669, -0.16290994799305278, -0.48211931267997826, 0.5988462126346276,
             0.03972210748165899, -0.2924567509650886, -0.7819084623568421, -0.2571922406188707),
         F64("2", 0.008142180518343508, -0.2756029052993704)},
        {AT_F("alpha", 0.25f), AT_F("beta", 2)});
    expect_ok(c, WF64("3,2", 0.11164697577408395, -0.38264401427697076, -0.32313286587726536, -0.5193571165305214,
                      -0.1928777158862815, -0.5592495488037661));
    /* the small case in double with transposes: 2P + 0.5C */
    expect_ok(
        CASE("Gemm", 11,
             {F64("3,2", 1, 4, 2, 5, 3, 6), F64("3,3", 1, 0, 3, -1, 2, 1, 0, 1, -2), F64("2,3", 1, 2, 3, 4, 5, 6)},
             {AT_I("transA", 1), AT_I("transB", 1), AT_F("alpha", 2), AT_F("beta", 0.5f)}),
        WF64("2,3", 20.5, 13, -6.5, 46, 26.5, -11));
    /* and without C */
    expect_ok(CASE("Gemm", 13, {F64("1,2", 1e-10, 1), F64("2,1", 1, 1e-10)}), WF64_TOL(0, 1e-15, "1,1", 2e-10));
}
END_TEST
#undef GA
#undef GA_T
#undef GB
#undef GB_T
#undef GC

/* ---- MatMul (numpy.matmul) ------------------------------------------------------------------- */

/* Inputs from fill(); expected values from numpy's @ on the same arrays (float64, exact here). */
START_TEST(matmul_ranks) {
    float a23[6], b32[6], v3[3], u3[3], a223[12], b232[12];
    fill(a23, 6, 1);   /* fill(6,1).reshape(2,3) */
    fill(b32, 6, 2);   /* fill(6,2).reshape(3,2) */
    fill(v3, 3, 3);    /* fill(3,3) */
    fill(u3, 3, 1);    /* fill(3,1) */
    fill(a223, 12, 4); /* fill(12,4).reshape(2,2,3) */
    fill(b232, 12, 5); /* fill(12,5).reshape(2,3,2) */
#define A23 DATA(RNNRUN_FLOAT, "2,3", a23, 6)
#define B32 DATA(RNNRUN_FLOAT, "3,2", b32, 6)
#define V3 DATA(RNNRUN_FLOAT, "3", v3, 3)
#define A223 DATA(RNNRUN_FLOAT, "2,2,3", a223, 12)
#define B232 DATA(RNNRUN_FLOAT, "2,3,2", b232, 12)
    /* 2-D @ 2-D */
    expect_ok(CASE("MatMul", 13, {A23, B32}), WF32("2,2", 0.046875f, 0.296875f, 0.421875f, 0.921875f));
    /* 1-D @ 2-D -> (2,); 2-D @ 1-D -> (2,); 1-D @ 1-D -> () */
    expect_ok(CASE("MatMul", 13, {V3, B32}), WF32("2", 0.140625f, 0.453125f));
    expect_ok(CASE("MatMul", 13, {A23, V3}), WF32("2", 2.03125f, 1.53125f));
    expect_ok(CASE("MatMul", 13, {V3, DATA(RNNRUN_FLOAT, "3", u3, 3)}), WF32("", 2.03125f));
    /* 3-D @ 2-D and 2-D @ 3-D -> (2,2,2) */
    expect_ok(CASE("MatMul", 13, {A223, B32}),
              WF32("2,2,2", 0.546875f, -1.625f, -1.59375f, 1.515625f, -1.21875f, 2.140625f, 0.234375f, 0.609375f));
    expect_ok(CASE("MatMul", 13, {A23, B232}),
              WF32("2,2,2", -1.828125f, 0.21875f, -1.890625f, 0.40625f, 0.390625f, 0.640625f, 0.390625f, 0.890625f));
    /* 1-D @ 3-D -> (2,2); 3-D @ 1-D -> (2,2) */
    expect_ok(CASE("MatMul", 13, {V3, B232}), WF32("2,2", -1.84375f, 0.265625f, 0.390625f, 0.703125f));
    expect_ok(CASE("MatMul", 13, {A223, V3}), WF32("2,2", -1.390625f, -0.453125f, -0.953125f, 1.78125f));
    /* MatMul-1 and MatMul-9 are the same op */
    expect_ok(CASE("MatMul", 1, {A23, B32}), WF32("2,2", 0.046875f, 0.296875f, 0.421875f, 0.921875f));
    expect_ok(CASE("MatMul", 9, {V3, B32}), WF32("2", 0.140625f, 0.453125f));
#undef A23
#undef B32
#undef V3
#undef A223
#undef B232
}
END_TEST

START_TEST(matmul_batch_broadcast) {
    float a[24], b[40], c[24], d[16], e[12], f[16];
    fill(a, 24, 6);
    fill(b, 40, 7);
    /* numpy: fill(24,6).reshape(2,1,3,4) @ fill(40,7).reshape(5,4,2) -> (2,5,3,2) */
    expect_ok(CASE("MatMul", 13, {DATA(RNNRUN_FLOAT, "2,1,3,4", a, 24), DATA(RNNRUN_FLOAT, "5,4,2", b, 40)}),
              WF32("2,5,3,2", 0.015625f, 1.890625f, -1.59375f, 0.046875f, 1.109375f, -0.71875f, -1.515625f, 1.796875f,
                   0.75f, 0.234375f, -2.015625f, -1.328125f, 1.984375f, -1.53125f, -0.140625f, 0.78125f, -0.109375f,
                   2.015625f, 1.890625f, -1.625f, 0.046875f, 0.96875f, -0.71875f, 1.40625f, 1.796875f, 0.078125f,
                   0.234375f, -1.71875f, -1.328125f, 1.515625f, -1.21875f, -0.046875f, 1.484375f, -0.8125f, 1.671875f,
                   -0.859375f, 0.609375f, 0.703125f, -2.15625f, -0.859375f, 1.90625f, -0.625f, -0.796875f, 0.734375f,
                   -0.765625f, 1.96875f, -1.09375f, -2.1875f, -0.046875f, 1.484375f, -0.8125f, 1.921875f, -0.859375f,
                   -1.953125f, 0.703125f, -1.71875f, -0.859375f, 1.515625f, -0.625f, 1.515625f));
    /* numpy: fill(24,8).reshape(2,3,4) @ fill(16,9).reshape(2,4,2) -> (2,3,2), equal batch dims */
    fill(c, 24, 8);
    fill(d, 16, 9);
    expect_ok(CASE("MatMul", 13, {DATA(RNNRUN_FLOAT, "2,3,4", c, 24), DATA(RNNRUN_FLOAT, "2,4,2", d, 16)}),
              WF32("2,3,2", -1.625f, 1.890625f, 0.453125f, 0.140625f, -1.78125f, -0.890625f, 1.953125f, -0.984375f,
                   -2.15625f, -0.65625f, 2.0f, -0.328125f));
    /* numpy: fill(12,10).reshape(1,3,4) @ fill(16,11).reshape(2,4,2) -> (2,3,2), A broadcast */
    fill(e, 12, 10);
    fill(f, 16, 11);
    expect_ok(CASE("MatMul", 13, {DATA(RNNRUN_FLOAT, "1,3,4", e, 12), DATA(RNNRUN_FLOAT, "2,4,2", f, 16)}),
              WF32("2,3,2", -1.703125f, 2.015625f, 0.46875f, 0.359375f, -2.03125f, -0.9375f, -1.421875f, -1.65625f,
                   1.03125f, 0.5625f, -2.265625f, 2.0625f));
}
END_TEST

START_TEST(matmul_errors) {
    expect_fail(CASE("MatMul", 13, {F32("2,3", 1, 2, 3, 4, 5, 6), F32("4,2", 1, 2, 3, 4, 5, 6, 7, 8)}),
                RNNRUN_ERR_SHAPE, "K 3 vs 4");
    expect_fail(CASE("MatMul", 13, {F32("3", 1, 2, 3), F32("2", 1, 2)}), RNNRUN_ERR_SHAPE, "(MatMul");
    /* batch dims 2 and 3 do not broadcast */
    expect_fail(CASE("MatMul", 13, {EMPTY(RNNRUN_FLOAT, "2,0,3"), EMPTY(RNNRUN_FLOAT, "3,3,0")}), RNNRUN_ERR_SHAPE,
                "batch dimensions");
    expect_fail(CASE("MatMul", 13, {F32("", 1), F32("1", 1)}), RNNRUN_ERR_SHAPE, "rank >= 1");
    expect_fail(CASE("MatMul", 13, {F32("1", 1), F64("1", 1)}), RNNRUN_ERR_DTYPE, "float64");
    expect_fail(CASE("MatMul", 13, {I64("1", 1), I64("1", 1)}), RNNRUN_ERR_UNSUPPORTED, "int64");
}
END_TEST

START_TEST(matmul_zero_size) {
    expect_ok(CASE("MatMul", 13, {EMPTY(RNNRUN_FLOAT, "0,3"), F32("3,2", 1, 2, 3, 4, 5, 6)}),
              WEMPTY(RNNRUN_FLOAT, "0,2"));
    /* K = 0: a sum of nothing, all zeros */
    expect_ok(CASE("MatMul", 13, {EMPTY(RNNRUN_FLOAT, "2,0"), EMPTY(RNNRUN_FLOAT, "0,3")}),
              WF32("2,3", 0, 0, 0, 0, 0, 0));
    expect_ok(CASE("MatMul", 13, {EMPTY(RNNRUN_FLOAT, "2,0"), EMPTY(RNNRUN_FLOAT, "0")}), WF32("2", 0, 0));
    expect_ok(CASE("MatMul", 13, {F32("2,3", 1, 2, 3, 4, 5, 6), EMPTY(RNNRUN_FLOAT, "3,0")}),
              WEMPTY(RNNRUN_FLOAT, "2,0"));
    expect_ok(CASE("MatMul", 13, {EMPTY(RNNRUN_FLOAT, "0,2,3"), F32("3,2", 1, 2, 3, 4, 5, 6)}),
              WEMPTY(RNNRUN_FLOAT, "0,2,2"));
    expect_ok(CASE("MatMul", 13, {EMPTY(RNNRUN_DOUBLE, "2,1,1,0"), EMPTY(RNNRUN_DOUBLE, "3,0,2")}),
              WF64("2,3,1,2", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
}
END_TEST

/* numpy, rng = np.random.default_rng(2): A = rng.standard_normal((2,3)), B = rng.standard_normal((3,3)), A @ B */
START_TEST(matmul_double) {
    expect_ok(CASE("MatMul", 13,
                   {F64("2,3", 0.18905338179353307, -0.5227484414807474, -0.41306354339189344, -2.4414673826398556,
                        1.799707382720902, 1.1441658720372287),
                    F64("3,3", -0.32542283686782436, 0.7738065867276614, 0.28121066979764925, -0.5538228364240524,
                        0.9775674511260357, -0.31055654665915255, -0.3288239040579627, -0.7921467553588982,
                        0.45495807124085547)}),
              WF64("2,3", 0.36381290373655095, -0.0375241637885288, 0.027580185877895902, -0.5784388945860386,
                   -1.0362354661949582, -0.7249300894143834));
    /* a batch of 1-D @ 3-D in double: [1, 2] @ [[[1,0],[0,1]], [[2,3],[4,5]]] = [[1,2],[10,13]] */
    expect_ok(CASE("MatMul", 13, {F64("2", 1, 2), F64("2,2,2", 1, 0, 0, 1, 2, 3, 4, 5)}), WF64("2,2", 1, 2, 10, 13));
}
END_TEST

/* ---- Constant, Identity ---------------------------------------------------------------------- */

START_TEST(constant_forms) {
    expect_ok(CASE("Constant", 13, .at = {AT_T("value", F32("2,2", 1, 2, 3, 4))}),
              WF32("2,2", 1, 2, 3, 4));
    expect_ok(CASE("Constant", 9, .at = {AT_T("value", I64("3", 1, -2, I64MAX))}),
              WI64("3", 1, -2, I64MAX));
    expect_ok(CASE("Constant", 1, .at = {AT_T("value", F32("", 2.5f))}), WF32("", 2.5f));
    expect_ok(CASE("Constant", 11, .at = {AT_T("value", I8("2", -128, 127))}), WI8("2", -128, 127));
    expect_ok(CASE("Constant", 21, .at = {AT_T("value", F64("1,2", 0.1, -1e300))}),
              WF64_TOL(0, 0, "1,2", 0.1, -1e300));
    expect_ok(CASE("Constant", 13, .at = {AT_T("value", EMPTY(RNNRUN_FLOAT, "0,2"))}),
              WEMPTY(RNNRUN_FLOAT, "0,2"));
    /* the typed shortcuts of Constant-12 and later: value_float(s) give float32, value_int(s) int64 */
    expect_ok(CASE("Constant", 12, .at = {AT_F("value_float", 0.25f)}), WF32("", 0.25f));
    expect_ok(CASE("Constant", 13, .at = {AT_FLOATS("value_floats", 1.5f, -2)}), WF32("2", 1.5f, -2));
    expect_ok(CASE("Constant", 13, .at = {AT_I("value_int", -7)}), WI64("", -7));
    expect_ok(CASE("Constant", 25, .at = {AT_INTS("value_ints", 3, -1, 0, I64MIN)}),
              WI64("4", 3, -1, 0, I64MIN));
}
END_TEST

START_TEST(constant_refused) {
    static const char *const strs[] = {"a", "b"};
    expect_fail(CASE("Constant", 13, .at = {AT_S("value_string", "hello")}), RNNRUN_ERR_UNSUPPORTED,
                "value_string");
    const op_case *c = CASE("Constant", 13, .at = {{"value_strings", 'S', 0, 0, strs, 2}});
    expect_fail(c, RNNRUN_ERR_UNSUPPORTED, "value_strings");
    /* exactly one value attribute */
    expect_fail(CASE("Constant", 13, .at = {AT_F("value_float", 1), AT_I("value_int", 1)}),
                RNNRUN_ERR_MODEL, "exactly one");
    expect_fail(CASE("Constant", 13, .at = {AT_T("value", F32("", 1)), AT_FLOATS("value_floats", 1)}),
                RNNRUN_ERR_MODEL, "(Constant");
    expect_fail(CASE("Constant", 13, .name = NULL), RNNRUN_ERR_MODEL, "no value attribute");
    /* a value attribute of the wrong attribute type */
    expect_fail(CASE("Constant", 13, .at = {AT_I("value_float", 1)}), RNNRUN_ERR_MODEL, "value_float");
}
END_TEST

/* Identity copies (folded) or aliases (fed) its input, any dtype */
START_TEST(identity) {
    expect_ok(CASE("Identity", 13, {F32("2,3", 1, -2, 3.5f, NAN, INFINITY, -0.0f)}),
              WF32("2,3", 1, -2, 3.5f, NAN, INFINITY, -0.0f));
    expect_ok(CASE("Identity", 1, {I64("", I64MIN)}), WI64("", I64MIN));
    expect_ok(CASE("Identity", 14, {I8("4", -128, -1, 0, 127)}), WI8("4", -128, -1, 0, 127));
    expect_ok(CASE("Identity", 16, {BOOL("3", 1, 0, 1)}), WBOOL("3", 1, 0, 1));
    expect_ok(CASE("Identity", 25, {F64("2", 0.1, -0.2)}), WF64_TOL(0, 0, "2", 0.1, -0.2));
    expect_ok(CASE("Identity", 13, {EMPTY(RNNRUN_FLOAT, "0,2")}), WEMPTY(RNNRUN_FLOAT, "0,2"));
}
END_TEST

/* ---- Gather ---------------------------------------------------------------------------------- */

/* np.take(data, indices, axis); data (3,2) = [[1,2],[3,4],[5,6]] unless said otherwise */
#define D32 F32("3,2", 1, 2, 3, 4, 5, 6)
#define D23 F32("2,3", 1, 2, 3, 4, 5, 6)

START_TEST(gather_axis0) {
    expect_ok(CASE("Gather", 13, {D32, I64("3", 2, 0, 2)}), WF32("3,2", 5, 6, 1, 2, 5, 6));
    expect_ok(CASE("Gather", 13, {D32, I64("3", 2, 0, 2)}, {AT_I("axis", 0)}), WF32("3,2", 5, 6, 1, 2, 5, 6));
    expect_ok(CASE("Gather", 1, {D32, I64("1", 1)}), WF32("1,2", 3, 4));
    expect_ok(CASE("Gather", 11, {I64("4", 10, 20, 30, 40), I64("2", 3, 0)}), WI64("2", 40, 10));
    /* repeated and empty index lists */
    expect_ok(CASE("Gather", 13, {D32, I64("4", 1, 1, 1, 1)}), WF32("4,2", 3, 4, 3, 4, 3, 4, 3, 4));
    expect_ok(CASE("Gather", 13, {D32, EMPTY(RNNRUN_INT64, "0")}), WEMPTY(RNNRUN_FLOAT, "0,2"));
}
END_TEST

START_TEST(gather_axis1_and_negative_axis) {
    /* rows of (2,3) at columns [2, 0]: [[3,1],[6,4]] */
    expect_ok(CASE("Gather", 13, {D23, I64("2", 2, 0)}, {AT_I("axis", 1)}), WF32("2,2", 3, 1, 6, 4));
    /* np.take(np.arange(12).reshape(2,2,3), [1], axis=-1) -> (2,2,1) [1,4,7,10] */
    expect_ok(CASE("Gather", 13, {I64("2,2,3", 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), I64("1", 1)}, {AT_I("axis", -1)}),
              WI64("2,2,1", 1, 4, 7, 10));
    /* np.take(np.arange(12).reshape(2,2,3), [1,0], axis=-2) swaps the middle rows */
    expect_ok(
        CASE("Gather", 11, {I64("2,2,3", 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), I64("2", 1, 0)}, {AT_I("axis", -2)}),
        WI64("2,2,3", 3, 4, 5, 0, 1, 2, 9, 10, 11, 6, 7, 8));
}
END_TEST

START_TEST(gather_2d_indices) {
    /* axis 0: out[j,k,:] = data[idx[j,k],:] with idx [[0,1],[2,0]] */
    expect_ok(CASE("Gather", 13, {D32, I64("2,2", 0, 1, 2, 0)}), WF32("2,2,2", 1, 2, 3, 4, 5, 6, 1, 2));
    /* axis 1: out[i,j,k] = data[i, idx[j,k]] with idx [[0,2],[1,1]] */
    expect_ok(CASE("Gather", 13, {D23, I64("2,2", 0, 2, 1, 1)}, {AT_I("axis", 1)}),
              WF32("2,2,2", 1, 3, 2, 2, 4, 6, 5, 5));
}
END_TEST

/* a rank-0 index drops the axis */
START_TEST(gather_scalar_index) {
    expect_ok(CASE("Gather", 13, {D32, I64("", 1)}), WF32("2", 3, 4));
    expect_ok(CASE("Gather", 13, {D32, I64("", 0)}, {AT_I("axis", 1)}), WF32("3", 1, 3, 5));
    expect_ok(CASE("Gather", 13, {F32("3", 7, 8, 9), I64("", -1)}), WF32("", 9));
}
END_TEST

START_TEST(gather_negative_and_int32_indices) {
    /* -1 is the last row, -3 the first */
    expect_ok(CASE("Gather", 13, {D32, I64("2", -1, -3)}), WF32("2,2", 5, 6, 1, 2));
    expect_ok(CASE("Gather", 13, {D32, I32("2", 1, -1)}), WF32("2,2", 3, 4, 5, 6));
    expect_ok(CASE("Gather", 13, {D23, I32("2,1", -1, 0)}, {AT_I("axis", -1)}), WF32("2,2,1", 3, 1, 6, 4));
}
END_TEST

/* An index out of [-n, n) is a run-time error naming the node and the op; with constant
 * indices the same error comes from folding. */
START_TEST(gather_out_of_range) {
    expect_fail(CASE("Gather", 13, {D32, I64("1", 3)}, .name = "g"), RNNRUN_ERR_VALUE, "node 'g' (Gather)");
    expect_fail(CASE("Gather", 13, {D32, I64("2", 0, -4)}, .name = "g"), RNNRUN_ERR_VALUE, "index -4 is out of range");
    expect_fail(CASE("Gather", 13, {D23, I32("1", 3)}, {AT_I("axis", 1)}), RNNRUN_ERR_VALUE, "(Gather");
    /* the run-time path proper: data and indices fed, the plan is made, then the run checks */
    expect_fail(CASE("Gather", 13, {D32, ARG_(RNNRUN_INT64, int64_t, INPUT, "1", I64MIN)}, .name = "g"),
                RNNRUN_ERR_VALUE, "node 'g' (Gather): index");
    /* an empty axis has no valid index */
    expect_fail(CASE("Gather", 13, {EMPTY(RNNRUN_FLOAT, "0,2"), I64("1", 0)}), RNNRUN_ERR_VALUE, "size 0");
}
END_TEST

START_TEST(gather_errors) {
    expect_fail(CASE("Gather", 13, {D32, I64("1", 0)}, {AT_I("axis", 2)}), RNNRUN_ERR_MODEL, "axis 2 is out of range");
    expect_fail(CASE("Gather", 13, {D32, I64("1", 0)}, {AT_I("axis", -3)}), RNNRUN_ERR_MODEL, "(Gather");
    expect_fail(CASE("Gather", 13, {D32, F32("1", 0)}), RNNRUN_ERR_UNSUPPORTED, "indices");
    expect_fail(CASE("Gather", 13, {F32("", 1), I64("", 0)}), RNNRUN_ERR_MODEL, "rank 0");
}
END_TEST
#undef D32
#undef D23

/* ---- Shape ----------------------------------------------------------------------------------- */

#define X234 DATA(RNNRUN_FLOAT, "2,3,4", x24, 24)

START_TEST(shape_full) {
    float x24[24];
    iota_f32(x24, 24);
    expect_ok(CASE("Shape", 13, {X234}), WI64("3", 2, 3, 4));
    expect_ok(CASE("Shape", 1, {X234}), WI64("3", 2, 3, 4));
    expect_ok(CASE("Shape", 15, {X234}), WI64("3", 2, 3, 4));
    /* a scalar has the empty shape; a zero-size tensor has its zero */
    expect_ok(CASE("Shape", 13, {F32("", 1)}), WEMPTY(RNNRUN_INT64, "0"));
    expect_ok(CASE("Shape", 13, {EMPTY(RNNRUN_INT8, "0,3")}), WI64("2", 0, 3));
}
END_TEST

/* Shape-15 start/end: negative counts from the back, both clamp to [0, rank], end <= start is
 * empty; numpy: np.array(x.shape)[start:end], which clamps the same way */
START_TEST(shape_start_end) {
    float x24[24];
    iota_f32(x24, 24);
    expect_ok(CASE("Shape", 15, {X234}, {AT_I("start", 1)}), WI64("2", 3, 4));
    expect_ok(CASE("Shape", 15, {X234}, {AT_I("end", -1)}), WI64("2", 2, 3));
    expect_ok(CASE("Shape", 15, {X234}, {AT_I("start", -2), AT_I("end", -1)}), WI64("1", 3));
    expect_ok(CASE("Shape", 19, {X234}, {AT_I("start", -1)}), WI64("1", 4));
    expect_ok(CASE("Shape", 15, {X234}, {AT_I("start", 0), AT_I("end", 3)}), WI64("3", 2, 3, 4));
    /* clamped */
    expect_ok(CASE("Shape", 15, {X234}, {AT_I("start", -10)}), WI64("3", 2, 3, 4));
    expect_ok(CASE("Shape", 15, {X234}, {AT_I("end", 10)}), WI64("3", 2, 3, 4));
    expect_ok(CASE("Shape", 21, {X234}, {AT_I("start", I64MIN), AT_I("end", I64MAX)}), WI64("3", 2, 3, 4));
    /* empty */
    expect_ok(CASE("Shape", 15, {X234}, {AT_I("start", 2), AT_I("end", 1)}), WEMPTY(RNNRUN_INT64, "0"));
    expect_ok(CASE("Shape", 15, {X234}, {AT_I("start", 5)}), WEMPTY(RNNRUN_INT64, "0"));
    expect_ok(CASE("Shape", 15, {X234}, {AT_I("end", -10)}), WEMPTY(RNNRUN_INT64, "0"));
    expect_ok(CASE("Shape", 15, {F32("", 1)}, {AT_I("start", -1), AT_I("end", 1)}), WEMPTY(RNNRUN_INT64, "0"));
}
END_TEST
#undef X234

/* ---- Squeeze, Unsqueeze ---------------------------------------------------------------------- */

/* data is never changed, only the shape: x = [0..5] */
#define X1312 F32("1,3,1,2", 0, 1, 2, 3, 4, 5)
#define W6(shape) WF32(shape, 0, 1, 2, 3, 4, 5)

START_TEST(squeeze_axes_attribute) {
    /* opset 11: attribute, negative axes allowed */
    expect_ok(CASE("Squeeze", 11, {X1312}, {AT_INTS("axes", 0, -2)}), W6("3,2"));
    expect_ok(CASE("Squeeze", 11, {X1312}, {AT_INTS("axes", -4)}), W6("3,1,2"));
    expect_ok(CASE("Squeeze", 1, {X1312}, {AT_INTS("axes", 2)}), W6("1,3,2"));
    /* no axes: every 1 goes */
    expect_ok(CASE("Squeeze", 11, {X1312}), W6("3,2"));
    expect_ok(CASE("Squeeze", 1, {F32("1,1", 7)}), WF32("", 7));
    expect_ok(CASE("Squeeze", 11, {I64("1,2", I64MIN, I64MAX)}, {AT_INTS("axes", 0)}), WI64("2", I64MIN, I64MAX));
}
END_TEST

START_TEST(squeeze_axes_input) {
    expect_ok(CASE("Squeeze", 13, {X1312, K_I64("1", 2)}), W6("1,3,2"));
    expect_ok(CASE("Squeeze", 13, {X1312, K_I64("2", 0, -2)}), W6("3,2"));
    expect_ok(CASE("Squeeze", 21, {X1312, K_I32("1", -4)}), W6("3,1,2"));
    /* axes omitted: every 1 goes; the zero-size dim stays */
    expect_ok(CASE("Squeeze", 13, {X1312}), W6("3,2"));
    expect_ok(CASE("Squeeze", 13, {X1312, NONE}), W6("3,2"));
    expect_ok(CASE("Squeeze", 13, {EMPTY(RNNRUN_FLOAT, "1,0,1")}), WEMPTY(RNNRUN_FLOAT, "0"));
    /* a scalar axes input counts as one axis */
    expect_ok(CASE("Squeeze", 13, {X1312, K_I64("", 0)}), W6("3,1,2"));
}
END_TEST

START_TEST(squeeze_errors) {
    expect_fail(CASE("Squeeze", 13, {X1312, K_I64("1", 1)}), RNNRUN_ERR_SHAPE, "cannot squeeze axis 1 of size 3");
    expect_fail(CASE("Squeeze", 11, {X1312}, {AT_INTS("axes", 3)}), RNNRUN_ERR_SHAPE, "(Squeeze");
    expect_fail(CASE("Squeeze", 13, {X1312, K_I64("2", 0, -4)}), RNNRUN_ERR_MODEL, "given twice");
    expect_fail(CASE("Squeeze", 11, {X1312}, {AT_INTS("axes", 2, 2)}), RNNRUN_ERR_MODEL, "given twice");
    expect_fail(CASE("Squeeze", 13, {X1312, K_I64("1", 4)}), RNNRUN_ERR_MODEL, "out of range");
    expect_fail(CASE("Squeeze", 13, {X1312, K_I64("1", -5)}), RNNRUN_ERR_MODEL, "out of range");
    /* since opset 13 axes is an input, not an attribute */
    expect_fail(CASE("Squeeze", 13, {X1312}, {AT_INTS("axes", 0)}), RNNRUN_ERR_MODEL, "not an attribute");
    expect_fail(CASE("Squeeze", 13, {X1312, K_I64("1,1", 0)}), RNNRUN_ERR_SHAPE, "1-D");
}
END_TEST

START_TEST(unsqueeze_axes_attribute) {
    /* x (3,2); the axes index the output (rank 4 here) and may come in any order */
    expect_ok(CASE("Unsqueeze", 11, {F32("3,2", 0, 1, 2, 3, 4, 5)}, {AT_INTS("axes", 0, -1)}), W6("1,3,2,1"));
    expect_ok(CASE("Unsqueeze", 11, {F32("3,2", 0, 1, 2, 3, 4, 5)}, {AT_INTS("axes", 3, 0)}), W6("1,3,2,1"));
    expect_ok(CASE("Unsqueeze", 1, {F32("3,2", 0, 1, 2, 3, 4, 5)}, {AT_INTS("axes", 1)}), W6("3,1,2"));
    expect_ok(CASE("Unsqueeze", 11, {F32("3,2", 0, 1, 2, 3, 4, 5)}, {AT_INTS("axes", 1, 2)}), W6("3,1,1,2"));
    expect_ok(CASE("Unsqueeze", 11, {F32("", 9)}, {AT_INTS("axes", 0)}), WF32("1", 9));
    expect_ok(CASE("Unsqueeze", 11, {EMPTY(RNNRUN_INT64, "0")}, {AT_INTS("axes", -1)}), WEMPTY(RNNRUN_INT64, "0,1"));
}
END_TEST

START_TEST(unsqueeze_axes_input) {
    expect_ok(CASE("Unsqueeze", 13, {F32("3,2", 0, 1, 2, 3, 4, 5), K_I64("2", 0, -1)}), W6("1,3,2,1"));
    /* -2 of an output of rank 3 is 1 */
    expect_ok(CASE("Unsqueeze", 13, {F32("3,2", 0, 1, 2, 3, 4, 5), K_I64("1", -2)}), W6("3,1,2"));
    expect_ok(CASE("Unsqueeze", 24, {F32("3,2", 0, 1, 2, 3, 4, 5), K_I32("2", 2, 0)}), W6("1,3,1,2"));
    expect_ok(CASE("Unsqueeze", 13, {I8("2", -1, 1), K_I64("", 0)}), WI8("1,2", -1, 1));
    /* rank 8 is the limit: (1,1,1,1,1,1,2) + one axis is fine */
    expect_ok(CASE("Unsqueeze", 13, {F32("1,1,1,1,1,1,2", 1, 2), K_I64("1", 0)}), WF32("1,1,1,1,1,1,1,2", 1, 2));
}
END_TEST

START_TEST(unsqueeze_errors) {
    /* rank 7 + 2 axes = 9 > RNNRUN_MAX_RANK */
    expect_fail(CASE("Unsqueeze", 13, {F32("1,1,1,1,1,1,2", 1, 2), K_I64("2", 0, 1)}), RNNRUN_ERR_LIMIT, "rank 9");
    expect_fail(CASE("Unsqueeze", 11, {F32("1,1,1,1,1,1,2", 1, 2)}, {AT_INTS("axes", 0, 1)}), RNNRUN_ERR_LIMIT,
                "(Unsqueeze");
    /* duplicates, also as -4 and 0 of rank 4 */
    expect_fail(CASE("Unsqueeze", 13, {F32("3,2", 0, 1, 2, 3, 4, 5), K_I64("2", 0, 0)}), RNNRUN_ERR_MODEL,
                "given twice");
    expect_fail(CASE("Unsqueeze", 13, {F32("3,2", 0, 1, 2, 3, 4, 5), K_I64("2", 0, -4)}), RNNRUN_ERR_MODEL,
                "given twice");
    expect_fail(CASE("Unsqueeze", 13, {F32("3,2", 0, 1, 2, 3, 4, 5), K_I64("1", 3)}), RNNRUN_ERR_MODEL, "out of range");
    expect_fail(CASE("Unsqueeze", 11, {F32("3,2", 0, 1, 2, 3, 4, 5)}, {AT_INTS("axes", -4)}), RNNRUN_ERR_MODEL,
                "out of range");
    /* opset 11 without the attribute */
    expect_fail(CASE("Unsqueeze", 11, {F32("3,2", 0, 1, 2, 3, 4, 5)}), RNNRUN_ERR_MODEL, "axes are required");
    expect_fail(CASE("Unsqueeze", 13, {F32("3,2", 0, 1, 2, 3, 4, 5), K_I64("1", 0)}, {AT_INTS("axes", 0)}),
                RNNRUN_ERR_MODEL, "not an attribute");
    expect_fail(CASE("Unsqueeze", 13, {F32("3,2", 0, 1, 2, 3, 4, 5), ARG_(RNNRUN_FLOAT, float, CONST, "1", 0)}),
                RNNRUN_ERR_UNSUPPORTED, "axes");
    /* Unsqueeze-13 needs its axes input: the model is invalid */
    expect_load_fail(CASE("Unsqueeze", 13, {F32("3,2", 0, 1, 2, 3, 4, 5)}), RNNRUN_ERR_MODEL, "required input 1");
}
END_TEST
#undef X1312
#undef W6

/* ---- Concat ---------------------------------------------------------------------------------- */

START_TEST(concat_axes) {
    expect_ok(CASE("Concat", 13, {F32("2,2", 1, 2, 3, 4), F32("1,2", 5, 6)}, {AT_I("axis", 0)}),
              WF32("3,2", 1, 2, 3, 4, 5, 6));
    /* axis 1 of three inputs: rows [1,2 | 5 | 7,8,9] and [3,4 | 6 | 10,11,12] */
    expect_ok(CASE("Concat", 13, {F32("2,2", 1, 2, 3, 4), F32("2,1", 5, 6), F32("2,3", 7, 8, 9, 10, 11, 12)},
                   {AT_I("axis", 1)}),
              WF32("2,6", 1, 2, 5, 7, 8, 9, 3, 4, 6, 10, 11, 12));
    /* negative axis (opset 11+) */
    expect_ok(CASE("Concat", 11, {F32("2,2", 1, 2, 3, 4), F32("2,1", 5, 6)}, {AT_I("axis", -1)}),
              WF32("2,3", 1, 2, 5, 3, 4, 6));
    expect_ok(
        CASE("Concat", 13, {F32("1,2,2", 1, 2, 3, 4), F32("2,2,2", 5, 6, 7, 8, 9, 10, 11, 12)}, {AT_I("axis", -3)}),
        WF32("3,2,2", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12));
    /* 3-D on the middle axis: np.concatenate([a (2,1,2), b (2,2,2)], axis=1) */
    expect_ok(CASE("Concat", 4, {F32("2,1,2", 1, 2, 3, 4), F32("2,2,2", 5, 6, 7, 8, 9, 10, 11, 12)}, {AT_I("axis", 1)}),
              WF32("2,3,2", 1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12));
    /* one input */
    expect_ok(CASE("Concat", 13, {F32("2,2", 1, 2, 3, 4)}, {AT_I("axis", 1)}), WF32("2,2", 1, 2, 3, 4));
    /* Concat-1 defaults the axis to 1 */
    expect_ok(CASE("Concat", 1, {F32("2,1", 1, 2), F32("2,1", 3, 4)}), WF32("2,2", 1, 3, 2, 4));
    /* 1-D */
    expect_ok(CASE("Concat", 13, {F32("1", 1), F32("2", 2, 3), F32("1", 4)}, {AT_I("axis", 0)}),
              WF32("4", 1, 2, 3, 4));
}
END_TEST

START_TEST(concat_zero_size_and_int64) {
    expect_ok(CASE("Concat", 13, {EMPTY(RNNRUN_FLOAT, "2,0"), F32("2,3", 1, 2, 3, 4, 5, 6)}, {AT_I("axis", 1)}),
              WF32("2,3", 1, 2, 3, 4, 5, 6));
    expect_ok(CASE("Concat", 13, {F32("2,2", 1, 2, 3, 4), EMPTY(RNNRUN_FLOAT, "0,2")}, {AT_I("axis", 0)}),
              WF32("2,2", 1, 2, 3, 4));
    expect_ok(CASE("Concat", 13, {EMPTY(RNNRUN_FLOAT, "0,2"), EMPTY(RNNRUN_FLOAT, "0,3")}, {AT_I("axis", 1)}),
              WEMPTY(RNNRUN_FLOAT, "0,5"));
    expect_ok(CASE("Concat", 13, {I64("2", 1, 2), I64("3", I64MAX, -1, I64MIN)}, {AT_I("axis", 0)}),
              WI64("5", 1, 2, I64MAX, -1, I64MIN));
    expect_ok(
        CASE("Concat", 13, {I64("2,1", 1, 2), EMPTY(RNNRUN_INT64, "2,0"), I64("2,2", 3, 4, 5, 6)}, {AT_I("axis", -1)}),
        WI64("2,3", 1, 3, 4, 2, 5, 6));
    expect_ok(CASE("Concat", 13, {U8("3", 1, 2, 3), U8("1", 255)}, {AT_I("axis", 0)}), WU8("4", 1, 2, 3, 255));
}
END_TEST

START_TEST(concat_errors) {
    expect_fail(CASE("Concat", 13, {F32("2,2", 1, 2, 3, 4), F32("1,3", 1, 2, 3)}, {AT_I("axis", 0)}), RNNRUN_ERR_SHAPE,
                "does not concatenate");
    expect_fail(CASE("Concat", 13, {F32("2,2", 1, 2, 3, 4), F32("2", 1, 2)}, {AT_I("axis", 0)}), RNNRUN_ERR_SHAPE,
                "(Concat");
    expect_fail(CASE("Concat", 13, {F32("2", 1, 2), F64("2", 1, 2)}, {AT_I("axis", 0)}), RNNRUN_ERR_DTYPE, "float64");
    /* axis is required from opset 4 */
    expect_fail(CASE("Concat", 13, {F32("2", 1, 2), F32("2", 1, 2)}), RNNRUN_ERR_MODEL, "'axis' is required");
    expect_fail(CASE("Concat", 4, {F32("2", 1, 2), F32("2", 1, 2)}), RNNRUN_ERR_MODEL, "'axis' is required");
    /* negative axes only from opset 11 */
    expect_fail(CASE("Concat", 4, {F32("2", 1, 2), F32("2", 1, 2)}, {AT_I("axis", -1)}), RNNRUN_ERR_MODEL, "opset 11");
    expect_fail(CASE("Concat", 13, {F32("2", 1, 2), F32("2", 1, 2)}, {AT_I("axis", 1)}), RNNRUN_ERR_MODEL,
                "out of range");
    expect_fail(CASE("Concat", 13, {F32("", 1), F32("", 2)}, {AT_I("axis", 0)}), RNNRUN_ERR_MODEL, "out of range");
}
END_TEST

/* ---- Slice ----------------------------------------------------------------------------------- */

/* x = np.arange(12).reshape(3,4) and v = np.arange(10); expected values are numpy slices of them */
#define X34F F32("3,4", 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
#define X34 I64("3,4", 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
#define V10 I64("10", 0, 1, 2, 3, 4, 5, 6, 7, 8, 9)

/* Slice-1: starts, ends, axes are attributes (no steps) */
START_TEST(slice_opset1_attributes) {
    /* x[1:3, 0:-1] */
    expect_ok(CASE("Slice", 1, {X34F}, {AT_INTS("starts", 1, 0), AT_INTS("ends", 3, -1)}),
              WF32("2,3", 4, 5, 6, 8, 9, 10));
    /* x[:, 1:] with an end past the end */
    expect_ok(CASE("Slice", 1, {X34F}, {AT_INTS("starts", 1), AT_INTS("ends", 1000), AT_INTS("axes", 1)}),
              WF32("3,3", 1, 2, 3, 5, 6, 7, 9, 10, 11));
    /* x[-2:, 1:-1], axes listed in reverse */
    expect_ok(CASE("Slice", 1, {X34F}, {AT_INTS("starts", 1, -2), AT_INTS("ends", -1, I64MAX), AT_INTS("axes", 1, 0)}),
              WF32("2,2", 5, 6, 9, 10));
    expect_fail(CASE("Slice", 1, {X34F}, {AT_INTS("starts", 1)}), RNNRUN_ERR_MODEL, "required");
}
END_TEST

/* Slice-10 and later: inputs starts, ends, [axes], [steps] */
START_TEST(slice_negative_and_clamped) {
    /* v[-3:-1] */
    expect_ok(CASE("Slice", 13, {V10, K_I64("1", -3), K_I64("1", -1)}), WI64("2", 7, 8));
    /* x[-2:, 1:-1] with INT64_MAX as "to the end" */
    expect_ok(CASE("Slice", 13, {X34, K_I64("2", -2, 1), K_I64("2", I64MAX, -1)}), WI64("2,2", 5, 6, 9, 10));
    /* v[INT64_MIN:2] = v[0:2]: the start clamps to 0 */
    expect_ok(CASE("Slice", 10, {V10, K_I64("1", I64MIN), K_I64("1", 2)}), WI64("2", 0, 1));
    /* v[-100:100] is all of it */
    expect_ok(CASE("Slice", 11, {V10, K_I64("1", -100), K_I64("1", 100)}), WI64("10", 0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
    /* int32 starts and ends */
    expect_ok(CASE("Slice", 13, {V10, K_I32("1", -3), K_I32("1", -1)}), WI64("2", 7, 8));
}
END_TEST

START_TEST(slice_steps) {
    /* v[1:8:2] */
    expect_ok(CASE("Slice", 13, {V10, K_I64("1", 1), K_I64("1", 8), K_I64("1", 0), K_I64("1", 2)}),
              WI64("4", 1, 3, 5, 7));
    /* v[::-1]: start -1, end INT64_MIN */
    expect_ok(CASE("Slice", 13, {V10, K_I64("1", -1), K_I64("1", I64MIN), K_I64("1", 0), K_I64("1", -1)}),
              WI64("10", 9, 8, 7, 6, 5, 4, 3, 2, 1, 0));
    /* v[8:1:-2] */
    expect_ok(CASE("Slice", 13, {V10, K_I64("1", 8), K_I64("1", 1), K_I64("1", 0), K_I64("1", -2)}),
              WI64("4", 8, 6, 4, 2));
    /* v[9::-3] */
    expect_ok(CASE("Slice", 13, {V10, K_I64("1", 9), K_I64("1", I64MIN), K_I64("1", 0), K_I64("1", -3)}),
              WI64("4", 9, 6, 3, 0));
    /* v[INT64_MAX:INT64_MIN:-1]: the start clamps to dim-1 */
    expect_ok(CASE("Slice", 13, {V10, K_I64("1", I64MAX), K_I64("1", I64MIN), K_I64("1", 0), K_I64("1", -1)}),
              WI64("10", 9, 8, 7, 6, 5, 4, 3, 2, 1, 0));
    /* huge steps take one element: v[9::-(2**63-1)] and v[0::2**63-1]; a step of INT64_MIN too */
    expect_ok(CASE("Slice", 13, {V10, K_I64("1", 9), K_I64("1", I64MIN), K_I64("1", 0), K_I64("1", -I64MAX)}),
              WI64("1", 9));
    expect_ok(CASE("Slice", 13, {V10, K_I64("1", 9), K_I64("1", I64MIN), K_I64("1", 0), K_I64("1", I64MIN)}),
              WI64("1", 9));
    expect_ok(CASE("Slice", 13, {V10, K_I64("1", 0), K_I64("1", I64MAX), K_I64("1", 0), K_I64("1", I64MAX)}),
              WI64("1", 0));
    /* x[::-1, ::-1] */
    expect_ok(
        CASE("Slice", 13, {X34, K_I64("2", -1, -1), K_I64("2", I64MIN, I64MIN), K_I64("2", 0, 1), K_I64("2", -1, -1)}),
        WI64("3,4", 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0));
    /* x[:, ::3] */
    expect_ok(CASE("Slice", 13, {X34, K_I64("1", 0), K_I64("1", I64MAX), K_I64("1", 1), K_I64("1", 3)}),
              WI64("3,2", 0, 3, 4, 7, 8, 11));
    /* x[2:0:-1, 3:0:-2] */
    expect_ok(CASE("Slice", 13, {X34, K_I64("2", 2, 3), K_I64("2", 0, 0), K_I64("2", 0, 1), K_I64("2", -1, -2)}),
              WI64("2,2", 11, 9, 7, 5));
    /* other element sizes through the strided copy: int8 and float64 reversed, float32 stepped */
    expect_ok(CASE("Slice", 13, {I8("5", -128, -1, 0, 1, 127), K_I64("1", -1), K_I64("1", I64MIN), K_I64("1", 0),
                                 K_I64("1", -1)}),
              WI8("5", 127, 1, 0, -1, -128));
    expect_ok(CASE("Slice", 13, {F64("5", 0.5, 1.5, 2.5, 3.5, 4.5), K_I64("1", 4), K_I64("1", I64MIN), K_I64("1", 0),
                                 K_I64("1", -2)}),
              WF64("3", 4.5, 2.5, 0.5));
    expect_ok(CASE("Slice", 13, {X34F, K_I64("2", 0, 1), K_I64("2", 3, 4), K_I64("2", 0, 1), K_I64("2", 2, 2)}),
              WF32("2,2", 1, 3, 9, 11));
}
END_TEST

START_TEST(slice_axes_omitted_and_negative) {
    /* axes omitted but steps given (empty name): x[0:3, 3:0:-1] */
    expect_ok(CASE("Slice", 13, {X34, K_I64("2", 0, 3), K_I64("2", 3, 0), NONE, K_I64("2", 1, -1)}),
              WI64("3,3", 3, 2, 1, 7, 6, 5, 11, 10, 9));
    /* fewer starts than dims: the rest is whole. x[1:2] */
    expect_ok(CASE("Slice", 13, {X34, K_I64("1", 1), K_I64("1", 2)}), WI64("1,4", 4, 5, 6, 7));
    /* axis -1: x[:, -1:] */
    expect_ok(CASE("Slice", 13, {X34, K_I64("1", -1), K_I64("1", I64MAX), K_I64("1", -1)}), WI64("3,1", 3, 7, 11));
    /* axes -1 and -2 together, step omitted by an empty name: x[1:, :2] */
    expect_ok(CASE("Slice", 11, {X34, K_I64("2", 0, 1), K_I64("2", 2, I64MAX), K_I64("2", -1, -2), NONE}),
              WI64("2,2", 4, 5, 8, 9));
    /* no starts at all: the whole tensor */
    expect_ok(CASE("Slice", 13, {X34, {RNNRUN_INT64, "0", NULL, CONST, 0}, {RNNRUN_INT64, "0", NULL, CONST, 0}}),
              WI64("3,4", 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11));
}
END_TEST

START_TEST(slice_empty_results) {
    /* v[3:1], v[10:20], v[1:5:-1] are empty; x[2:2, :] is (0,4) */
    expect_ok(CASE("Slice", 13, {V10, K_I64("1", 3), K_I64("1", 1)}), WEMPTY(RNNRUN_INT64, "0"));
    expect_ok(CASE("Slice", 13, {V10, K_I64("1", 10), K_I64("1", 20)}), WEMPTY(RNNRUN_INT64, "0"));
    expect_ok(CASE("Slice", 13, {V10, K_I64("1", 1), K_I64("1", 5), K_I64("1", 0), K_I64("1", -1)}),
              WEMPTY(RNNRUN_INT64, "0"));
    expect_ok(CASE("Slice", 13, {X34, K_I64("1", 2), K_I64("1", 2), K_I64("1", 0)}), WEMPTY(RNNRUN_INT64, "0,4"));
    /* slicing a zero-size dim, forward and backward */
    expect_ok(CASE("Slice", 13, {EMPTY(RNNRUN_FLOAT, "0,3"), K_I64("1", 0), K_I64("1", 5), K_I64("1", 0)}),
              WEMPTY(RNNRUN_FLOAT, "0,3"));
    /* np.zeros((0,3))[-1::-1], [0::-1] and [INT64_MAX:-5:-2] are all (0,3): an empty axis stays empty
     * whatever the clamping of a backward start gives */
    expect_ok(CASE("Slice", 13, {EMPTY(RNNRUN_FLOAT, "0,3"), K_I64("1", -1), K_I64("1", I64MIN), K_I64("1", 0),
                                 K_I64("1", -1)}),
              WEMPTY(RNNRUN_FLOAT, "0,3"));
    expect_ok(CASE("Slice", 13, {EMPTY(RNNRUN_FLOAT, "0,3"), K_I64("1", 0), K_I64("1", I64MIN), K_I64("1", 0),
                                 K_I64("1", -1)}),
              WEMPTY(RNNRUN_FLOAT, "0,3"));
    expect_ok(CASE("Slice", 13, {EMPTY(RNNRUN_INT64, "2,0"), K_I64("1", I64MAX), K_I64("1", -5), K_I64("1", 1),
                                 K_I64("1", -2)}),
              WEMPTY(RNNRUN_INT64, "2,0"));
}
END_TEST

/* Where ONNX and numpy differ: with a negative step the spec clamps the adjusted start into
 * [0, dim-1], so a start below -dim becomes 0 and the slice holds element 0. numpy instead treats
 * it as "before the beginning": np.arange(5)[-10::-1] is empty. The spec wins; expectation from
 * the spec: start = -10+5 = -5 -> 0, end = INT64_MIN+5 -> -1, so the result is [0]. */
START_TEST(slice_negative_step_start_below_range) {
    expect_ok(CASE("Slice", 13, {I64("5", 0, 1, 2, 3, 4), K_I64("1", -10), K_I64("1", I64MIN), K_I64("1", 0),
                                 K_I64("1", -1)}),
              WI64("1", 0));
    /* and where they agree: np.arange(5)[10:-10:-1] = [4,3,2,1,0] */
    expect_ok(CASE("Slice", 13, {I64("5", 0, 1, 2, 3, 4), K_I64("1", 10), K_I64("1", -10), K_I64("1", 0),
                                 K_I64("1", -1)}),
              WI64("5", 4, 3, 2, 1, 0));
}
END_TEST

START_TEST(slice_errors) {
    expect_fail(CASE("Slice", 13, {V10, K_I64("1", 0), K_I64("1", 5), K_I64("1", 0), K_I64("1", 0)}), RNNRUN_ERR_MODEL,
                "step is 0");
    expect_fail(CASE("Slice", 13, {X34, K_I64("2", 0, 0), K_I64("2", 1, 1), K_I64("2", 0, -2)}), RNNRUN_ERR_MODEL,
                "sliced twice");
    expect_fail(CASE("Slice", 13, {X34, K_I64("2", 0, 0), K_I64("1", 1)}), RNNRUN_ERR_MODEL, "one length");
    expect_fail(CASE("Slice", 13, {X34, K_I64("1", 0), K_I64("1", 1), K_I64("1", 2)}), RNNRUN_ERR_MODEL,
                "out of range");
    expect_fail(CASE("Slice", 13, {V10, K_I64("2", 0, 0), K_I64("2", 1, 1)}), RNNRUN_ERR_MODEL, "more starts");
    expect_fail(CASE("Slice", 13, {V10, ARG_(RNNRUN_FLOAT, float, CONST, "1", 0), K_I64("1", 1)}),
                RNNRUN_ERR_UNSUPPORTED, "starts");
    /* Slice-10 needs starts and ends as inputs */
    expect_load_fail(CASE("Slice", 10, {V10, K_I64("1", 0)}), RNNRUN_ERR_MODEL, "required input 2");
    expect_load_fail(
        CASE("Slice", 13, {V10, K_I64("1", 0), K_I64("1", 1), K_I64("1", 0), K_I64("1", 1), K_I64("1", 1)}),
        RNNRUN_ERR_MODEL, "at most 5");
}
END_TEST
#undef X34F
#undef X34
#undef V10

/* ---- Transpose ------------------------------------------------------------------------------- */

START_TEST(transpose_default_perm) {
    /* no perm: the axes reversed */
    expect_ok(CASE("Transpose", 13, {F32("2,3", 1, 2, 3, 4, 5, 6)}), WF32("3,2", 1, 4, 2, 5, 3, 6));
    int64_t x[24];
    iota_i64(x, 24);
    /* np.transpose(np.arange(24).reshape(2,3,4)) = perm (2,1,0) */
    expect_ok(CASE("Transpose", 1, {DATA(RNNRUN_INT64, "2,3,4", x, 24)}),
              WI64("4,3,2", 0, 12, 4, 16, 8, 20, 1, 13, 5, 17, 9, 21, 2, 14, 6, 18, 10, 22, 3, 15, 7, 19, 11, 23));
    expect_ok(CASE("Transpose", 13, {F32("", 5)}), WF32("", 5));
    expect_ok(CASE("Transpose", 13, {F32("3", 1, 2, 3)}), WF32("3", 1, 2, 3));
    expect_ok(CASE("Transpose", 21, {EMPTY(RNNRUN_FLOAT, "0,2")}), WEMPTY(RNNRUN_FLOAT, "2,0"));
}
END_TEST

START_TEST(transpose_perms) {
    int64_t x[24];
    iota_i64(x, 24);
#define X234 DATA(RNNRUN_INT64, "2,3,4", x, 24)
    /* np.transpose(np.arange(24).reshape(2,3,4), perm) */
    expect_ok(CASE("Transpose", 13, {X234}, {AT_INTS("perm", 1, 0, 2)}),
              WI64("3,2,4", 0, 1, 2, 3, 12, 13, 14, 15, 4, 5, 6, 7, 16, 17, 18, 19, 8, 9, 10, 11, 20, 21, 22, 23));
    expect_ok(CASE("Transpose", 13, {X234}, {AT_INTS("perm", 0, 2, 1)}),
              WI64("2,4,3", 0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11, 12, 16, 20, 13, 17, 21, 14, 18, 22, 15, 19, 23));
    expect_ok(CASE("Transpose", 13, {X234}, {AT_INTS("perm", 2, 0, 1)}),
              WI64("4,2,3", 0, 4, 8, 12, 16, 20, 1, 5, 9, 13, 17, 21, 2, 6, 10, 14, 18, 22, 3, 7, 11, 15, 19, 23));
    /* the identity perm */
    expect_ok(CASE("Transpose", 13, {X234}, {AT_INTS("perm", 0, 1, 2)}),
              WI64("2,3,4", 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23));
#undef X234
    /* 4-D, int8 data: np.transpose(np.arange(120).reshape(2,3,4,5), perm) */
    int8_t y[120];
    for (int i = 0; i < 120; i++) y[i] = (int8_t)i;
    expect_ok(CASE("Transpose", 13, {DATA(RNNRUN_INT8, "2,3,4,5", y, 120)}, {AT_INTS("perm", 0, 2, 3, 1)}),
              WI8("2,4,5,3", 0, 20, 40, 1, 21, 41, 2, 22, 42, 3, 23, 43, 4, 24, 44, 5, 25, 45, 6, 26, 46, 7, 27, 47, 8,
                  28, 48, 9, 29, 49, 10, 30, 50, 11, 31, 51, 12, 32, 52, 13, 33, 53, 14, 34, 54, 15, 35, 55, 16, 36, 56,
                  17, 37, 57, 18, 38, 58, 19, 39, 59, 60, 80, 100, 61, 81, 101, 62, 82, 102, 63, 83, 103, 64, 84, 104,
                  65, 85, 105, 66, 86, 106, 67, 87, 107, 68, 88, 108, 69, 89, 109, 70, 90, 110, 71, 91, 111, 72, 92,
                  112, 73, 93, 113, 74, 94, 114, 75, 95, 115, 76, 96, 116, 77, 97, 117, 78, 98, 118, 79, 99, 119));
    expect_ok(CASE("Transpose", 13, {DATA(RNNRUN_INT8, "2,3,4,5", y, 120)}, {AT_INTS("perm", 3, 1, 0, 2)}),
              WI8("5,3,2,4", 0, 5, 10, 15, 60, 65, 70, 75, 20, 25, 30, 35, 80, 85, 90, 95, 40, 45, 50, 55, 100, 105,
                  110, 115, 1, 6, 11, 16, 61, 66, 71, 76, 21, 26, 31, 36, 81, 86, 91, 96, 41, 46, 51, 56, 101, 106,
                  111, 116, 2, 7, 12, 17, 62, 67, 72, 77, 22, 27, 32, 37, 82, 87, 92, 97, 42, 47, 52, 57, 102, 107,
                  112, 117, 3, 8, 13, 18, 63, 68, 73, 78, 23, 28, 33, 38, 83, 88, 93, 98, 43, 48, 53, 58, 103, 108,
                  113, 118, 4, 9, 14, 19, 64, 69, 74, 79, 24, 29, 34, 39, 84, 89, 94, 99, 44, 49, 54, 59, 104, 109,
                  114, 119));
    /* size-1 dims moved around: (1,3,1) -> (3,1,1) */
    expect_ok(CASE("Transpose", 13, {F64("1,3,1", 1, 2, 3)}, {AT_INTS("perm", 1, 2, 0)}), WF64("3,1,1", 1, 2, 3));
}
END_TEST

START_TEST(transpose_invalid_perm) {
    expect_fail(CASE("Transpose", 13, {F32("2,2", 1, 2, 3, 4)}, {AT_INTS("perm", 0, 0)}), RNNRUN_ERR_MODEL,
                "not a permutation");
    expect_fail(CASE("Transpose", 13, {F32("2,2", 1, 2, 3, 4)}, {AT_INTS("perm", 0, 2)}), RNNRUN_ERR_MODEL,
                "not a permutation");
    expect_fail(CASE("Transpose", 13, {F32("2,2", 1, 2, 3, 4)}, {AT_INTS("perm", -1, 0)}), RNNRUN_ERR_MODEL,
                "(Transpose");
    expect_fail(CASE("Transpose", 13, {F32("2,2", 1, 2, 3, 4)}, {AT_INTS("perm", 0)}), RNNRUN_ERR_MODEL, "1 entries");
    expect_fail(CASE("Transpose", 13, {F32("2,2", 1, 2, 3, 4)}, {AT_INTS("perm", 0, 1, 2)}), RNNRUN_ERR_MODEL,
                "rank 2");
}
END_TEST

/* ---- Reshape --------------------------------------------------------------------------------- */

START_TEST(reshape_zero_and_minus_one) {
    float x[24];
    iota_f32(x, 24);
    const float *w = x; /* a reshape never moves data */
#define X234 DATA(RNNRUN_FLOAT, "2,3,4", x, 24)
    expect_ok(CASE("Reshape", 13, {X234, K_I64("2", 4, -1)}), WDATA(RNNRUN_FLOAT, "4,6", w, 24, 0, 0));
    /* 0 copies the input's dim: (2, 12) */
    expect_ok(CASE("Reshape", 13, {X234, K_I64("2", 0, -1)}), WDATA(RNNRUN_FLOAT, "2,12", w, 24, 0, 0));
    expect_ok(CASE("Reshape", 5, {X234, K_I64("1", -1)}), WDATA(RNNRUN_FLOAT, "24", w, 24, 0, 0));
    expect_ok(CASE("Reshape", 13, {X234, K_I64("4", 2, 0, 2, 2)}), WDATA(RNNRUN_FLOAT, "2,3,2,2", w, 24, 0, 0));
    expect_ok(CASE("Reshape", 13, {X234, K_I64("3", 0, 0, -1)}), WDATA(RNNRUN_FLOAT, "2,3,4", w, 24, 0, 0));
    expect_ok(CASE("Reshape", 14, {X234, K_I64("3", 1, -1, 1)}), WDATA(RNNRUN_FLOAT, "1,24,1", w, 24, 0, 0));
    expect_ok(CASE("Reshape", 13, {X234, K_I32("2", -1, 8)}), WDATA(RNNRUN_FLOAT, "3,8", w, 24, 0, 0));
#undef X234
    /* to and from a scalar */
    expect_ok(CASE("Reshape", 13, {F32("1,1", 7), {RNNRUN_INT64, "0", NULL, CONST, 0}}), WF32("", 7));
    expect_ok(CASE("Reshape", 13, {I64("", 7), K_I64("2", 1, -1)}), WI64("1,1", 7));
}
END_TEST

/* allowzero = 1 (opset 14): a 0 in the shape is a real zero-size dim */
START_TEST(reshape_allowzero) {
    expect_ok(CASE("Reshape", 14, {EMPTY(RNNRUN_FLOAT, "0,3"), K_I64("2", 3, 0)}, {AT_I("allowzero", 1)}),
              WEMPTY(RNNRUN_FLOAT, "3,0"));
    expect_ok(CASE("Reshape", 14, {EMPTY(RNNRUN_FLOAT, "0,3"), K_I64("2", 0, 3)}, {AT_I("allowzero", 1)}),
              WEMPTY(RNNRUN_FLOAT, "0,3"));
    expect_ok(CASE("Reshape", 19, {EMPTY(RNNRUN_FLOAT, "2,0"), K_I64("3", 0, 5, 7)}, {AT_I("allowzero", 1)}),
              WEMPTY(RNNRUN_FLOAT, "0,5,7"));
    /* a real 0 with 6 elements does not fit */
    expect_fail(CASE("Reshape", 14, {F32("2,3", 1, 2, 3, 4, 5, 6), K_I64("2", 0, 3)}, {AT_I("allowzero", 1)}),
                RNNRUN_ERR_SHAPE, "cannot reshape");
    /* 0 and -1 together are invalid with allowzero */
    expect_fail(CASE("Reshape", 14, {EMPTY(RNNRUN_FLOAT, "0,3"), K_I64("2", 0, -1)}, {AT_I("allowzero", 1)}),
                RNNRUN_ERR_SHAPE, "both 0 and -1");
    /* allowzero = 0 at opset 14: [3, 0] copies dim 1 (3) into (3, 3), which 0 elements do not fill */
    expect_fail(CASE("Reshape", 14, {EMPTY(RNNRUN_FLOAT, "0,3"), K_I64("2", 3, 0)}, {AT_I("allowzero", 0)}),
                RNNRUN_ERR_SHAPE, "(Reshape");
}
END_TEST

/* Before opset 14 there is no allowzero: 0 always copies */
START_TEST(reshape_zero_copies_opset13) {
    expect_ok(CASE("Reshape", 13, {F32("2,3", 1, 2, 3, 4, 5, 6), K_I64("2", 0, 3)}), WF32("2,3", 1, 2, 3, 4, 5, 6));
    /* an allowzero attribute in an opset-13 model is not Reshape-13's, and is not applied */
    expect_ok(CASE("Reshape", 13, {F32("2,3", 1, 2, 3, 4, 5, 6), K_I64("2", 0, 3)}, {AT_I("allowzero", 1)}),
              WF32("2,3", 1, 2, 3, 4, 5, 6));
    expect_ok(CASE("Reshape", 5, {F32("2,3", 1, 2, 3, 4, 5, 6), K_I64("3", 0, 1, 3)}), WF32("2,1,3", 1, 2, 3, 4, 5, 6));
}
END_TEST

START_TEST(reshape_errors) {
    expect_fail(CASE("Reshape", 13, {F32("2,3", 1, 2, 3, 4, 5, 6), K_I64("2", -1, -1)}), RNNRUN_ERR_SHAPE,
                "more than one -1");
    expect_fail(CASE("Reshape", 13, {F32("2,3", 1, 2, 3, 4, 5, 6), K_I64("2", 5, 5)}), RNNRUN_ERR_SHAPE,
                "cannot reshape (2, 3)");
    expect_fail(CASE("Reshape", 13, {F32("2,3", 1, 2, 3, 4, 5, 6), K_I64("2", 4, -1)}), RNNRUN_ERR_SHAPE,
                "no size fits the -1");
    expect_fail(CASE("Reshape", 13, {F32("2,3", 1, 2, 3, 4, 5, 6), K_I64("2", -2, 3)}), RNNRUN_ERR_SHAPE,
                "invalid size -2");
    /* a 0 (copy) past the input's rank */
    expect_fail(CASE("Reshape", 13, {F32("6", 1, 2, 3, 4, 5, 6), K_I64("2", 6, 0)}), RNNRUN_ERR_SHAPE, "rank 1");
    expect_fail(CASE("Reshape", 13, {F32("2,3", 1, 2, 3, 4, 5, 6), ARG_(RNNRUN_FLOAT, float, CONST, "1", 6)}),
                RNNRUN_ERR_UNSUPPORTED, "shape");
}
END_TEST

/* -1 next to a zero-size input */
START_TEST(reshape_minus_one_zero_size) {
    expect_ok(CASE("Reshape", 13, {EMPTY(RNNRUN_FLOAT, "0,3"), K_I64("2", -1, 3)}), WEMPTY(RNNRUN_FLOAT, "0,3"));
    expect_ok(CASE("Reshape", 13, {EMPTY(RNNRUN_FLOAT, "0,3"), K_I64("1", -1)}), WEMPTY(RNNRUN_FLOAT, "0"));
    expect_ok(CASE("Reshape", 13, {EMPTY(RNNRUN_FLOAT, "2,0,3"), K_I64("2", 2, -1)}), WEMPTY(RNNRUN_FLOAT, "2,0"));
    /* when the known dims multiply to 0 the -1 is ambiguous: refused (numpy refuses
     * np.zeros((0,3)).reshape(0,-1) as well) */
    expect_fail(CASE("Reshape", 13, {EMPTY(RNNRUN_FLOAT, "0,3"), K_I64("2", 0, -1)}), RNNRUN_ERR_SHAPE,
                "no size fits the -1");
}
END_TEST

/* ---- views, shape computations, arity -------------------------------------------------------- */

/* Reshape, Squeeze, Unsqueeze and Identity of a fed input are views: the output is the caller's
 * buffer itself, and a second run with new data shows the new data. */
START_TEST(views_are_zero_copy) {
    static const char *const ops[4] = {"Identity", "Reshape", "Squeeze", "Unsqueeze"};
    static const char *const in_shape[4] = {"2,3", "2,3", "1,6", "6"};
    static const char *const out_shape[4] = {"2,3", "3,2", "6", "1,6"};
    for (int k = 0; k < 4; k++) {
        mb *b = mb_new(8, 13);
        mb_input(b, "x", RNNRUN_FLOAT, in_shape[k]);
        mb_output(b, "y", RNNRUN_FLOAT, NULL);
        static const int64_t shape[2] = {3, 2}, axes[1] = {0};
        if (k == 1) mb_init_i64(b, "s", "2", shape, 2);
        if (k >= 2) mb_init_i64(b, "s", "1", axes, 1);
        mb_node(b, ops[k], k == 0 ? "x" : "x,s", "y");
        rnnrun_model *m = tu_load(b);
        float x[6] = {1, 2, 3, 4, 5, 6};
        rnnrun_tensor t = tu_tensor(RNNRUN_FLOAT, in_shape[k], x);
        rnnrun_session *s = tu_run(m, 1, &t);
        const float *y = tu_output(s, 0, RNNRUN_FLOAT, out_shape[k]);
        ck_assert_msg(y == x, "%s: the output is not the input's buffer", ops[k]);
        float x2[6] = {-1, -2, -3, -4, -5, -6};
        t.data = x2;
        ck_assert_int_eq(rnnrun_session_set_input(s, 0, &t), RNNRUN_OK);
        ck_assert_int_eq(rnnrun_session_run(s), RNNRUN_OK);
        y = tu_output(s, 0, RNNRUN_FLOAT, out_shape[k]);
        ck_assert_msg(y == x2, "%s: the second run's output is not the new buffer", ops[k]);
        tu_close_f32(y, x2, 6, 0, 0);
        rnnrun_session_free(s);
        rnnrun_model_free(m);
        mb_free(b);
    }
}
END_TEST

/* Views of a computed value, and a chain of views, read the right storage; the computed value is
 * also a graph output of its own. r = Relu(x); y = Identity(Unsqueeze(Squeeze(Reshape(r)))) */
START_TEST(views_of_computed_values) {
    mb *b = mb_new(8, 13);
    mb_input(b, "x", RNNRUN_FLOAT, "2,3");
    mb_output(b, "y", RNNRUN_FLOAT, NULL);
    mb_output(b, "r", RNNRUN_FLOAT, NULL);
    static const int64_t s16[2] = {1, 6}, ax0[1] = {0};
    mb_init_i64(b, "s", "2", s16, 2);
    mb_init_i64(b, "a", "1", ax0, 1);
    mb_node(b, "Relu", "x", "r");
    mb_node(b, "Reshape", "r,s", "v1");
    mb_node(b, "Squeeze", "v1,a", "v2");
    mb_node(b, "Unsqueeze", "v2,a", "v3");
    mb_node(b, "Identity", "v3", "y");
    rnnrun_model *m = tu_load(b);
    float x[6] = {-1, 2, -3, 4, -5, 6};
    rnnrun_tensor t = tu_tensor(RNNRUN_FLOAT, "2,3", x);
    rnnrun_session *s = tu_run(m, 1, &t);
    const float want[6] = {0, 2, 0, 4, 0, 6};
    tu_close_f32(tu_output(s, 0, RNNRUN_FLOAT, "1,6"), want, 6, 0, 0);
    tu_close_f32(tu_output(s, 1, RNNRUN_FLOAT, "2,3"), want, 6, 0, 0);
    rnnrun_session_free(s);
    rnnrun_model_free(m);
    mb_free(b);
}
END_TEST

/* Shape-defining inputs may be computed from shapes: the exporters' pattern
 * Shape -> Gather -> Unsqueeze -> Concat -> Reshape is folded at plan time. */
START_TEST(shape_inputs_computed_from_shapes) {
    mb *b = mb_new(8, 15);
    mb_input(b, "x", RNNRUN_FLOAT, "batch,3,4");
    mb_input(b, "z", RNNRUN_FLOAT, "24");
    mb_output(b, "y1", RNNRUN_FLOAT, NULL);
    mb_output(b, "y2", RNNRUN_FLOAT, NULL);
    mb_output(b, "y3", RNNRUN_FLOAT, NULL);
    static const int64_t zero[1] = {0}, minus1[1] = {-1};
    mb_init_i64(b, "zero", "", zero, 1);
    mb_init_i64(b, "ax0", "1", zero, 1);
    mb_init_i64(b, "m1", "1", minus1, 1);
    /* y1 = Reshape(z, Shape(x)) */
    mb_node(b, "Shape", "x", "sx");
    mb_node(b, "Reshape", "z,sx", "y1");
    /* y2 = Reshape(z, Concat([Unsqueeze(Gather(Shape(x), 0)), [-1]])) = (batch, -1) */
    mb_node(b, "Gather", "sx,zero", "b0");
    mb_node(b, "Unsqueeze", "b0,ax0", "b1");
    Onnx__NodeProto *n = mb_node(b, "Concat", "b1,m1", "s2");
    mb_attr_i(b, n, "axis", 0);
    mb_node(b, "Reshape", "z,s2", "y2");
    /* y3 = Reshape(z, Concat([[-1], Shape(x, start=2)])) = (-1, 4) */
    n = mb_node(b, "Shape", "x", "tail");
    mb_attr_i(b, n, "start", 2);
    n = mb_node(b, "Concat", "m1,tail", "s3");
    mb_attr_i(b, n, "axis", 0);
    mb_node(b, "Reshape", "z,s3", "y3");
    rnnrun_model *m = tu_load(b);
    float x[24] = {0}, z[24];
    iota_f32(z, 24);
    rnnrun_tensor in[2] = {tu_tensor(RNNRUN_FLOAT, "2,3,4", x), tu_tensor(RNNRUN_FLOAT, "24", z)};
    rnnrun_session *s = tu_run(m, 2, in);
    tu_close_f32(tu_output(s, 0, RNNRUN_FLOAT, "2,3,4"), z, 24, 0, 0);
    tu_close_f32(tu_output(s, 1, RNNRUN_FLOAT, "2,12"), z, 24, 0, 0);
    tu_close_f32(tu_output(s, 2, RNNRUN_FLOAT, "6,4"), z, 24, 0, 0);
    /* another batch size: a new plan, new shapes */
    in[0] = tu_tensor(RNNRUN_FLOAT, "1,3,4", x);
    ck_assert_int_eq(rnnrun_session_set_input(s, 0, &in[0]), RNNRUN_OK);
    ck_assert_msg(rnnrun_session_run(s) == RNNRUN_ERR_SHAPE, "%s", rnnrun_session_errmsg(s));
    ck_assert_msg(strstr(rnnrun_session_errmsg(s), "(Reshape") != NULL, "%s", rnnrun_session_errmsg(s));
    rnnrun_session_free(s);
    rnnrun_model_free(m);
    mb_free(b);
}
END_TEST

/* A shape-defining input fed as a graph input is read when the model is planned and pins the plan
 * to its values: the result is the same as with an initializer. */
START_TEST(shape_inputs_fed_are_pinned) {
    expect_ok(CASE("Reshape", 13, {F32("2,3", 1, 2, 3, 4, 5, 6), IN_I64("2", 3, -1)}), WF32("3,2", 1, 2, 3, 4, 5, 6));
    expect_ok(CASE("Squeeze", 13, {F32("1,3,1,2", 0, 1, 2, 3, 4, 5), IN_I64("1", 0)}), WF32("3,1,2", 0, 1, 2, 3, 4, 5));
    expect_ok(CASE("Unsqueeze", 13, {F32("3,2", 0, 1, 2, 3, 4, 5), IN_I64("1", 0)}), WF32("1,3,2", 0, 1, 2, 3, 4, 5));
    /* v[8:1:-2] with each of starts, ends, axes, steps fed in turn, then all of them */
#define V10 I64("10", 0, 1, 2, 3, 4, 5, 6, 7, 8, 9)
    expect_ok(CASE("Slice", 13, {V10, IN_I64("1", 8), K_I64("1", 1), K_I64("1", 0), K_I64("1", -2)}),
              WI64("4", 8, 6, 4, 2));
    expect_ok(CASE("Slice", 13, {V10, K_I64("1", 8), IN_I64("1", 1), K_I64("1", 0), K_I64("1", -2)}),
              WI64("4", 8, 6, 4, 2));
    expect_ok(CASE("Slice", 13, {V10, K_I64("1", 8), K_I64("1", 1), IN_I64("1", -1), K_I64("1", -2)}),
              WI64("4", 8, 6, 4, 2));
    expect_ok(CASE("Slice", 13, {V10, K_I64("1", 8), K_I64("1", 1), K_I64("1", 0), IN_I64("1", -2)}),
              WI64("4", 8, 6, 4, 2));
    expect_ok(CASE("Slice", 13, {V10, IN_I64("1", 8), IN_I64("1", 1), IN_I64("1", 0), IN_I64("1", -2)}),
              WI64("4", 8, 6, 4, 2));
#undef V10
}
END_TEST

/* Other values of a pinned input plan again. y = x[s:e] with s and e fed. */
START_TEST(shape_inputs_fed_replan) {
    mb *b = mb_new(8, 13);
    mb_input(b, "x", RNNRUN_INT64, "6");
    mb_input(b, "s", RNNRUN_INT64, "1");
    mb_input(b, "e", RNNRUN_INT64, "1");
    mb_output(b, "y", RNNRUN_INT64, NULL);
    mb_node(b, "Slice", "x,s,e", "y");
    rnnrun_model *m = tu_load(b);
    int64_t x[6] = {10, 11, 12, 13, 14, 15}, st = 1, en = 3;
    rnnrun_tensor in[3] = {tu_tensor(RNNRUN_INT64, "6", x), tu_tensor(RNNRUN_INT64, "1", &st),
                           tu_tensor(RNNRUN_INT64, "1", &en)};
    rnnrun_session *s = tu_run(m, 3, in);
    const int64_t w1[2] = {11, 12};
    tu_equal_i64(tu_output(s, 0, RNNRUN_INT64, "2"), w1, 2);
    st = -2;
    en = I64MAX;
    ck_assert_int_eq(rnnrun_session_run(s), RNNRUN_OK);
    const int64_t w2[2] = {14, 15};
    tu_equal_i64(tu_output(s, 0, RNNRUN_INT64, "2"), w2, 2);
    st = 0;
    en = 5;
    ck_assert_int_eq(rnnrun_session_run(s), RNNRUN_OK);
    const int64_t w3[5] = {10, 11, 12, 13, 14};
    tu_equal_i64(tu_output(s, 0, RNNRUN_INT64, "5"), w3, 5);
    /* and back to the first values (a cached plan) */
    st = 1;
    en = 3;
    ck_assert_int_eq(rnnrun_session_run(s), RNNRUN_OK);
    tu_equal_i64(tu_output(s, 0, RNNRUN_INT64, "2"), w1, 2);
    rnnrun_session_free(s);
    rnnrun_model_free(m);
    mb_free(b);
}
END_TEST

/* A shape-defining input whose value exists only at run time (computed from a fed tensor by a
 * node that runs) cannot be planned: refused, naming the op. */
START_TEST(shape_inputs_computed_refused) {
    expect_fail(CASE("Reshape", 13, {F32("2,3", 1, 2, 3, 4, 5, 6), RT_I64("1", 6)}), RNNRUN_ERR_UNSUPPORTED,
                "(Reshape");
    expect_fail(CASE("Reshape", 13, {F32("2,3", 1, 2, 3, 4, 5, 6), RT_I64("1", 6)}), RNNRUN_ERR_UNSUPPORTED,
                "shape must be known when the model is planned");
    expect_fail(CASE("Squeeze", 13, {F32("1,3,1,2", 0, 1, 2, 3, 4, 5), RT_I64("1", 0)}), RNNRUN_ERR_UNSUPPORTED,
                "(Squeeze");
    expect_fail(CASE("Unsqueeze", 13, {F32("3,2", 0, 1, 2, 3, 4, 5), RT_I64("1", 0)}), RNNRUN_ERR_UNSUPPORTED,
                "(Unsqueeze");
#define V10 I64("10", 0, 1, 2, 3, 4, 5, 6, 7, 8, 9)
    expect_fail(CASE("Slice", 13, {V10, RT_I64("1", 0), K_I64("1", 1)}), RNNRUN_ERR_UNSUPPORTED, "(Slice");
    expect_fail(CASE("Slice", 13, {V10, K_I64("1", 0), RT_I64("1", 1)}), RNNRUN_ERR_UNSUPPORTED, "ends must be known");
    expect_fail(CASE("Slice", 13, {V10, K_I64("1", 0), K_I64("1", 1), RT_I64("1", 0)}), RNNRUN_ERR_UNSUPPORTED,
                "axes must be known");
    expect_fail(CASE("Slice", 13, {V10, K_I64("1", 0), K_I64("1", 1), K_I64("1", 0), RT_I64("1", 1)}),
                RNNRUN_ERR_UNSUPPORTED, "steps must be known");
#undef V10
}
END_TEST

/* rr_op_find is a binary search: the table must stay sorted by strcmp of op_type, then by
 * ascending since, or look-ups fail silently. Every entry must be found by its own
 * (op_type, since), and the versions between entries must resolve to the older one. */
START_TEST(registry_sorted_and_found) {
    for (int i = 1; i < rr_n_ops; i++) {
        int c = strcmp(rr_ops[i - 1].op_type, rr_ops[i].op_type);
        ck_assert_msg(c < 0 || (c == 0 && rr_ops[i - 1].since < rr_ops[i].since),
                      "registry out of order at %d: %s-%d before %s-%d", i, rr_ops[i - 1].op_type,
                      rr_ops[i - 1].since, rr_ops[i].op_type, rr_ops[i].since);
    }
    for (int i = 0; i < rr_n_ops; i++) {
        bool known = false;
        ck_assert_ptr_eq(rr_op_find(rr_ops[i].op_type, rr_ops[i].since, &known), &rr_ops[i]);
        ck_assert(known);
        bool last = i + 1 == rr_n_ops || strcmp(rr_ops[i + 1].op_type, rr_ops[i].op_type) != 0;
        int next = last ? RR_MAX_OPSET : rr_ops[i + 1].since - 1;
        ck_assert_ptr_eq(rr_op_find(rr_ops[i].op_type, next, NULL), &rr_ops[i]);
    }
    bool known = true;
    /* below the first version: known, no entry */
    ck_assert_ptr_null(rr_op_find("LSTM", 0, &known));
    ck_assert(known);
    ck_assert_int_eq(rr_op_find("LSTM", 14, NULL)->since, 14);
    ck_assert_int_eq(rr_op_find("LSTM", 13, NULL)->since, 7);
    ck_assert_int_eq(rr_op_find("LSTM", 1, NULL)->since, 1);
    /* names before the first, after the last, between two, and prefixes of real names */
    const char *unknown[] = {"", "AAA", "Zzzz", "LSTN", "LST", "Abss", "abs", "~"};
    for (size_t k = 0; k < sizeof unknown / sizeof unknown[0]; k++) {
        known = true;
        ck_assert_ptr_null(rr_op_find(unknown[k], RR_MAX_OPSET, &known));
        ck_assert_msg(!known, "'%s' found", unknown[k]);
    }
    ck_assert_ptr_eq(rr_op_find(rr_ops[0].op_type, RR_MAX_OPSET, NULL)->op_type, rr_ops[0].op_type);
    ck_assert_str_eq(rr_op_find(rr_ops[rr_n_ops - 1].op_type, RR_MAX_OPSET, NULL)->op_type,
                     rr_ops[rr_n_ops - 1].op_type);
}
END_TEST

/* Arity and versions are checked when the model loads. */
START_TEST(arity_and_versions) {
    /* Unsqueeze-13 takes axes as a required input */
    expect_load_fail(CASE("Unsqueeze", 13, {F32("2", 1, 2)}), RNNRUN_ERR_MODEL, "required input 1 is missing");
    /* Gemm-9 requires C */
    expect_load_fail(CASE("Gemm", 9, {F32("1,1", 1), F32("1,1", 1)}), RNNRUN_ERR_MODEL, "Gemm-9 needs 3");
    /* Slice-10 requires starts and ends */
    expect_load_fail(CASE("Slice", 13, {F32("2", 1, 2), K_I64("1", 0)}), RNNRUN_ERR_MODEL, "required input 2");
    /* binary ops take exactly two */
    expect_load_fail(CASE("Add", 13, {F32("1", 1), F32("1", 1), F32("1", 1)}), RNNRUN_ERR_MODEL, "at most 2");
    expect_load_fail(CASE("Mul", 13, {F32("1", 1)}), RNNRUN_ERR_MODEL, "required input 1");
    expect_load_fail(CASE("Gather", 13, {F32("1", 1)}), RNNRUN_ERR_MODEL, "required input 1");
    expect_load_fail(CASE("Squeeze", 11, {F32("1", 1), K_I64("1", 0)}), RNNRUN_ERR_MODEL, "Squeeze-11 takes at most 1");
    expect_load_fail(CASE("Sigmoid", 13, {F32("1", 1), F32("1", 1)}), RNNRUN_ERR_MODEL, "at most 1");
    expect_load_fail(CASE("Concat", 13, {NONE}, {AT_I("axis", 0)}), RNNRUN_ERR_MODEL, "required input 0");
    expect_load_fail(CASE("Constant", 13, .in = {F32("1", 1)}, .at = {AT_F("value_float", 1)}),
                     RNNRUN_ERR_MODEL, "at most 0");
    /* versions below the first one implemented */
    expect_load_fail(CASE("Add", 6, {F32("1", 1), F32("1", 1)}), RNNRUN_ERR_UNSUPPORTED, "Add at opset 6");
    expect_load_fail(CASE("Relu", 5, {F32("1", 1)}), RNNRUN_ERR_UNSUPPORTED, "Relu at opset 5");
    expect_load_fail(CASE("Reshape", 4, {F32("1", 1), K_I64("1", 1)}), RNNRUN_ERR_UNSUPPORTED, "Reshape at opset 4");
    expect_load_fail(CASE("Foo", 13, {F32("1", 1)}), RNNRUN_ERR_UNSUPPORTED, "op Foo is not supported");
    /* too many outputs */
    mb *b = mb_new(8, 13);
    mb_input(b, "x", RNNRUN_FLOAT, "2");
    mb_output(b, "y", RNNRUN_FLOAT, NULL);
    mb_node(b, "Sigmoid", "x", "y,z");
    tu_load_fails(b, RNNRUN_ERR_MODEL, "2 outputs given");
    mb_free(b);
}
END_TEST

/* ==== issue 4: the non-recurrent ops =========================================================== */

#define K_EMPTY_I64 {RNNRUN_INT64, "0", NULL, CONST, 0}

/* ---- unary math and parameterised activations ------------------------------------------------ */

/* x = [-1.5, 0, 0.25, 2, 4]; NumPy: np.sqrt(x), np.exp(x), np.log(x), 1/x, np.ceil, np.floor, -x, abs */
START_TEST(unary_math) {
#define UX F32("5", -1.5f, 0, 0.25f, 2, 4)
    expect_ok(CASE("Neg", 13, {UX}), WF32("5", 1.5f, 0, -0.25f, -2, -4));
    expect_ok(CASE("Abs", 13, {UX}), WF32("5", 1.5f, 0, 0.25f, 2, 4));
    expect_ok(CASE("Sqrt", 13, {UX}), WF32("5", NAN, 0, 0.5f, 1.41421354f, 2));
    expect_ok(CASE("Exp", 13, {UX}), WF32_TOL(0, 1e-6, "5", 0.223130152f, 1, 1.28402555f, 7.38905573f, 54.5981483f));
    expect_ok(CASE("Log", 13, {UX}), WF32("5", NAN, -INFINITY, -1.38629436f, 0.693147182f, 1.38629436f));
    expect_ok(CASE("Reciprocal", 13, {UX}), WF32("5", -0.666666687f, INFINITY, 4, 0.5f, 0.25f));
    expect_ok(CASE("Ceil", 13, {UX}), WF32("5", -1, 0, 1, 2, 4));
    expect_ok(CASE("Floor", 6, {UX}), WF32("5", -2, 0, 0, 2, 4));
    expect_ok(CASE("Exp", 6, {F64("2", 0, 1)}), WF64("2", 1, 2.718281828459045));
#undef UX
    /* integers: Neg and Abs wrap like NumPy (-INT32_MIN is INT32_MIN); Abs of unsigned is a copy */
    expect_ok(CASE("Neg", 13, {I32("4", -3, 0, 5, INT32_MIN)}), WI32("4", 3, 0, -5, INT32_MIN));
    expect_ok(CASE("Abs", 13, {I8("4", -3, 0, 5, -128)}), WI8("4", 3, 0, 5, -128));
    expect_ok(CASE("Abs", 13, {U8("3", 0, 7, 255)}), WU8("3", 0, 7, 255));
    expect_ok(CASE("Neg", 13, {I64("2", -9, I64MIN)}), WI64("2", 9, I64MIN));
    /* refused dtypes */
    expect_fail(CASE("Sqrt", 13, {I32("1", 4)}), RNNRUN_ERR_UNSUPPORTED, "dtype int32");
    expect_fail(CASE("Neg", 13, {U8("1", 4)}), RNNRUN_ERR_UNSUPPORTED, "(Neg");
    expect_fail(CASE("Exp", 13, {BOOL("1", 1)}), RNNRUN_ERR_UNSUPPORTED, "dtype bool");
}
END_TEST

/* a = [-2, -0.5, 0, 0.5, 3]; NumPy: np.where(a < 0, alpha * a, a); alpha * np.expm1(a) for a < 0;
 * np.clip(0.2 * a + 0.5, 0, 1); np.log1p(np.exp(a)); a / (1 + abs(a)) */
START_TEST(activations_with_parameters) {
#define AX F32("5", -2, -0.5f, 0, 0.5f, 3)
    expect_ok(CASE("LeakyRelu", 16, {AX}), WF32("5", -0.0199999996f, -0.00499999989f, 0, 0.5f, 3));
    expect_ok(CASE("LeakyRelu", 6, {AX}, {AT_F("alpha", 0.1f)}), WF32("5", -0.200000003f, -0.0500000007f, 0, 0.5f, 3));
    expect_ok(CASE("Elu", 6, {AX}), WF32("5", -0.864664733f, -0.393469334f, 0, 0.5f, 3));
    expect_ok(CASE("Elu", 22, {AX}, {AT_F("alpha", 2)}), WF32("5", -1.72932947f, -0.786938667f, 0, 0.5f, 3));
    expect_ok(CASE("HardSigmoid", 6, {AX}), WF32("5", 0.099999994f, 0.400000006f, 0.5f, 0.600000024f, 1));
    /* alpha 0.5, beta 0.25: clip(0.5 a + 0.25) = [0, 0, 0.25, 0.5, 1] */
    expect_ok(CASE("HardSigmoid", 22, {AX}, {AT_F("alpha", 0.5f), AT_F("beta", 0.25f)}), WF32("5", 0, 0, 0.25f, 0.5f, 1));
    expect_ok(CASE("Softplus", 1, {AX}), WF32("5", 0.126928017f, 0.474076986f, 0.693147182f, 0.974076986f, 3.04858732f));
    expect_ok(CASE("Softsign", 22, {AX}), WF32("5", -0.666666687f, -0.333333343f, 0, 0.333333343f, 0.75f));
#undef AX
    /* Softplus does not overflow: log(1 + exp(100)) = 100 */
    expect_ok(CASE("Softplus", 1, {F64("2", 100, -100)}), WF64_TOL(1e-12, 0, "2", 100, 3.720075976020836e-44));
    expect_fail(CASE("LeakyRelu", 16, {I32("1", 1)}), RNNRUN_ERR_UNSUPPORTED, "(LeakyRelu");
    expect_fail(CASE("Elu", 6, {F32("1", 1)}, {AT_S("alpha", "x")}), RNNRUN_ERR_MODEL, "alpha");
}
END_TEST

/* ---- Clip ------------------------------------------------------------------------------------ */

START_TEST(clip_forms) {
#define CX F32("5", -3, -0.5f, 0, 0.5f, 3)
    /* attributes before opset 11 */
    expect_ok(CASE("Clip", 6, {CX}, {AT_F("min", -1), AT_F("max", 1)}), WF32("5", -1, -0.5f, 0, 0.5f, 1));
    expect_ok(CASE("Clip", 6, {CX}, {AT_F("max", 0)}), WF32("5", -3, -0.5f, 0, 0, 0));
    /* inputs from opset 11, each optional */
    expect_ok(CASE("Clip", 11, {CX, F32("", -1), F32("", 1)}), WF32("5", -1, -0.5f, 0, 0.5f, 1));
    expect_ok(CASE("Clip", 13, {CX, F32("", 0)}), WF32("5", 0, 0, 0, 0.5f, 3));
    expect_ok(CASE("Clip", 13, {CX, NONE, F32("", 0)}), WF32("5", -3, -0.5f, 0, 0, 0));
    expect_ok(CASE("Clip", 13, {CX}), WF32("5", -3, -0.5f, 0, 0.5f, 3));
    /* min > max gives max everywhere, as np.clip */
    expect_ok(CASE("Clip", 13, {CX, F32("", 2), F32("", 1)}), WF32("5", 1, 1, 1, 1, 1));
    /* NaN stays NaN */
    expect_ok(CASE("Clip", 13, {F32("2", NAN, 5), F32("", 0), F32("", 1)}), WF32("2", NAN, 1));
    /* integers from opset 12 */
    expect_ok(CASE("Clip", 12, {I8("4", -128, -5, 5, 127), I8("", -10), I8("", 10)}), WI8("4", -10, -5, 5, 10));
    expect_ok(CASE("Clip", 13, {I64("3", I64MIN, 0, I64MAX), NONE, I64("", 7)}), WI64("3", I64MIN, 0, 7));
    expect_fail(CASE("Clip", 11, {I32("1", 1)}), RNNRUN_ERR_UNSUPPORTED, "dtype int32");
    expect_fail(CASE("Clip", 13, {CX, F64("", 0)}), RNNRUN_ERR_DTYPE, "min is float64 but the input is float32");
    expect_fail(CASE("Clip", 13, {CX, F32("2", 0, 1)}), RNNRUN_ERR_SHAPE, "min must be a scalar");
#undef CX
}
END_TEST

/* ---- Pow ------------------------------------------------------------------------------------- */

/* NumPy: np.power([[1,2,3],[4,5,6]], [2, 0.5, -1]) */
START_TEST(pow_values) {
    expect_ok(CASE("Pow", 13, {F32("2,3", 1, 2, 3, 4, 5, 6), F32("3", 2, 0.5f, -1)}),
              WF32("2,3", 1, 1.41421354f, 0.333333343f, 16, 2.23606801f, 0.166666672f));
    /* mixed types from opset 12: a float base and an int64 exponent; an int base and exponent */
    expect_ok(CASE("Pow", 15, {F32("3", 2, -3, 0.5f), I64("", 3)}), WF32("3", 8, -27, 0.125f));
    expect_ok(CASE("Pow", 13, {I64("4", 2, -3, 10, 7), I64("4", 10, 3, 0, 1)}), WI64("4", 1024, -27, 1, 7));
    expect_ok(CASE("Pow", 12, {I32("2", 3, 4), F32("", 2)}), WI32("2", 9, 16));
    expect_fail(CASE("Pow", 7, {F32("1", 2), F64("1", 2)}), RNNRUN_ERR_DTYPE, "different dtypes");
    expect_fail(CASE("Pow", 7, {I32("1", 2), I32("1", 2)}), RNNRUN_ERR_UNSUPPORTED, "dtype int32");
    expect_fail(CASE("Pow", 13, {F32("2", 1, 2), F32("3", 1, 2, 3)}), RNNRUN_ERR_SHAPE, "do not broadcast");
}
END_TEST

/* ---- Min, Max, Sum, Mean --------------------------------------------------------------------- */

/* a (2,3) = [[1,-2,3],[4,5,-6]], b (3,) = [0,0,10], c () = 2; NumPy: np.maximum(np.maximum(a, b), c),
 * a + b + c, (a + b + c) / 3 */
START_TEST(variadic_broadcasting) {
#define VA F32("2,3", 1, -2, 3, 4, 5, -6)
#define VB F32("3", 0, 0, 10)
#define VC F32("", 2)
    expect_ok(CASE("Max", 13, {VA, VB, VC}), WF32("2,3", 2, 2, 10, 4, 5, 10));
    expect_ok(CASE("Min", 13, {VA, VB, VC}), WF32("2,3", 0, -2, 2, 0, 0, -6));
    expect_ok(CASE("Sum", 13, {VA, VB, VC}), WF32("2,3", 3, 0, 15, 6, 7, 6));
    expect_ok(CASE("Mean", 13, {VA, VB, VC}), WF32("2,3", 1, 0, 5, 2, 2.33333325f, 2));
    expect_ok(CASE("Sum", 8, {VA}), WF32("2,3", 1, -2, 3, 4, 5, -6));
    /* the output takes the broadcast shape even when the first input is the smallest */
    expect_ok(CASE("Max", 8, {VC, VA}), WF32("2,3", 2, 2, 3, 4, 5, 2));
#undef VA
#undef VB
#undef VC
    /* NaN propagates, as np.maximum */
    expect_ok(CASE("Max", 13, {F32("3", 1, NAN, 3), F32("3", NAN, 2, 1)}), WF32("3", NAN, NAN, 3));
    expect_ok(CASE("Min", 13, {F64("2", 1, 5), F64("2", 2, -5)}), WF64("2", 1, -5));
    /* integers for Min and Max from opset 12 */
    expect_ok(CASE("Max", 12, {I32("3", -1, 7, 3), I32("1", 2)}), WI32("3", 2, 7, 3));
    expect_ok(CASE("Min", 13, {U8("2", 200, 3), U8("2", 100, 9)}), WU8("2", 100, 3));
    expect_fail(CASE("Max", 8, {I32("1", 1), I32("1", 2)}), RNNRUN_ERR_UNSUPPORTED, "dtype int32");
    expect_fail(CASE("Sum", 13, {I64("1", 1), I64("1", 2)}), RNNRUN_ERR_UNSUPPORTED, "(Sum");
    expect_fail(CASE("Max", 13, {F32("1", 1), F64("1", 2)}), RNNRUN_ERR_DTYPE, "input 1 is float64, input 0 is float32");
    expect_fail(CASE("Sum", 13, {F32("2", 1, 2), F32("1", 1), F32("3", 1, 2, 3)}), RNNRUN_ERR_SHAPE, "do not broadcast");
}
END_TEST

/* ---- comparisons, logic, Where --------------------------------------------------------------- */

START_TEST(compare_and_logic) {
    /* a (2,2) = [[1,2],[3,4]] against b (2,) = [2,3] */
#define CA I64("2,2", 1, 2, 3, 4)
#define CB I64("2", 2, 3)
    expect_ok(CASE("Equal", 13, {CA, CB}), WBOOL("2,2", 0, 0, 0, 0));
    expect_ok(CASE("Equal", 19, {CA, I64("2,1", 1, 4)}), WBOOL("2,2", 1, 0, 0, 1));
    expect_ok(CASE("Less", 13, {CA, CB}), WBOOL("2,2", 1, 1, 0, 0));
    expect_ok(CASE("Greater", 9, {CA, CB}), WBOOL("2,2", 0, 0, 1, 1));
    expect_ok(CASE("LessOrEqual", 16, {CA, CB}), WBOOL("2,2", 1, 1, 0, 0));
    expect_ok(CASE("GreaterOrEqual", 12, {CA, CB}), WBOOL("2,2", 0, 0, 1, 1));
#undef CA
#undef CB
    /* floats: NaN compares false, and is not equal to itself */
    expect_ok(CASE("Less", 7, {F32("3", 1, NAN, -1), F32("", 0)}), WBOOL("3", 0, 0, 1));
    expect_ok(CASE("Equal", 11, {F32("2", NAN, 1), F32("2", NAN, 1)}), WBOOL("2", 0, 1));
    expect_ok(CASE("Equal", 13, {BOOL("2", 1, 0), BOOL("2", 1, 1)}), WBOOL("2", 1, 0));
    expect_ok(CASE("And", 7, {BOOL("4", 0, 0, 1, 1), BOOL("4", 0, 1, 0, 1)}), WBOOL("4", 0, 0, 0, 1));
    expect_ok(CASE("Or", 7, {BOOL("4", 0, 0, 1, 1), BOOL("4", 0, 1, 0, 1)}), WBOOL("4", 0, 1, 1, 1));
    expect_ok(CASE("Xor", 7, {BOOL("2,2", 0, 0, 1, 1), BOOL("2", 0, 1)}), WBOOL("2,2", 0, 1, 1, 0));
    expect_ok(CASE("Not", 1, {BOOL("3", 0, 1, 0)}), WBOOL("3", 1, 0, 1));
    expect_fail(CASE("Less", 7, {I32("1", 1), I32("1", 2)}), RNNRUN_ERR_UNSUPPORTED, "dtype int32");
    expect_fail(CASE("Equal", 13, {I32("1", 1), I64("1", 2)}), RNNRUN_ERR_DTYPE, "different dtypes (int32 and int64)");
    expect_fail(CASE("And", 7, {I32("1", 1), I32("1", 2)}), RNNRUN_ERR_UNSUPPORTED, "(And");
    expect_fail(CASE("Not", 1, {F32("1", 1)}), RNNRUN_ERR_UNSUPPORTED, "(Not");
    expect_fail(CASE("Greater", 13, {F32("2", 1, 2), F32("3", 1, 2, 3)}), RNNRUN_ERR_SHAPE, "do not broadcast");
}
END_TEST

/* np.where(c, x, y) with c (2,1), x (3,), y () */
START_TEST(where_values) {
    expect_ok(CASE("Where", 16, {BOOL("2,1", 1, 0), F32("3", 1, 2, 3), F32("", -1)}), WF32("2,3", 1, 2, 3, -1, -1, -1));
    expect_ok(CASE("Where", 9, {BOOL("3", 0, 1, 0), I64("3", 1, 2, 3), I64("3", 7, 8, 9)}), WI64("3", 7, 2, 9));
    expect_ok(CASE("Where", 16, {BOOL("2", 1, 0), BOOL("2", 0, 0), BOOL("", 1)}), WBOOL("2", 0, 1));
    expect_fail(CASE("Where", 16, {I32("1", 1), F32("1", 1), F32("1", 2)}), RNNRUN_ERR_UNSUPPORTED, "condition has dtype int32");
    expect_fail(CASE("Where", 16, {BOOL("1", 1), F32("1", 1), F64("1", 2)}), RNNRUN_ERR_DTYPE, "X is float32 but Y is float64");
    expect_fail(CASE("Where", 16, {BOOL("2", 1, 0), F32("3", 1, 2, 3), F32("1", 2)}), RNNRUN_ERR_SHAPE, "do not broadcast");
}
END_TEST

/* ---- reductions ------------------------------------------------------------------------------ */

/* x (2,3) = [[1,-2,3],[4,5,-6]]; NumPy: x.sum(1) = [2,3], x.sum(0) = [5,3,-3], x.sum() = 5,
 * x.mean(1) = [0.6666667, 1], x.max(0) = [4,5,3], x.min() = -6, (x*x).sum(1) = [14,77] */
START_TEST(reduce_values) {
#define RX F32("2,3", 1, -2, 3, 4, 5, -6)
    /* ReduceSum: axes as an input from opset 13 */
    expect_ok(CASE("ReduceSum", 13, {RX, K_I64("1", 1)}), WF32("2,1", 2, 3));
    expect_ok(CASE("ReduceSum", 13, {RX, K_I64("1", -2)}, {AT_I("keepdims", 0)}), WF32("3", 5, 3, -3));
    expect_ok(CASE("ReduceSum", 13, {RX}), WF32("1,1", 5));
    expect_ok(CASE("ReduceSum", 13, {RX, K_EMPTY_I64}, {AT_I("keepdims", 0)}), WF32("", 5));
    expect_ok(CASE("ReduceSum", 13, {RX, K_EMPTY_I64}, {AT_I("noop_with_empty_axes", 1)}), WF32("2,3", 1, -2, 3, 4, 5, -6));
    expect_ok(CASE("ReduceSum", 11, {RX}, {AT_INTS("axes", 1), AT_I("keepdims", 0)}), WF32("2", 2, 3));
    /* the others: attribute axes until opset 18, input axes from 18 */
    expect_ok(CASE("ReduceMean", 13, {RX}, {AT_INTS("axes", 1), AT_I("keepdims", 0)}), WF32("2", 0.666666687f, 1));
    expect_ok(CASE("ReduceMean", 18, {RX, K_I64("1", 1)}, {AT_I("keepdims", 0)}), WF32("2", 0.666666687f, 1));
    expect_ok(CASE("ReduceMax", 13, {RX}, {AT_INTS("axes", 0)}), WF32("1,3", 4, 5, 3));
    expect_ok(CASE("ReduceMax", 20, {RX, K_I64("1", 0)}, {AT_I("keepdims", 0)}), WF32("3", 4, 5, 3));
    expect_ok(CASE("ReduceMin", 18, {RX}, {AT_I("keepdims", 0)}), WF32("", -6));
    expect_ok(CASE("ReduceSumSquare", 13, {RX}, {AT_INTS("axes", -1)}), WF32("2,1", 14, 77));
    expect_ok(CASE("ReduceSumSquare", 18, {RX, K_I64("2", 1, 0)}), WF32("1,1", 91));
#undef RX
    /* several axes of a 3-D int32 tensor: np.arange(24).reshape(2,3,4).sum(axis=(0,2), keepdims=True) */
    int32_t x3[24];
    for (int i = 0; i < 24; i++) x3[i] = i;
    expect_ok(CASE("ReduceSum", 13, {DATA(RNNRUN_INT32, "2,3,4", x3, 24), K_I64("2", 0, 2)}), WI32("1,3,1", 60, 92, 124));
    /* integer mean truncates toward zero: mean([1,2]) = 1, mean([4,-7]) = -1 */
    expect_ok(CASE("ReduceMean", 13, {I64("2,2", 1, 2, 4, -7)}, {AT_INTS("axes", 1), AT_I("keepdims", 0)}), WI64("2", 1, -1));
    /* NaN wins in Max and Min; bool from opset 20 */
    expect_ok(CASE("ReduceMax", 13, {F32("2,2", 1, NAN, 3, 4)}, {AT_INTS("axes", 1)}), WF32("2,1", NAN, 4));
    expect_ok(CASE("ReduceMin", 20, {BOOL("2,2", 1, 0, 1, 1), K_I64("1", 1)}, {AT_I("keepdims", 0)}), WBOOL("2", 0, 1));
    /* empty sets: sum 0, max -inf, min +inf, mean NaN */
    expect_ok(CASE("ReduceSum", 13, {EMPTY(RNNRUN_FLOAT, "2,0"), K_I64("1", 1)}, {AT_I("keepdims", 0)}), WF32("2", 0, 0));
    expect_ok(CASE("ReduceMax", 18, {EMPTY(RNNRUN_FLOAT, "2,0"), K_I64("1", 1)}, {AT_I("keepdims", 0)}), WF32("2", -INFINITY, -INFINITY));
    expect_ok(CASE("ReduceMin", 13, {EMPTY(RNNRUN_INT32, "0,2")}, {AT_INTS("axes", 0), AT_I("keepdims", 0)}), WI32("2", INT32_MAX, INT32_MAX));
    expect_ok(CASE("ReduceMean", 13, {EMPTY(RNNRUN_FLOAT, "0")}, {AT_I("keepdims", 0)}), WF32("", NAN));
    /* errors */
    expect_fail(CASE("ReduceSum", 13, {F32("2", 1, 2), K_I64("1", 1)}), RNNRUN_ERR_MODEL, "axis 1 is out of range for rank 1");
    expect_fail(CASE("ReduceMean", 13, {F32("2,2", 1, 2, 3, 4)}, {AT_INTS("axes", 1, -1)}), RNNRUN_ERR_MODEL, "given twice");
    expect_fail(CASE("ReduceMax", 18, {F32("2", 1, 2)}, {AT_INTS("axes", 0)}), RNNRUN_ERR_MODEL, "not an attribute");
    expect_fail(CASE("ReduceMax", 13, {BOOL("2", 1, 0)}, {AT_INTS("axes", 0)}), RNNRUN_ERR_UNSUPPORTED, "dtype bool");
    expect_fail(CASE("ReduceSum", 13, {F32("2", 1, 2), RT_I64("1", 0)}), RNNRUN_ERR_UNSUPPORTED, "axes must be known");
}
END_TEST

/* a (3,4) = [[2,7,7,1],[5,5,0,9],[3,3,3,3]]; NumPy: a.argmax(1) = [1,3,0], a.argmin(0) = [0,2,1,0];
 * last index: 3 - a[:, ::-1].argmax(1) = [2,3,3], 2 - a[::-1].argmin(0) = [0,2,1,0] */
START_TEST(argmax_argmin) {
#define AA F32("3,4", 2, 7, 7, 1, 5, 5, 0, 9, 3, 3, 3, 3)
    expect_ok(CASE("ArgMax", 13, {AA}, {AT_I("axis", 1)}), WI64("3,1", 1, 3, 0));
    expect_ok(CASE("ArgMax", 13, {AA}, {AT_I("axis", -1), AT_I("keepdims", 0)}), WI64("3", 1, 3, 0));
    expect_ok(CASE("ArgMax", 12, {AA}, {AT_I("axis", 1), AT_I("select_last_index", 1), AT_I("keepdims", 0)}), WI64("3", 2, 3, 3));
    expect_ok(CASE("ArgMin", 11, {AA}), WI64("1,4", 0, 2, 1, 0));
    expect_ok(CASE("ArgMin", 13, {AA}, {AT_I("select_last_index", 1), AT_I("keepdims", 0)}), WI64("4", 0, 2, 1, 0));
#undef AA
    /* the first NaN wins, as np.argmax; integers */
    expect_ok(CASE("ArgMax", 13, {F32("4", 1, NAN, 5, NAN)}, {AT_I("keepdims", 0)}), WI64("", 1));
    expect_ok(CASE("ArgMin", 13, {I64("3", 4, I64MIN, I64MIN)}, {AT_I("keepdims", 0), AT_I("select_last_index", 1)}), WI64("", 2));
    expect_fail(CASE("ArgMax", 13, {F32("2", 1, 2)}, {AT_I("axis", 1)}), RNNRUN_ERR_MODEL, "axis 1 is out of range");
    expect_fail(CASE("ArgMax", 1, {F32("2", 1, 2)}, {AT_I("axis", -1)}), RNNRUN_ERR_MODEL, "negative axis needs opset 11");
    expect_fail(CASE("ArgMin", 13, {EMPTY(RNNRUN_FLOAT, "0")}), RNNRUN_ERR_SHAPE, "has size 0");
}
END_TEST

/* ---- Softmax, LogSoftmax --------------------------------------------------------------------- */

/* x = np.arange(24).reshape(2,3,4) / 8; NumPy: softmax(v, ax) = exp(v - max) / sum(exp(v - max)) */
START_TEST(softmax_both_meanings) {
    float x[24];
    for (int i = 0; i < 24; i++) x[i] = (float)i / 8;
#define SX DATA(RNNRUN_FLOAT, "2,3,4", x, 24)
    /* opset 13, default axis -1: every row of 4 is [0.205247553, 0.232575947, 0.263543074, 0.298633427] */
    float w_last[24], w_ax1[24], w_log1[24];
    for (int i = 0; i < 24; i++) {
        static const float row[4] = {0.205247553f, 0.232575947f, 0.263543074f, 0.298633427f};
        static const float col[3] = {0.186323723f, 0.307195886f, 0.506480391f};
        static const float logcol[3] = {-1.68026967f, -1.18026967f, -0.680269671f};
        w_last[i] = row[i % 4];
        w_ax1[i] = col[(i / 4) % 3];
        w_log1[i] = logcol[(i / 4) % 3];
    }
    expect_ok(CASE("Softmax", 13, {SX}), WDATA(RNNRUN_FLOAT, "2,3,4", w_last, 24, 1e-6, 1e-6));
    expect_ok(CASE("Softmax", 13, {SX}, {AT_I("axis", 1)}), WDATA(RNNRUN_FLOAT, "2,3,4", w_ax1, 24, 1e-6, 1e-6));
    expect_ok(CASE("LogSoftmax", 13, {SX}, {AT_I("axis", -2)}), WDATA(RNNRUN_FLOAT, "2,3,4", w_log1, 24, 1e-6, 1e-6));
    /* opset 11, axis 1: normalised over the 12 values of x.reshape(2, 12)[i] */
    static const float w11[12] = {0.0382424882f, 0.0433344163f, 0.0491043268f, 0.055642492f, 0.0630512037f, 0.0714463739f,
                                  0.0809593481f, 0.09173896f, 0.103953861f, 0.117795156f, 0.133479399f, 0.151251975f};
    float w_coerced[24];
    for (int i = 0; i < 24; i++) w_coerced[i] = w11[i % 12];
    expect_ok(CASE("Softmax", 11, {SX}), WDATA(RNNRUN_FLOAT, "2,3,4", w_coerced, 24, 1e-6, 1e-6));
    /* opset 1, axis 2: the same as opset 13's last axis */
    expect_ok(CASE("Softmax", 1, {SX}, {AT_I("axis", 2)}), WDATA(RNNRUN_FLOAT, "2,3,4", w_last, 24, 1e-6, 1e-6));
    expect_ok(CASE("Softmax", 11, {SX}, {AT_I("axis", -1)}), WDATA(RNNRUN_FLOAT, "2,3,4", w_last, 24, 1e-6, 1e-6));
#undef SX
    /* large values do not overflow: softmax([1000, 1000]) = [0.5, 0.5]; log: [-log 2, -log 2] */
    expect_ok(CASE("Softmax", 13, {F64("2", 1000, 1000)}), WF64("2", 0.5, 0.5));
    expect_ok(CASE("LogSoftmax", 13, {F32("2", 1000, 1000)}), WF32("2", -0.693147182f, -0.693147182f));
    expect_fail(CASE("Softmax", 13, {I32("2", 1, 2)}), RNNRUN_ERR_UNSUPPORTED, "dtype int32");
    expect_fail(CASE("Softmax", 13, {F32("2", 1, 2)}, {AT_I("axis", 1)}), RNNRUN_ERR_MODEL, "axis 1 is out of range");
    expect_fail(CASE("LogSoftmax", 11, {F32("2", 1, 2)}, {AT_I("axis", 2)}), RNNRUN_ERR_MODEL, "axis 2 is out of range");
}
END_TEST

/* ---- Cast, CastLike -------------------------------------------------------------------------- */

/* NumPy: np.float32([-2.7,-0.5,0,0.5,2.9]).astype(np.int32) = [-2,0,0,0,2];
 * np.int64([127,128,-129,300]).astype(np.int8) = [127,-128,127,44] */
START_TEST(cast_values) {
    expect_ok(CASE("Cast", 13, {F32("5", -2.7f, -0.5f, 0, 0.5f, 2.9f)}, {AT_I("to", RNNRUN_INT32)}), WI32("5", -2, 0, 0, 0, 2));
    expect_ok(CASE("Cast", 6, {F32("4", 0, -0.5f, NAN, 3)}, {AT_I("to", RNNRUN_BOOL)}), WBOOL("4", 0, 1, 1, 1));
    expect_ok(CASE("Cast", 9, {BOOL("2", 1, 0)}, {AT_I("to", RNNRUN_FLOAT)}), WF32("2", 1, 0));
    expect_ok(CASE("Cast", 19, {I64("4", 127, 128, -129, 300)}, {AT_I("to", RNNRUN_INT8)}), WI8("4", 127, -128, 127, 44));
    expect_ok(CASE("Cast", 25, {F64("2", 0.1, -1e300)}, {AT_I("to", RNNRUN_FLOAT)}), WF32("2", 0.1f, -INFINITY));
    expect_ok(CASE("Cast", 13, {I32("2", -1, 7)}, {AT_I("to", RNNRUN_INT64)}), WI64("2", -1, 7));
    expect_ok(CASE("Cast", 13, {I64("1", 5)}, {AT_I("to", RNNRUN_INT64)}), WI64("1", 5));
    /* NaN and out-of-range floats to integers are defined here: 0 and saturation */
    expect_ok(CASE("Cast", 13, {F32("3", NAN, 1e10f, -1e10f)}, {AT_I("to", RNNRUN_INT32)}), WI32("3", 0, INT32_MAX, INT32_MIN));
    expect_ok(CASE("Cast", 21, {F32("2", 1.5f, 2)}, {AT_I("to", RNNRUN_DOUBLE), AT_I("saturate", 0)}), WF64("2", 1.5, 2));
    expect_ok(CASE("CastLike", 15, {F32("2", 1.9f, -1.9f), EMPTY(RNNRUN_INT64, "0")}), WI64("2", 1, -1));
    expect_fail(CASE("Cast", 13, {F32("1", 1)}, {AT_I("to", 8)}), RNNRUN_ERR_UNSUPPORTED, "cast to string");
    expect_fail(CASE("Cast", 13, {F32("1", 1)}), RNNRUN_ERR_MODEL, "'to' is required");
}
END_TEST

/* float32 -> float16 bits, NumPy: np.float32([1,-2.5,65504,1e-7,0.1,70000]).astype(np.float16)
 * .view(np.uint16) = [0x3c00, 0xc100, 0x7bff, 0x0002, 0x2e66, 0x7c00]; and back */
START_TEST(cast_float16) {
    mb *b = mb_new(8, 13);
    mb_input(b, "x", RNNRUN_FLOAT, "6");
    mb_output(b, "h", RR_FLOAT16, NULL);
    mb_output(b, "y", RNNRUN_FLOAT, NULL);
    Onnx__NodeProto *n = mb_node(b, "Cast", "x", "h");
    mb_attr_i(b, n, "to", RR_FLOAT16);
    n = mb_node(b, "Cast", "h", "y");
    mb_attr_i(b, n, "to", RNNRUN_FLOAT);
    rnnrun_model *m = tu_load(b);
    const float x[6] = {1, -2.5f, 65504, 1e-7f, 0.1f, 70000};
    rnnrun_tensor in = tu_tensor(RNNRUN_FLOAT, "6", x);
    rnnrun_session *s = tu_run(m, 1, &in);
    const uint16_t want[6] = {0x3c00, 0xc100, 0x7bff, 0x0002, 0x2e66, 0x7c00};
    tu_equal_bytes(tu_output(s, 0, RR_FLOAT16, "6"), want, sizeof want);
    /* 2 * 2^-24 = 1.1920929e-07; 0x2e66 = 0.0999755859375 */
    const float back[6] = {1, -2.5f, 65504, 1.1920929e-07f, 0.0999755859375f, INFINITY};
    const float *y = tu_output(s, 1, RNNRUN_FLOAT, "6");
    for (int i = 0; i < 6; i++) ck_assert_msg(y[i] == back[i], "element %d: %.9g, expected %.9g", i, y[i], back[i]);
    rnnrun_session_free(s);
    rnnrun_model_free(m);
    mb_free(b);
}
END_TEST

/* ---- ConstantOfShape, Range ------------------------------------------------------------------ */

START_TEST(constantofshape_and_range) {
    expect_ok(CASE("ConstantOfShape", 9, {K_I64("2", 2, 3)}), WF32("2,3", 0, 0, 0, 0, 0, 0));
    expect_ok(CASE("ConstantOfShape", 20, {K_I64("1", 3)}, {AT_T("value", I64("1", -7))}), WI64("3", -7, -7, -7));
    expect_ok(CASE("ConstantOfShape", 25, {K_I64("2", 2, 0)}, {AT_T("value", I32("1", 1))}), WEMPTY(RNNRUN_INT32, "2,0"));
    expect_ok(CASE("ConstantOfShape", 9, {K_EMPTY_I64}, {AT_T("value", F64("1", 2.5))}), WF64("", 2.5));
    expect_fail(CASE("ConstantOfShape", 9, {K_I64("2", 2, -1)}), RNNRUN_ERR_SHAPE, "shape[1] is negative");
    expect_fail(CASE("ConstantOfShape", 9, {K_I64("1", 2)}, {AT_T("value", F32("2", 1, 2))}), RNNRUN_ERR_MODEL, "one element");
    expect_fail(CASE("ConstantOfShape", 9, {RT_I64("1", 2)}), RNNRUN_ERR_UNSUPPORTED, "shape must be known");
    /* np.arange(3, 9, 3), np.arange(10, 4, -2), np.arange(1, 2.1, 0.5), an empty range */
    expect_ok(CASE("Range", 11, {I64("", 3), I64("", 9), I64("", 3)}), WI64("2", 3, 6));
    expect_ok(CASE("Range", 27, {I32("", 10), I32("", 4), I32("", -2)}), WI32("3", 10, 8, 6));
    expect_ok(CASE("Range", 11, {F32("", 1), F32("", 2.1f), F32("", 0.5f)}), WF32("3", 1, 1.5f, 2));
    expect_ok(CASE("Range", 11, {I16("", 5), I16("", 1), I16("", 1)}), WEMPTY(RR_INT16, "0"));
    expect_ok(CASE("Range", 11, {F64("", 0), F64("", -1), F64("", -0.25)}), WF64("4", 0, -0.25, -0.5, -0.75));
    expect_fail(CASE("Range", 11, {I64("", 0), I64("", 3), I64("", 0)}), RNNRUN_ERR_VALUE, "delta is 0");
    expect_fail(CASE("Range", 11, {I64("", 0), I32("", 3), I64("", 1)}), RNNRUN_ERR_DTYPE, "limit is int32 but start is int64");
    expect_fail(CASE("Range", 11, {I64("2", 0, 1), I64("", 3), I64("", 1)}), RNNRUN_ERR_SHAPE, "start must be a scalar");
    expect_fail(CASE("Range", 11, {I64("", 0), RT_I64("", 3), I64("", 1)}), RNNRUN_ERR_UNSUPPORTED, "limit must be known");
}
END_TEST

/* ---- Split ----------------------------------------------------------------------------------- */

/* One Split node of x (2,5) with n_out outputs y0..: split sizes as an input (split_in) or an
 * attribute, axis (99: none), num_outputs (0: none). Checks every output, or that the run fails
 * with want_status. */
static void split_case(int opset, const char *split_in, const int64_t *split, int n_split, int n_out, int64_t axis,
                       int64_t num_outputs, int want_status, const char *const *want_shapes, const float *const *want) {
    mb *b = mb_new(8, opset);
    mb_input(b, "x", RNNRUN_FLOAT, "2,5");
    char outs[64] = "";
    for (int i = 0; i < n_out; i++) {
        char nm[8];
        snprintf(nm, sizeof nm, "y%d", i);
        mb_output(b, nm, RNNRUN_FLOAT, NULL);
        strcat(outs, i ? ",y" : "y");
        snprintf(nm, sizeof nm, "%d", i);
        strcat(outs, nm);
    }
    char split_shape[8];
    snprintf(split_shape, sizeof split_shape, "%d", n_split);
    if (split && split_in) mb_init_i64(b, "split", split_shape, split, (size_t)n_split);
    Onnx__NodeProto *n = mb_node(b, "Split", split && split_in ? "x,split" : "x", outs);
    if (split && !split_in) mb_attr_ints(b, n, "split", (size_t)n_split, split);
    if (axis != 99) mb_attr_i(b, n, "axis", axis);
    if (num_outputs) mb_attr_i(b, n, "num_outputs", num_outputs);
    rnnrun_model *m = tu_load(b);
    const float x[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    rnnrun_tensor in = tu_tensor(RNNRUN_FLOAT, "2,5", x);
    if (want_status) {
        tu_run_fails(m, 1, &in, want_status, "(Split");
    } else {
        rnnrun_session *s = tu_run(m, 1, &in);
        for (int i = 0; i < n_out; i++) {
            const float *y = tu_output(s, i, RNNRUN_FLOAT, want_shapes[i]);
            int64_t k = shape_numel(want_shapes[i]);
            tu_close_f32(y, want[i], k, 0, 0);
        }
        rnnrun_session_free(s);
    }
    rnnrun_model_free(m);
    mb_free(b);
}

/* x (2,5) = [[0..4],[5..9]] */
START_TEST(split_forms) {
    /* sizes as an input (13): axis 1 into [2, 3] */
    static const int64_t s23[2] = {2, 3};
    const char *sh23[2] = {"2,2", "2,3"};
    const float a0[4] = {0, 1, 5, 6}, a1[6] = {2, 3, 4, 7, 8, 9};
    const float *w23[2] = {a0, a1};
    split_case(13, "in", s23, 2, 2, 1, 0, 0, sh23, w23);
    /* the same as an attribute (11, negative axis) and at opset 2 */
    split_case(11, NULL, s23, 2, 2, -1, 0, 0, sh23, w23);
    split_case(2, NULL, s23, 2, 2, 1, 0, 0, sh23, w23);
    /* equal parts along axis 0 (default) */
    const char *sh0[2] = {"1,5", "1,5"};
    const float r0[5] = {0, 1, 2, 3, 4}, r1[5] = {5, 6, 7, 8, 9};
    const float *w0[2] = {r0, r1};
    split_case(13, NULL, NULL, 0, 2, 99, 0, 0, sh0, w0);
    /* opset 18 num_outputs: 5 into 3 parts of ceil(5/3) = 2: [2, 2, 1] */
    const char *sh18[3] = {"2,2", "2,2", "2,1"};
    const float b0[4] = {0, 1, 5, 6}, b1[4] = {2, 3, 7, 8}, b2[2] = {4, 9};
    const float *w18[3] = {b0, b1, b2};
    split_case(18, NULL, NULL, 0, 3, 1, 3, 0, sh18, w18);
    /* errors: 5 does not split into 2 equal parts before 18; sizes that do not add up */
    split_case(13, NULL, NULL, 0, 2, 1, 0, RNNRUN_ERR_SHAPE, NULL, NULL);
    static const int64_t s22[2] = {2, 2};
    split_case(13, "in", s22, 2, 2, 1, 0, RNNRUN_ERR_SHAPE, NULL, NULL);
    /* opset 18 needs one of split and num_outputs, and num_outputs must match */
    split_case(18, NULL, NULL, 0, 2, 1, 0, RNNRUN_ERR_MODEL, NULL, NULL);
    split_case(18, NULL, NULL, 0, 2, 1, 3, RNNRUN_ERR_MODEL, NULL, NULL);
    split_case(13, NULL, NULL, 0, 2, 2, 0, RNNRUN_ERR_MODEL, NULL, NULL);
}
END_TEST

/* ---- Expand, Tile, Flatten ------------------------------------------------------------------- */

START_TEST(expand_tile_flatten) {
    /* np.broadcast_to([[1],[2],[3]], (2,3,4)) */
    expect_ok(CASE("Expand", 13, {F32("3,1", 1, 2, 3), K_I64("3", 2, 1, 4)}),
              WF32("2,3,4", 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3));
    /* the target may be smaller than the input: (2,2) with shape (1) stays (2,2) */
    expect_ok(CASE("Expand", 8, {I64("2,2", 1, 2, 3, 4), K_I64("1", 1)}), WI64("2,2", 1, 2, 3, 4));
    expect_fail(CASE("Expand", 13, {F32("3", 1, 2, 3), K_I64("1", 2)}), RNNRUN_ERR_SHAPE, "do not broadcast");
    /* np.tile([[1,2],[3,4]], (2,3)) */
    expect_ok(CASE("Tile", 13, {I64("2,2", 1, 2, 3, 4), K_I64("2", 2, 3)}),
              WI64("4,6", 1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4, 1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4));
    expect_ok(CASE("Tile", 6, {F32("3", 1, 2, 3), K_I64("1", 0)}), WEMPTY(RNNRUN_FLOAT, "0"));
    expect_ok(CASE("Tile", 13, {BOOL("1,2", 1, 0), K_I64("2", 2, 1)}), WBOOL("2,2", 1, 0, 1, 0));
    expect_fail(CASE("Tile", 13, {F32("3", 1, 2, 3), K_I64("2", 1, 1)}), RNNRUN_ERR_SHAPE, "repeats has 2 values");
    expect_fail(CASE("Tile", 13, {F32("3", 1, 2, 3), K_I64("1", -1)}), RNNRUN_ERR_SHAPE, "negative");
    /* Flatten (2,3,2): axis 0 -> (1,12), 2 -> (6,2), -1 (from 11) -> (6,2), default 1 -> (2,6) */
    int64_t f[12];
    iota_i64(f, 12);
#define FX DATA(RNNRUN_INT64, "2,3,2", f, 12)
    expect_ok(CASE("Flatten", 13, {FX}, {AT_I("axis", 0)}), WDATA(RNNRUN_INT64, "1,12", f, 12, 0, 0));
    expect_ok(CASE("Flatten", 9, {FX}, {AT_I("axis", 2)}), WDATA(RNNRUN_INT64, "6,2", f, 12, 0, 0));
    expect_ok(CASE("Flatten", 11, {FX}, {AT_I("axis", -1)}), WDATA(RNNRUN_INT64, "6,2", f, 12, 0, 0));
    expect_ok(CASE("Flatten", 1, {FX}), WDATA(RNNRUN_INT64, "2,6", f, 12, 0, 0));
    expect_ok(CASE("Flatten", 25, {FX}, {AT_I("axis", 3)}), WDATA(RNNRUN_INT64, "12,1", f, 12, 0, 0));
    expect_fail(CASE("Flatten", 9, {FX}, {AT_I("axis", -1)}), RNNRUN_ERR_MODEL, "out of range [0, 3]");
    expect_fail(CASE("Flatten", 13, {FX}, {AT_I("axis", 4)}), RNNRUN_ERR_MODEL, "axis 4 is out of range");
#undef FX
}
END_TEST

/* ---- GatherElements, ScatterElements, ScatterND ---------------------------------------------- */

/* NumPy: np.take_along_axis(d, i, axis) */
START_TEST(gather_and_scatter_elements) {
    expect_ok(CASE("GatherElements", 13, {F32("2,2", 1, 2, 3, 4), I64("2,2", 0, 0, 1, 0)}, {AT_I("axis", 1)}),
              WF32("2,2", 1, 1, 4, 3));
    expect_ok(CASE("GatherElements", 11, {F32("3,3", 1, 2, 3, 4, 5, 6, 7, 8, 9), I32("2,3", 1, 2, 0, 2, 0, -3)}),
              WF32("2,3", 4, 8, 3, 7, 2, 3));
    expect_fail(CASE("GatherElements", 13, {F32("2", 1, 2), I64("1", 2)}), RNNRUN_ERR_VALUE, "index 2 is out of range");
    expect_fail(CASE("GatherElements", 13, {F32("2", 1, 2), I64("1,1", 0)}), RNNRUN_ERR_SHAPE, "same rank");
    expect_fail(CASE("GatherElements", 13, {F32("2", 1, 2), F32("1", 0)}), RNNRUN_ERR_UNSUPPORTED, "indices has dtype float32");
    /* ScatterElements: data zeros(3,3), indices [[1,0,2],[0,2,1]], updates [[1,2,3],[4,5,6]], axis 0:
     * y[idx[i][j]][j] = u[i][j] -> [[4,2,0],[1,0,6],[0,5,3]] */
#define SD F32("3,3", 0, 0, 0, 0, 0, 0, 0, 0, 0)
#define SI I64("2,3", 1, 0, 2, 0, 2, 1)
#define SU F32("2,3", 1, 2, 3, 4, 5, 6)
    expect_ok(CASE("ScatterElements", 13, {SD, SI, SU}), WF32("3,3", 4, 2, 0, 1, 0, 6, 0, 5, 3));
    /* reduction add with repeated indices along axis 1: row 0 gets 1+2 at 0, row 1 gets 3+4 at 1 */
    expect_ok(CASE("ScatterElements", 16, {F32("2,2", 1, 1, 1, 1), I64("2,2", 0, 0, 1, 1), F32("2,2", 1, 2, 3, 4)},
                   {AT_I("axis", 1), AT_S("reduction", "add")}),
              WF32("2,2", 4, 1, 1, 8));
    expect_ok(CASE("ScatterElements", 18, {I32("3", 5, 5, 5), I64("2", 2, -3), I32("2", 9, 1)}, {AT_S("reduction", "min")}),
              WI32("3", 1, 5, 5));
    expect_fail(CASE("ScatterElements", 16, {SD, SI, SU}, {AT_S("reduction", "max")}), RNNRUN_ERR_MODEL,
                "reduction 'max' is not one of none, add, mul");
    expect_fail(CASE("ScatterElements", 13, {SD, SI, F32("3", 1, 2, 3)}), RNNRUN_ERR_SHAPE, "must have the shape of indices");
    expect_fail(CASE("ScatterElements", 13, {SD, I64("1,1", 3), F32("1,1", 1)}), RNNRUN_ERR_VALUE, "index 3 is out of range");
#undef SD
#undef SI
#undef SU
    /* ScatterND: data (2,2), indices [[1,0],[0,1]] write single elements; [[1]] writes a row */
    expect_ok(CASE("ScatterND", 13, {F32("2,2", 1, 2, 3, 4), I64("2,2", 1, 0, 0, 1), F32("2", 9, 8)}), WF32("2,2", 1, 8, 9, 4));
    expect_ok(CASE("ScatterND", 11, {F32("2,2", 1, 2, 3, 4), I64("1,1", -1), F32("1,2", 7, 6)}), WF32("2,2", 1, 2, 7, 6));
    expect_ok(CASE("ScatterND", 16, {I64("3", 1, 2, 3), I64("3,1", 0, 0, 2), I64("3", 5, 5, 5)}, {AT_S("reduction", "mul")}),
              WI64("3", 25, 2, 15));
    expect_ok(CASE("ScatterND", 18, {F32("3", 1, 2, 3), I64("2,1", 0, 2), F32("2", 0, 9)}, {AT_S("reduction", "max")}),
              WF32("3", 1, 2, 9));
    expect_fail(CASE("ScatterND", 13, {F32("2,2", 1, 2, 3, 4), I64("1,3", 0, 0, 0), F32("1", 1)}), RNNRUN_ERR_SHAPE,
                "do not index data");
    expect_fail(CASE("ScatterND", 13, {F32("2,2", 1, 2, 3, 4), I64("1,1", 0), F32("1,3", 1, 2, 3)}), RNNRUN_ERR_SHAPE,
                "do not fit");
    expect_fail(CASE("ScatterND", 13, {F32("2,2", 1, 2, 3, 4), I64("1,1", 2), F32("1,2", 1, 2)}), RNNRUN_ERR_VALUE,
                "index 2 is out of range");
}
END_TEST

/* ---- Dropout --------------------------------------------------------------------------------- */

START_TEST(dropout_inference) {
    expect_ok(CASE("Dropout", 13, {F32("3", 1, -2, 3)}), WF32("3", 1, -2, 3));
    expect_ok(CASE("Dropout", 7, {F32("3", 1, -2, 3)}, {AT_F("ratio", 0.5f)}), WF32("3", 1, -2, 3));
    /* ratio and training_mode false given as inputs; training with ratio 0 is the identity too */
    expect_ok(CASE("Dropout", 12, {F32("2", 1, 2), F32("", 0.3f), BOOL("", 0)}), WF32("2", 1, 2));
    expect_ok(CASE("Dropout", 22, {F32("2", 1, 2), F32("", 0), BOOL("", 1)}), WF32("2", 1, 2));
    expect_fail(CASE("Dropout", 12, {F32("2", 1, 2), F32("", 0.5f), BOOL("", 1)}), RNNRUN_ERR_UNSUPPORTED, "training mode");
    expect_fail(CASE("Dropout", 13, {F32("2", 1, 2), NONE, BOOL("", 1)}), RNNRUN_ERR_UNSUPPORTED, "training mode");
    /* the mask output, all true; the data output is then computed, not a view */
    mb *b = mb_new(8, 13);
    mb_input(b, "x", RNNRUN_FLOAT, "2,2");
    mb_output(b, "y", RNNRUN_FLOAT, NULL);
    mb_output(b, "mask", RNNRUN_BOOL, NULL);
    mb_node(b, "Dropout", "x", "y,mask");
    rnnrun_model *m = tu_load(b);
    const float x[4] = {1, 2, 3, 4};
    const uint8_t ones[4] = {1, 1, 1, 1};
    rnnrun_tensor in = tu_tensor(RNNRUN_FLOAT, "2,2", x);
    rnnrun_session *s = tu_run(m, 1, &in);
    tu_close_f32(tu_output(s, 0, RNNRUN_FLOAT, "2,2"), x, 4, 0, 0);
    tu_equal_bytes(tu_output(s, 1, RNNRUN_BOOL, "2,2"), ones, 4);
    rnnrun_session_free(s);
    rnnrun_model_free(m);
    mb_free(b);
}
END_TEST

/* Versions: every new op loads at its first version and the one before it is refused. */
START_TEST(new_op_versions) {
    expect_load_fail(CASE("Expand", 7, {F32("1", 1), K_I64("1", 1)}), RNNRUN_ERR_UNSUPPORTED, "Expand at opset 7");
    expect_load_fail(CASE("Range", 10, {F32("", 1), F32("", 1), F32("", 1)}), RNNRUN_ERR_UNSUPPORTED, "Range at opset 10");
    expect_load_fail(CASE("Where", 8, {BOOL("1", 1), F32("1", 1), F32("1", 1)}), RNNRUN_ERR_UNSUPPORTED, "Where at opset 8");
    expect_load_fail(CASE("CastLike", 14, {F32("1", 1), F32("1", 1)}), RNNRUN_ERR_UNSUPPORTED, "CastLike at opset 14");
    expect_load_fail(CASE("GatherElements", 10, {F32("1", 1), I64("1", 0)}), RNNRUN_ERR_UNSUPPORTED, "at opset 10");
    expect_load_fail(CASE("Clip", 13, {F32("1", 1), F32("", 0), F32("", 1), F32("", 2)}), RNNRUN_ERR_MODEL, "at most 3");
    expect_load_fail(CASE("Split", 13, {NONE}), RNNRUN_ERR_MODEL, "required input 0");
}
END_TEST


int main(void) {
    const TTest *tests[] = {
        binary_same_shape, binary_scalar_tensor, binary_row_broadcast, binary_column_broadcast,
        binary_nd_broadcast, binary_rank0_and_zero_size, binary_not_broadcastable,
        binary_dtype_mismatch, binary_int32, binary_int64, binary_int8, binary_uint8,
        binary_float_div_by_zero, binary_double, sigmoid_values, tanh_values, relu_float,
        relu_int_opset14, activation_dtypes_refused, gemm_trans_alpha_beta, gemm_c_shapes,
        gemm_c_required_before_11, gemm_shape_errors, gemm_odd_sizes, gemm_zero_size, gemm_double,
        matmul_ranks, matmul_batch_broadcast, matmul_errors, matmul_zero_size, matmul_double,
        constant_forms, constant_refused, identity, gather_axis0, gather_axis1_and_negative_axis,
        gather_2d_indices, gather_scalar_index, gather_negative_and_int32_indices,
        gather_out_of_range, gather_errors, shape_full, shape_start_end, squeeze_axes_attribute,
        squeeze_axes_input, squeeze_errors, unsqueeze_axes_attribute, unsqueeze_axes_input,
        unsqueeze_errors, concat_axes, concat_zero_size_and_int64, concat_errors,
        slice_opset1_attributes, slice_negative_and_clamped, slice_steps,
        slice_axes_omitted_and_negative, slice_empty_results, slice_negative_step_start_below_range,
        slice_errors, transpose_default_perm, transpose_perms, transpose_invalid_perm,
        reshape_zero_and_minus_one, reshape_allowzero, reshape_zero_copies_opset13, reshape_errors,
        reshape_minus_one_zero_size, views_are_zero_copy, views_of_computed_values,
        shape_inputs_computed_from_shapes, shape_inputs_fed_are_pinned, shape_inputs_fed_replan,
        shape_inputs_computed_refused, arity_and_versions, registry_sorted_and_found,
        unary_math, activations_with_parameters, clip_forms, pow_values, variadic_broadcasting,
        compare_and_logic, where_values, reduce_values, argmax_argmin, softmax_both_meanings,
        cast_values, cast_float16, constantofshape_and_range, split_forms, expand_tile_flatten,
        gather_and_scatter_elements, dropout_inference, new_op_versions,
    };
    return tu_main("ops", tests, (int)(sizeof tests / sizeof tests[0]));
}
