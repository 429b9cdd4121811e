/* The planner: shape inference, constant folding of the shape chains exporters emit, views,
 * dead-node pruning, buffer sharing in the arena, limits, and plans pinned to shape inputs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "testutil.h"

/* Plan a loaded model for the given bindings (one per required input, in order). */
static rr_plan *plan_for(const rnnrun_model *m, int n, const rnnrun_tensor *in, rr_err *err) {
    rr_tensor *bound = calloc((size_t)m->n_slots + 1, sizeof *bound);
    bool *is_bound = calloc((size_t)m->n_slots + 1, sizeof *is_bound);
    for (int i = 0; i < n; i++) {
        bound[i].dtype = (int)in[i].dtype;
        bound[i].data = in[i].data;
        ck_assert_int_eq(rr_tensor_set_shape(&bound[i], in[i].rank, in[i].shape, INT64_MAX / 2, err), RNNRUN_OK);
        is_bound[i] = true;
    }
    rr_plan *p = rr_plan_build(m, bound, is_bound, NULL, err);
    free(bound);
    free(is_bound);
    return p;
}

static int value_id(const rnnrun_model *m, const char *name) {
    for (int v = 0; v < m->n_values; v++)
        if (strcmp(m->values[v].name, name) == 0) return v;
    ck_abort_msg("no value %s", name);
    return -1;
}

static void expect_shape(const rr_plan *p, const rnnrun_model *m, const char *name, int dtype, const char *shape) {
    const rr_tensor *t = &p->t[value_id(m, name)];
    rnnrun_tensor want = tu_tensor(dtype, shape, NULL);
    char g[160], w[160];
    rr_shape_str(t->dims, t->rank, g, sizeof g);
    rr_shape_str(want.shape, want.rank, w, sizeof w);
    ck_assert_msg(t->dtype == dtype && strcmp(g, w) == 0, "%s: %s %s, expected %s %s", name, rr_dtype_name(t->dtype),
                  g, rr_dtype_name(dtype), w);
}

/* What torch.onnx.export emits to build a shape from an input's batch size:
 * Shape(x) -> Gather(0) -> Unsqueeze -> Concat([b], [-1]) -> Reshape(x) -> Relu */
static mb *shape_chain_model(void) {
    mb *b = mb_new(8, 13);
    mb_input(b, "x", RNNRUN_FLOAT, "batch,seq,4");
    mb_output(b, "y", RNNRUN_FLOAT, "batch,?");
    static const int64_t zero = 0, axes0[1] = {0}, minus1[1] = {-1};
    mb_init(b, mb_tensor_i64(b, "idx0", "", &zero, 1));
    mb_init_i64(b, "axes0", "1", axes0, 1);
    mb_init_i64(b, "minus1", "1", minus1, 1);
    mb_node(b, "Shape", "x", "shape");
    mb_node(b, "Gather", "shape,idx0", "batch");
    mb_node(b, "Unsqueeze", "batch,axes0", "batch1");
    mb_attr_i(b, mb_node(b, "Concat", "batch1,minus1", "newshape"), "axis", 0);
    mb_node(b, "Reshape", "x,newshape", "flat");
    mb_node(b, "Relu", "flat", "y");
    return b;
}

START_TEST(folds_shape_chains) {
    mb *b = shape_chain_model();
    rnnrun_model *m = tu_load(b);
    float x[2 * 3 * 4];
    for (int i = 0; i < 24; i++) x[i] = (float)(i % 5) - 2;
    rnnrun_tensor t = tu_tensor(RNNRUN_FLOAT, "2,3,4", x);
    rr_err err = {0};
    rr_plan *p = plan_for(m, 1, &t, &err);
    ck_assert_msg(p != NULL, "%s", err.msg);
    /* Shape, Gather, Unsqueeze, Concat are folded; Reshape is a view; only Relu runs */
    ck_assert_int_eq(p->n_folded, 4);
    ck_assert_int_eq(p->n_aliased, 1);
    ck_assert_int_eq(p->n_steps, 1);
    ck_assert_str_eq(p->steps[0].node->op_type, "Relu");
    expect_shape(p, m, "shape", RNNRUN_INT64, "3");
    expect_shape(p, m, "batch", RNNRUN_INT64, "");
    expect_shape(p, m, "newshape", RNNRUN_INT64, "2");
    expect_shape(p, m, "flat", RNNRUN_FLOAT, "2,12");
    const int64_t *ns = p->t[value_id(m, "newshape")].data;
    ck_assert_int_eq(ns[0], 2);
    ck_assert_int_eq(ns[1], -1);
    /* the view shares the input's storage: the arena holds only Relu's output */
    ck_assert_int_eq(p->loc[value_id(m, "flat")], RR_LOC_SLOT);
    ck_assert_uint_eq(p->arena_size, rr_align_up(24 * sizeof(float)));
    rr_plan_free(p);
    /* and it runs, for two batch sizes */
    rnnrun_session *s = tu_run(m, 1, &t);
    float want[24];
    for (int i = 0; i < 24; i++) want[i] = x[i] > 0 ? x[i] : 0;
    tu_close_f32(tu_output(s, 0, RNNRUN_FLOAT, "2,12"), want, 24, 0, 0);
    rnnrun_tensor t1 = tu_tensor(RNNRUN_FLOAT, "1,6,4", x);
    ck_assert_int_eq(rnnrun_session_set_input(s, 0, &t1), RNNRUN_OK);
    ck_assert_int_eq(rnnrun_session_run(s), RNNRUN_OK);
    tu_close_f32(tu_output(s, 0, RNNRUN_FLOAT, "1,24"), want, 24, 0, 0);
    rnnrun_session_free(s);
    rnnrun_model_free(m);
    mb_free(b);
}
END_TEST

START_TEST(infers_shapes) {
    mb *b = mb_new(8, 13);
    mb_input(b, "x", RNNRUN_FLOAT, "b,3,4");
    mb_output(b, "out", RNNRUN_FLOAT, NULL);
    static float w[20], bias[5], c[15];
    mb_init_f(b, "w", "4,5", w, 20);
    mb_init_f(b, "bias", "5", bias, 5);
    mb_init_f(b, "c", "3,5", c, 15);
    static const int64_t perm[3] = {2, 0, 1};
    mb_node(b, "MatMul", "x,w", "mm");          /* (b,3,5) */
    mb_node(b, "Add", "mm,bias", "biased");     /* (b,3,5) */
    mb_node(b, "Mul", "biased,c", "scaled");    /* (b,3,5) */
    mb_attr_ints(b, mb_node(b, "Transpose", "scaled", "tr"), "perm", 3, perm); /* (5,b,3) */
    mb_attr_i(b, mb_node(b, "Concat", "tr,tr", "cat"), "axis", -1);           /* (5,b,6) */
    mb_node(b, "Tanh", "cat", "out");
    rnnrun_model *m = tu_load(b);
    float x[7 * 12] = {0};
    rnnrun_tensor t = tu_tensor(RNNRUN_FLOAT, "7,3,4", x);
    rr_err err = {0};
    rr_plan *p = plan_for(m, 1, &t, &err);
    ck_assert_msg(p != NULL, "%s", err.msg);
    expect_shape(p, m, "mm", RNNRUN_FLOAT, "7,3,5");
    expect_shape(p, m, "biased", RNNRUN_FLOAT, "7,3,5");
    expect_shape(p, m, "scaled", RNNRUN_FLOAT, "7,3,5");
    expect_shape(p, m, "tr", RNNRUN_FLOAT, "5,7,3");
    expect_shape(p, m, "cat", RNNRUN_FLOAT, "5,7,6");
    expect_shape(p, m, "out", RNNRUN_FLOAT, "5,7,6");
    ck_assert_int_eq(p->n_steps, 6);
    ck_assert_int_eq(p->n_folded, 0);
    rr_plan_free(p);
    rnnrun_model_free(m);
    mb_free(b);
}
END_TEST

/* A chain of n elementwise ops needs two buffers, not n; outputs are never overwritten. */
START_TEST(arena_reuses_buffers) {
    enum { N = 12, LEN = 1000 };
    mb *b = mb_new(8, 13);
    mb_input(b, "x", RNNRUN_FLOAT, "1000");
    char in[16] = "x", out[16];
    for (int i = 0; i < N; i++) {
        snprintf(out, sizeof out, "v%d", i);
        mb_node(b, i % 2 ? "Tanh" : "Relu", in, out);
        memcpy(in, out, sizeof in);
    }
    mb_output(b, "v3", RNNRUN_FLOAT, "1000"); /* an early intermediate is also an output */
    mb_output(b, in, RNNRUN_FLOAT, "1000");
    rnnrun_model *m = tu_load(b);
    float x[LEN];
    for (int i = 0; i < LEN; i++) x[i] = (float)(i - 500) / 100.0f;
    rnnrun_tensor t = tu_tensor(RNNRUN_FLOAT, "1000", x);
    rr_err err = {0};
    rr_plan *p = plan_for(m, 1, &t, &err);
    ck_assert_msg(p != NULL, "%s", err.msg);
    ck_assert_int_eq(p->n_steps, N);
    size_t buf = 4000; /* a multiple of 64 after alignment: 4032 */
    ck_assert_uint_le(p->arena_size, 4 * rr_align_up(buf));
    ck_assert_uint_ge(p->arena_size, 3 * rr_align_up(buf));
    /* no two values alive at once share bytes: v3 (an output) is distinct from all later ones */
    size_t o3 = p->offset[value_id(m, "v3")];
    for (int i = 4; i < N; i++) {
        char name[16];
        snprintf(name, sizeof name, "v%d", i);
        size_t oi = p->offset[value_id(m, name)];
        ck_assert_msg(oi + buf <= o3 || o3 + buf <= oi, "v%d overlaps the output v3", i);
    }
    rr_plan_free(p);
    rnnrun_session *s = tu_run(m, 1, &t);
    float v3[LEN], vl[LEN];
    for (int i = 0; i < LEN; i++) {
        float v = x[i];
        for (int k = 0; k < N; k++) {
            v = k % 2 ? tanhf(v) : (v > 0 ? v : 0);
            if (k == 3) v3[i] = v;
        }
        vl[i] = v;
    }
    tu_close_f32(tu_output(s, 0, RNNRUN_FLOAT, "1000"), v3, LEN, 1e-7, 0);
    tu_close_f32(tu_output(s, 1, RNNRUN_FLOAT, "1000"), vl, LEN, 1e-7, 0);
    rnnrun_session_free(s);
    rnnrun_model_free(m);
    mb_free(b);
}
END_TEST

/* Nodes that no output needs are not planned. */
START_TEST(prunes_dead_nodes) {
    mb *b = mb_new(8, 13);
    mb_input(b, "x", RNNRUN_FLOAT, "2");
    mb_output(b, "y", RNNRUN_FLOAT, "2");
    mb_node(b, "Relu", "x", "y");
    mb_node(b, "Tanh", "x", "unused1");
    mb_node(b, "Sigmoid", "unused1", "unused2");
    rnnrun_model *m = tu_load(b);
    float x[2] = {1, -1};
    rnnrun_tensor t = tu_tensor(RNNRUN_FLOAT, "2", x);
    rr_err err = {0};
    rr_plan *p = plan_for(m, 1, &t, &err);
    ck_assert_int_eq(p->n_steps, 1);
    ck_assert_int_eq(p->loc[value_id(m, "unused2")], RR_LOC_NONE);
    rr_plan_free(p);
    rnnrun_model_free(m);
    mb_free(b);
}
END_TEST

/* Whole constant subgraphs fold, including float math; views of inputs need no copy. */
START_TEST(folds_constant_math_and_views) {
    mb *b = mb_new(8, 13);
    mb_input(b, "x", RNNRUN_FLOAT, "2,2");
    mb_output(b, "y", RNNRUN_FLOAT, "2,2");
    mb_output(b, "view", RNNRUN_FLOAT, "4");
    static const float w[4] = {1, 2, 3, 4}, eye[4] = {1, 0, 0, 1};
    static const int64_t flat[1] = {4};
    mb_init_f(b, "w", "2,2", w, 4);
    mb_init_f(b, "eye", "2,2", eye, 4);
    mb_init_i64(b, "flat", "1", flat, 1);
    mb_node(b, "Gemm", "w,eye,w", "w2");   /* 2*w, folded */
    mb_node(b, "Tanh", "w2", "tw");        /* folded */
    mb_node(b, "Add", "x,tw", "y");        /* runs */
    mb_node(b, "Reshape", "x,flat", "view");
    rnnrun_model *m = tu_load(b);
    float x[4] = {0.5f, 0, 0, -0.5f};
    rnnrun_tensor t = tu_tensor(RNNRUN_FLOAT, "2,2", x);
    rr_err err = {0};
    rr_plan *p = plan_for(m, 1, &t, &err);
    ck_assert_int_eq(p->n_folded, 2);
    ck_assert_int_eq(p->n_steps, 1);
    ck_assert_int_eq(p->n_aliased, 1);
    rr_plan_free(p);
    rnnrun_session *s = tu_run(m, 1, &t);
    float want[4];
    for (int i = 0; i < 4; i++) want[i] = x[i] + tanhf(2 * w[i]);
    tu_close_f32(tu_output(s, 0, RNNRUN_FLOAT, "2,2"), want, 4, 1e-7, 0);
    ck_assert_ptr_eq(tu_output(s, 1, RNNRUN_FLOAT, "4"), x); /* a view of the caller's input */
    rnnrun_session_free(s);
    rnnrun_model_free(m);
    mb_free(b);
}
END_TEST

/* A shape given as a graph input is pinned: same values reuse the plan, others replan. */

START_TEST(pins_shape_inputs) {
    mb *b = mb_new(8, 14);
    mb_input(b, "x", RNNRUN_FLOAT, "6");
    mb_input(b, "shape", RNNRUN_INT64, "2");
    mb_output(b, "y", RNNRUN_FLOAT, NULL);
    mb_node(b, "Reshape", "x,shape", "y");
    rnnrun_model *m = tu_load(b);
    tu_counter c = {0, 0};
    rr_allocator a = tu_counting_allocator(&c);
    rnnrun_session *s;
    ck_assert_int_eq(rr_session_new_with(m, &a, &s), RNNRUN_OK);
    float x[6] = {1, 2, 3, 4, 5, 6};
    int64_t shape[2] = {2, 3};
    rnnrun_tensor tx = tu_tensor(RNNRUN_FLOAT, "6", x), ts = tu_tensor(RNNRUN_INT64, "2", shape);
    ck_assert_int_eq(rnnrun_session_set_input(s, 0, &tx), RNNRUN_OK);
    ck_assert_int_eq(rnnrun_session_set_input(s, 1, &ts), RNNRUN_OK);
    ck_assert_int_eq(rnnrun_session_run(s), RNNRUN_OK);
    tu_close_f32(tu_output(s, 0, RNNRUN_FLOAT, "2,3"), x, 6, 0, 0);
    long n = c.allocs;
    ck_assert_int_eq(rnnrun_session_run(s), RNNRUN_OK);
    ck_assert_int_eq(c.allocs, n); /* same values: cached plan */
    shape[0] = 3;
    shape[1] = -1;
    ck_assert_int_eq(rnnrun_session_run(s), RNNRUN_OK);
    ck_assert_int_gt(c.allocs, n); /* new values: new plan */
    tu_close_f32(tu_output(s, 0, RNNRUN_FLOAT, "3,2"), x, 6, 0, 0);
    shape[1] = 4;
    ck_assert_int_eq(rnnrun_session_run(s), RNNRUN_ERR_SHAPE);
    ck_assert_msg(strstr(rnnrun_session_errmsg(s), "cannot reshape (6,) (6 elements) into (3, 4)") != NULL, "%s",
                  rnnrun_session_errmsg(s));
    rnnrun_session_free(s);
    rnnrun_model_free(m);
    mb_free(b);
}
END_TEST

/* Shapes whose size overflows or exceeds the tensor limit fail at plan time, cleanly. */
START_TEST(size_limits) {
    mb *b = mb_new(8, 13);
    mb_input(b, "a", RNNRUN_FLOAT, "n,1");
    mb_input(b, "b", RNNRUN_FLOAT, "1,n");
    mb_output(b, "y", RNNRUN_FLOAT, "n,n");
    mb_node(b, "MatMul", "a,b", "y");
    rnnrun_model *m = tu_load(b);
    float *big = calloc(100000, sizeof(float));
    rnnrun_tensor in[2] = {tu_tensor(RNNRUN_FLOAT, "100000,1", big), tu_tensor(RNNRUN_FLOAT, "1,100000", big)};
    tu_run_fails(m, 2, in, RNNRUN_ERR_LIMIT, "exceeds the limit");
    free(big);
    rnnrun_model_free(m);
    mb_free(b);
    /* Unsqueeze past rank 8 */
    b = mb_new(8, 13);
    mb_input(b, "x", RNNRUN_FLOAT, "1,1,1,1,1,1,1,1");
    mb_output(b, "y", RNNRUN_FLOAT, NULL);
    static const int64_t ax[1] = {0};
    mb_init_i64(b, "ax", "1", ax, 1);
    mb_node(b, "Unsqueeze", "x,ax", "y");
    m = tu_load(b);
    float one = 1;
    rnnrun_tensor t = tu_tensor(RNNRUN_FLOAT, "1,1,1,1,1,1,1,1", &one);
    tu_run_fails(m, 1, &t, RNNRUN_ERR_LIMIT, "rank 9");
    rnnrun_model_free(m);
    mb_free(b);
}
END_TEST

/* The plumbing torch.onnx.export wraps around a recurrent layer, for any batch and sequence length:
 * the initial state h0 = ConstantOfShape(Concat([1], Unsqueeze(Gather(Shape(x), 0)), [4])) and a
 * per-step scale Cast(Range(0, Gather(Shape(x), 1), 1)) (unsqueezed to (1, seq, 1)). All of it
 * folds when the plan is built; only z = x * scale runs. */
START_TEST(folds_exporter_plumbing) {
    mb *b = mb_new(8, 13);
    mb_input(b, "x", RNNRUN_FLOAT, "batch,seq,3");
    mb_output(b, "h0", RNNRUN_FLOAT, "1,batch,4");
    mb_output(b, "z", RNNRUN_FLOAT, NULL);
    static const int64_t zero = 0, one = 1, axes0[1] = {0}, axes02[2] = {0, 2}, k1[1] = {1}, k4[1] = {4};
    mb_init(b, mb_tensor_i64(b, "i0", "", &zero, 1));
    mb_init(b, mb_tensor_i64(b, "i1", "", &one, 1));
    mb_init_i64(b, "axes0", "1", axes0, 1);
    mb_init_i64(b, "axes02", "2", axes02, 2);
    mb_init_i64(b, "k1", "1", k1, 1);
    mb_init_i64(b, "k4", "1", k4, 1);
    mb_node(b, "Shape", "x", "shape");
    mb_node(b, "Gather", "shape,i0", "batch");
    mb_node(b, "Unsqueeze", "batch,axes0", "batch1");
    mb_attr_i(b, mb_node(b, "Concat", "k1,batch1,k4", "hshape"), "axis", 0);
    mb_node(b, "ConstantOfShape", "hshape", "h0");
    mb_node(b, "Gather", "shape,i1", "seq");
    mb_node(b, "Range", "i0,seq,i1", "steps");
    mb_attr_i(b, mb_node(b, "Cast", "steps", "stepsf"), "to", RNNRUN_FLOAT);
    mb_node(b, "Unsqueeze", "stepsf,axes02", "scale");
    mb_node(b, "Mul", "x,scale", "z");
    rnnrun_model *m = tu_load(b);
    for (int batch = 2; batch <= 3; batch++) {
        float x[3 * 4 * 3], want[3 * 4 * 3];
        for (int i = 0; i < batch * 4 * 3; i++) {
            x[i] = (float)(i % 7) - 3;
            want[i] = x[i] * (float)((i / 3) % 4); /* scaled by the step index t of x[b, t, :] */
        }
        char shape[16], hshape[16];
        snprintf(shape, sizeof shape, "%d,4,3", batch);
        snprintf(hshape, sizeof hshape, "1,%d,4", batch);
        rnnrun_tensor t = tu_tensor(RNNRUN_FLOAT, shape, x);
        rr_err err = {0};
        rr_plan *p = plan_for(m, 1, &t, &err);
        ck_assert_msg(p != NULL, "%s", err.msg);
        ck_assert_int_eq(p->n_steps, 1);
        ck_assert_str_eq(p->steps[0].node->op_type, "Mul");
        ck_assert_int_eq(p->n_folded, 9);
        expect_shape(p, m, "steps", RNNRUN_INT64, "4");
        rr_plan_free(p);
        rnnrun_session *s = tu_run(m, 1, &t);
        const float zeros[12] = {0};
        tu_close_f32(tu_output(s, 0, RNNRUN_FLOAT, hshape), zeros, batch * 4, 0, 0);
        tu_close_f32(tu_output(s, 1, RNNRUN_FLOAT, shape), want, batch * 12, 0, 0);
        rnnrun_session_free(s);
    }
    rnnrun_model_free(m);
    mb_free(b);
}
END_TEST

int main(void) {
    const TTest *tests[] = {
        folds_shape_chains, infers_shapes, arena_reuses_buffers, prunes_dead_nodes,
        folds_constant_math_and_views, pins_shape_inputs, size_limits, folds_exporter_plumbing,
    };
    return tu_main("plan", tests, (int)(sizeof tests / sizeof tests[0]));
}
