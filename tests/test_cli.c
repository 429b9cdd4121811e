/* The rnnrun command line: usage, --info, binding by position and by name, -o, and for every
 * error a non-zero exit with exactly one line on stderr naming what went wrong. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "npy.h"
#include "testutil.h"

static const char *cli(void) {
    const char *e = getenv("RNNRUN_CLI");
    ck_assert_msg(e && e[0], "RNNRUN_CLI is not set");
    return e;
}

static char *loop_model(void) {
    char *p = malloc(4200);
    snprintf(p, 4200, "%s/models/loop_tanh/model.onnx", tu_source_root());
    return p;
}

static char *loop_input(void) {
    char *p = malloc(4200);
    snprintf(p, 4200, "%s/models/loop_tanh/input_0.npy", tu_source_root());
    return p;
}

/* Run the CLI; out/err are returned (caller frees). */
static int run(const char *a1, const char *a2, const char *a3, const char *a4, const char *a5, char **out,
               char **err) {
    const char *argv[] = {cli(), a1, a2, a3, a4, a5, NULL};
    return tu_exec(argv, out, err);
}

static int count_lines(const char *s) {
    int n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

/* an error: exit 1 (or 2 for usage), one line on stderr containing each fragment, nothing on stdout */
static void expect_error(int rc, int want_rc, char *out, char *err, const char *frag1, const char *frag2) {
    ck_assert_msg(rc == want_rc, "exit %d, expected %d; stderr: %s", rc, want_rc, err);
    ck_assert_msg(count_lines(err) == 1, "stderr should be one line: '%s'", err);
    ck_assert_msg(strncmp(err, "rnnrun: ", 8) == 0, "stderr: %s", err);
    if (frag1) ck_assert_msg(strstr(err, frag1) != NULL, "stderr '%s' lacks '%s'", err, frag1);
    if (frag2) ck_assert_msg(strstr(err, frag2) != NULL, "stderr '%s' lacks '%s'", err, frag2);
    ck_assert_str_eq(out, "");
    free(out);
    free(err);
}

static void write_npy(const char *path, int dtype, const char *shape, const void *data) {
    rnnrun_tensor t = tu_tensor(dtype, shape, data);
    rr_tensor w = {.dtype = dtype, .data = (void *)data};
    rr_err e = {0};
    ck_assert_int_eq(rr_tensor_set_shape(&w, t.rank, t.shape, INT64_MAX / 2, &e), RNNRUN_OK);
    ck_assert_msg(rr_npy_write(path, &w, &e) == RNNRUN_OK, "%s", e.msg);
}

START_TEST(help_and_version) {
    char *out, *err;
    ck_assert_int_eq(run("--help", NULL, NULL, NULL, NULL, &out, &err), 0);
    ck_assert_msg(strstr(out, "usage: rnnrun MODEL.onnx") != NULL, "%s", out);
    ck_assert_msg(strstr(out, "-o DIR") != NULL, "%s", out);
    ck_assert_str_eq(err, "");
    free(out);
    free(err);
    ck_assert_int_eq(run("-h", NULL, NULL, NULL, NULL, &out, &err), 0);
    free(out);
    free(err);
    ck_assert_int_eq(run("--version", NULL, NULL, NULL, NULL, &out, &err), 0);
    ck_assert_str_eq(out, "rnnrun " RNNRUN_VERSION "\n");
    free(out);
    free(err);
}
END_TEST

START_TEST(usage_errors) {
    char *out, *err;
    int rc = run(NULL, NULL, NULL, NULL, NULL, &out, &err);
    expect_error(rc, 2, out, err, "no model given", "--help");
    rc = run("--frobnicate", NULL, NULL, NULL, NULL, &out, &err);
    expect_error(rc, 2, out, err, "unknown option --frobnicate", NULL);
    char *model = loop_model();
    rc = run(model, "-o", NULL, NULL, NULL, &out, &err);
    expect_error(rc, 2, out, err, "-o needs a folder", NULL);
    char *in = loop_input();
    rc = run("--info", model, in, NULL, NULL, &out, &err);
    expect_error(rc, 2, out, err, "--info takes only a model", NULL);
    free(in);
    free(model);
}
END_TEST

START_TEST(info) {
    char *model = loop_model();
    char *out, *err;
    ck_assert_int_eq(run("--info", model, NULL, NULL, NULL, &out, &err), 0);
    const char *want[] = {"ir_version: 7", "producer: pytorch", "opsets: ai.onnx 13\n", "inputs:",
                          "0 x: float32 (batch, 6, 16)", "outputs:", "0 y: float32 (batch, 5)",
                          "initializers: 4 (225 values)", "nodes: 33", "Gemm                 7",
                          "Gather               6", "Tanh                 6", "Sigmoid              1"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_msg(strstr(out, want[i]) != NULL, "--info lacks '%s':\n%s", want[i], out);
    ck_assert_str_eq(err, "");
    free(out);
    free(err);
    free(model);
}
END_TEST

START_TEST(prints_outputs) {
    char *model = loop_model(), *in = loop_input();
    char *out, *err;
    ck_assert_int_eq(run(model, in, NULL, NULL, NULL, &out, &err), 0);
    ck_assert_msg(strncmp(out, "y: float32 (8, 5)\n  [", 21) == 0, "%s", out);
    ck_assert_msg(strstr(out, "(first 8 of 40)") != NULL, "%s", out);
    /* the first value printed is PyTorch's, to 7 digits */
    char exp_path[4200];
    snprintf(exp_path, sizeof exp_path, "%s/models/loop_tanh/expected_0.npy", tu_source_root());
    rr_tensor e;
    rr_err er = {0};
    ck_assert_int_eq(rr_npy_read(exp_path, &e, &er), RNNRUN_OK);
    float first = strtof(out + 21, NULL);
    ck_assert_float_eq_tol(first, ((float *)e.data)[0], 1e-5);
    free(e.data);
    ck_assert_str_eq(err, "");
    free(out);
    free(err);
    free(model);
    free(in);
}
END_TEST

START_TEST(writes_outputs) {
    char *model = loop_model(), *in = loop_input();
    char *dir = tu_tmpdir();
    char outdir[4200], file[4300];
    snprintf(outdir, sizeof outdir, "%s/a/b", dir); /* created with its parents */
    char *out, *err;
    ck_assert_int_eq(run(model, in, "-o", outdir, NULL, &out, &err), 0);
    snprintf(file, sizeof file, "%s/output_0.npy", outdir);
    ck_assert_msg(strstr(out, file) != NULL, "%s", out);
    free(out);
    free(err);
    rr_tensor got, want;
    rr_err e = {0};
    ck_assert_int_eq(rr_npy_read(file, &got, &e), RNNRUN_OK);
    char exp_path[4200];
    snprintf(exp_path, sizeof exp_path, "%s/models/loop_tanh/expected_0.npy", tu_source_root());
    ck_assert_int_eq(rr_npy_read(exp_path, &want, &e), RNNRUN_OK);
    ck_assert(rr_shape_eq(&got, &want));
    tu_close_f32(got.data, want.data, want.numel, 1e-5, 0);
    free(got.data);
    free(want.data);
    /* the -o folder may come first, and the input may be bound by name */
    char named[4300];
    snprintf(named, sizeof named, "x=%s", in);
    ck_assert_int_eq(run("-o", outdir, model, named, NULL, &out, &err), 0);
    free(out);
    free(err);
    /* -o naming a file that exists is an error */
    int rc = run(model, in, "-o", file, NULL, &out, &err);
    expect_error(rc, 1, out, err, "cannot create", file);
    tu_rmtree(dir);
    free(dir);
    free(model);
    free(in);
}
END_TEST

START_TEST(input_errors) {
    char *model = loop_model(), *in = loop_input();
    char *dir = tu_tmpdir();
    char path[4200];
    char *out, *err;
    /* wrong count */
    int rc = run(model, NULL, NULL, NULL, NULL, &out, &err);
    expect_error(rc, 1, out, err, "expects 1 input (x), 0 given", NULL);
    rc = run(model, in, in, NULL, NULL, &out, &err);
    expect_error(rc, 1, out, err, "expects 1 input (x), 2 given", NULL);
    /* wrong shape: names the input, the expected and the given shape */
    static float f[8 * 5 * 16];
    snprintf(path, sizeof path, "%s/short.npy", dir);
    write_npy(path, RNNRUN_FLOAT, "8,5,16", f);
    rc = run(model, path, NULL, NULL, NULL, &out, &err);
    expect_error(rc, 1, out, err, "input 'x': expected shape (batch, 6, 16), got (8, 5, 16)", "short.npy");
    /* wrong dtype */
    static int64_t l[8 * 6 * 16];
    snprintf(path, sizeof path, "%s/long.npy", dir);
    write_npy(path, RNNRUN_INT64, "8,6,16", l);
    rc = run(model, path, NULL, NULL, NULL, &out, &err);
    expect_error(rc, 1, out, err, "input 'x': expected dtype float32, got int64", NULL);
    /* not a .npy file; a missing file */
    snprintf(path, sizeof path, "%s/bad.npy", dir);
    FILE *fp = fopen(path, "wb");
    fputs("hello", fp);
    fclose(fp);
    rc = run(model, path, NULL, NULL, NULL, &out, &err);
    expect_error(rc, 1, out, err, "bad.npy: not a .npy file", NULL);
    snprintf(path, sizeof path, "%s/missing.npy", dir);
    rc = run(model, path, NULL, NULL, NULL, &out, &err);
    expect_error(rc, 1, out, err, "missing.npy: cannot open", NULL);
    /* an unknown input name; the same input twice */
    char named[4300];
    snprintf(named, sizeof named, "nope=%s", in);
    rc = run(model, named, NULL, NULL, NULL, &out, &err);
    expect_error(rc, 1, out, err, "has no input named 'nope' (inputs: x)", NULL);
    snprintf(named, sizeof named, "x=%s", in);
    rc = run(model, named, named, NULL, NULL, &out, &err);
    expect_error(rc, 1, out, err, "input 'x' is given twice", NULL);
    tu_rmtree(dir);
    free(dir);
    free(model);
    free(in);
}
END_TEST

START_TEST(model_errors) {
    char *dir = tu_tmpdir();
    char path[4200], npy[4200];
    char *out, *err;
    /* missing model, garbage model */
    snprintf(path, sizeof path, "%s/none.onnx", dir);
    int rc = run(path, NULL, NULL, NULL, NULL, &out, &err);
    expect_error(rc, 1, out, err, path, "cannot open");
    snprintf(path, sizeof path, "%s/junk.onnx", dir);
    FILE *fp = fopen(path, "wb");
    fputs("\xff\xff\xff\xff junk", fp);
    fclose(fp);
    rc = run(path, NULL, NULL, NULL, NULL, &out, &err);
    expect_error(rc, 1, out, err, "junk.onnx: not an ONNX model", NULL);
    rc = run("--info", path, NULL, NULL, NULL, &out, &err);
    expect_error(rc, 1, out, err, "junk.onnx: not an ONNX model", NULL);
    /* an unsupported op: names the file, node and op */
    mb *b = mb_new(8, 13);
    mb_input(b, "x", RNNRUN_FLOAT, "2");
    mb_output(b, "y", RNNRUN_FLOAT, "2");
    mb_node_name(b, mb_node(b, "Hardmax", "x", "y"), "hm");
    snprintf(path, sizeof path, "%s/hardmax.onnx", dir);
    ck_assert_int_eq(mb_write(b, path), 0);
    mb_free(b);
    rc = run(path, NULL, NULL, NULL, NULL, &out, &err);
    expect_error(rc, 1, out, err, "hardmax.onnx: node 'hm' (Hardmax): op Hardmax", NULL);
    /* a failure at run time: a Gather index out of range */
    b = mb_new(8, 13);
    mb_input(b, "x", RNNRUN_FLOAT, "3");
    mb_input(b, "i", RNNRUN_INT64, "1");
    mb_output(b, "y", RNNRUN_FLOAT, "1");
    mb_node_name(b, mb_node(b, "Gather", "x,i", "y"), "pick");
    snprintf(path, sizeof path, "%s/gather.onnx", dir);
    ck_assert_int_eq(mb_write(b, path), 0);
    mb_free(b);
    static const float x[3] = {1, 2, 3};
    static const int64_t idx[1] = {7};
    char xp[4300];
    snprintf(xp, sizeof xp, "%s/x.npy", dir);
    write_npy(xp, RNNRUN_FLOAT, "3", x);
    snprintf(npy, sizeof npy, "%s/i.npy", dir);
    write_npy(npy, RNNRUN_INT64, "1", idx);
    rc = run(path, xp, npy, NULL, NULL, &out, &err);
    expect_error(rc, 1, out, err, "gather.onnx: node 'pick' (Gather): index 7 is out of range", NULL);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(info_lists_every_opset_import) {
    char *dir = tu_tmpdir();
    char path[4200];
    snprintf(path, sizeof path, "%s/m.onnx", dir);
    mb *b = mb_new(8, 14);
    mb_opset_import(b, "ai.onnx.ml", 3);
    mb_input(b, "x", RNNRUN_FLOAT, "n,?");
    mb_output(b, "y", RNNRUN_FLOAT, NULL);
    mb_node(b, "Relu", "x", "y");
    ck_assert_int_eq(mb_write(b, path), 0);
    mb_free(b);
    char *out, *err;
    ck_assert_int_eq(run("--info", path, NULL, NULL, NULL, &out, &err), 0);
    ck_assert_msg(strstr(out, "opsets: ai.onnx 14, ai.onnx.ml 3\n") != NULL, "%s", out);
    ck_assert_msg(strstr(out, "0 x: float32 (n, ?)\n") != NULL, "%s", out);
    ck_assert_msg(strstr(out, "0 y: float32 (unknown rank)\n") != NULL, "%s", out);
    free(out);
    free(err);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* README's op table is the dispatch table: it cannot drift. */
START_TEST(readme_lists_the_ops) {
    char *out, *err;
    ck_assert_int_eq(run("--ops", NULL, NULL, NULL, NULL, &out, &err), 0);
    ck_assert_msg(strstr(out, "| Gemm | 7, 9, 11, 13 | 7-27 |\n") != NULL, "%s", out);
    char path[4200];
    snprintf(path, sizeof path, "%s/README.md", tu_source_root());
    char *readme = tu_read_text(path);
    ck_assert_ptr_nonnull(readme);
    const char *begin = strstr(readme, "<!-- ops:begin -->\n"), *end = strstr(readme, "<!-- ops:end -->");
    ck_assert_msg(begin && end && end > begin, "README.md lacks the ops:begin/ops:end markers");
    begin += strlen("<!-- ops:begin -->\n");
    ck_assert_msg((size_t)(end - begin) == strlen(out) && strncmp(begin, out, strlen(out)) == 0,
                  "README.md's op table differs from `rnnrun --ops`: regenerate it with tools/update_readme_ops.sh");
    free(readme);
    free(out);
    free(err);
}
END_TEST

/* --dump writes every value the graph computes, intermediates included (also those of a node no
 * output needs, and those the arena would otherwise reuse), under safe file names.
 *   mul/out = x * w; mul_out = Identity(mul/out); r = Relu(mul/out); view = Reshape(r, (3, 2));
 *   s = Shape(x) (folded); dead = Neg(x) (no output needs it); y = ReduceSum(view, axes=[1]) */
START_TEST(dump_intermediates) {
    char *dir = tu_tmpdir(), model[4200], xin[4200], dump[4200];
    snprintf(model, sizeof model, "%s/m.onnx", dir);
    snprintf(xin, sizeof xin, "%s/x.npy", dir);
    snprintf(dump, sizeof dump, "%s/dump/sub", dir);
    mb *b = mb_new(8, 13);
    mb_input(b, "x", RNNRUN_FLOAT, "2,3");
    mb_output(b, "y", RNNRUN_FLOAT, NULL);
    const float w[6] = {1, 2, 3, 4, 5, 6}, x[6] = {-1, 2, -3, 4, -5, 6};
    const int64_t shape[2] = {3, 2}, axes[1] = {1};
    mb_init_f(b, "w", "2,3", w, 6);
    mb_init_i64(b, "shape", "2", shape, 2);
    mb_init_i64(b, "axes", "1", axes, 1);
    mb_node(b, "Mul", "x,w", "mul/out");
    mb_node(b, "Identity", "mul/out", "mul_out");
    mb_node(b, "Relu", "mul/out", "r");
    mb_node(b, "Reshape", "r,shape", "view");
    mb_node(b, "Shape", "x", "s");
    mb_node(b, "Neg", "x", "dead");
    Onnx__NodeProto *n = mb_node(b, "ReduceSum", "view,axes", "y");
    mb_attr_i(b, n, "keepdims", 0);
    ck_assert_int_eq(mb_write(b, model), 0);
    mb_free(b);
    write_npy(xin, RNNRUN_FLOAT, "2,3", x);
    char *out, *err;
    int rc = run("--dump", dump, model, xin, NULL, &out, &err);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    ck_assert_msg(strstr(out, "mul/out: float32 (2, 3) -> ") != NULL, "%s", out);
    ck_assert_msg(strstr(out, "y: float32 (3,)\n  [4, 16, 36]\n") != NULL, "outputs are still printed: %s", out);
    static const struct {
        const char *file;
        int dtype;
        const char *shape;
        float f[6];
        int64_t i[2];
    } want[] = {
        {"mul_out", RNNRUN_FLOAT, "2,3", {-1, 4, -9, 16, -25, 36}, {0}},
        {"mul_out~2", RNNRUN_FLOAT, "2,3", {-1, 4, -9, 16, -25, 36}, {0}},
        {"r", RNNRUN_FLOAT, "2,3", {0, 4, 0, 16, 0, 36}, {0}},
        {"view", RNNRUN_FLOAT, "3,2", {0, 4, 0, 16, 0, 36}, {0}},
        {"dead", RNNRUN_FLOAT, "2,3", {1, -2, 3, -4, 5, -6}, {0}},
        {"y", RNNRUN_FLOAT, "3", {4, 16, 36}, {0}},
        {"s", RNNRUN_INT64, "2", {0}, {2, 3}},
    };
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        char path[4400];
        snprintf(path, sizeof path, "%s/%s.npy", dump, want[k].file);
        rr_tensor t;
        rr_err e = {0};
        ck_assert_msg(rr_npy_read(path, &t, &e) == RNNRUN_OK, "%s: %s", path, e.msg);
        rnnrun_tensor shp = tu_tensor(want[k].dtype, want[k].shape, NULL);
        ck_assert_int_eq(t.dtype, want[k].dtype);
        ck_assert_int_eq(t.rank, shp.rank);
        for (int d = 0; d < t.rank; d++) ck_assert_int_eq(t.dims[d], shp.shape[d]);
        if (t.dtype == RNNRUN_FLOAT) tu_close_f32(t.data, want[k].f, t.numel, 0, 0);
        else tu_equal_i64(t.data, want[k].i, t.numel);
        free(t.data);
    }
    /* the input itself is not a computed value, and nothing else was written */
    char path[4400];
    snprintf(path, sizeof path, "%s/x.npy", dump);
    ck_assert_int_ne(access(path, F_OK), 0);
    ck_assert_int_eq(count_lines(out), 7 + 2); /* 7 dumped, then y's name line and its values */
    free(out);
    free(err);
    /* a usage error: --dump without a folder */
    rc = run(model, xin, "--dump", NULL, NULL, &out, &err);
    expect_error(rc, 2, out, err, "--dump needs a folder", NULL);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* --threads and --max-bytes: the session options. The input is 8*6*16 float32 = 3072 bytes. */
START_TEST(session_options) {
    char *model = loop_model(), *in = loop_input();
    char *out, *err;
    ck_assert_int_eq(run(model, in, "--max-bytes", "3072", "--threads", &out, &err), 2);
    ck_assert_msg(strstr(err, "--threads needs a thread count from 0 to 256") != NULL, "%s", err);
    free(out);
    free(err);
    const char *argv[] = {cli(), model, in, "--max-bytes", "3072", "--threads", "4", NULL};
    ck_assert_int_eq(tu_exec(argv, &out, &err), 0);
    ck_assert_msg(strncmp(out, "y: float32 (8, 5)\n  [", 21) == 0, "%s", out);
    ck_assert_str_eq(err, "");
    free(out);
    free(err);
    int rc = run(model, in, "--max-bytes", "3071", NULL, &out, &err);
    expect_error(rc, 1, out, err, "input 'x'", "exceeds the limit of 3071 bytes");
    const char *bad[][2] = {{"--threads", "257"}, {"--threads", "-1"}, {"--threads", "two"}, {"--threads", "4x"},
                            {"--max-bytes", "0"}, {"--max-bytes", "-5"}, {"--max-bytes", "1e9"},
                            {"--max-bytes", "99999999999999999999"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rc = run(model, in, bad[i][0], bad[i][1], NULL, &out, &err);
        expect_error(rc, 2, out, err, bad[i][0], "needs a");
    }
    rc = run(model, in, "--max-bytes", NULL, NULL, &out, &err);
    expect_error(rc, 2, out, err, "--max-bytes needs a byte count", NULL);
    rc = run("--info", model, "--threads", "2", NULL, &out, &err);
    expect_error(rc, 2, out, err, "--info takes only a model", NULL);
    free(model);
    free(in);
}
END_TEST

/* the number after "key": in a JSON line, or -1 */
static double json_num(const char *line, const char *key) {
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(line, pat);
    if (!p) return -1;
    char *end;
    double v = strtod(p + strlen(pat), &end);
    return end == p + strlen(pat) ? -1 : v;
}

/* --bench: a summary, then exactly this JSON object as the last line of stdout (values not checked
 * for speed, only for form and consistency) */
START_TEST(bench_prints_json_last) {
    char *model = loop_model(), *input = loop_input(), *out, *err;
    const char *argv[] = {cli(), "--bench", "7", "--threads", "2", model, input, NULL};
    ck_assert_int_eq(tu_exec(argv, &out, &err), 0);
    ck_assert_str_eq(err, "");
    size_t n = strlen(out);
    ck_assert_msg(n > 1 && out[n - 1] == '\n', "%s", out);
    out[n - 1] = 0;
    const char *last = strrchr(out, '\n');
    ck_assert_msg(last != NULL, "no summary before the JSON line: %s", out);
    last++;
    ck_assert_msg(strstr(out, "run: median") != NULL, "%s", out);
    ck_assert_msg(strncmp(last, "{\"load_us\":", 11) == 0 && last[strlen(last) - 1] == '}', "%s", last);
    ck_assert_msg(strstr(last, ",\"runs\":7,\"threads\":2}") != NULL, "%s", last);
    double load = json_num(last, "load_us"), plan = json_num(last, "plan_us"), med = json_num(last, "median"),
           mn = json_num(last, "min"), mx = json_num(last, "max");
    ck_assert_msg(load > 0 && plan >= 0 && mn > 0 && mn <= med && med <= mx, "%s", last);
    ck_assert_msg(strstr(last, "\"run_us\":{\"median\":") != NULL, "%s", last);
    free(out);
    free(err);
    /* threads default to 1 */
    const char *argv1[] = {cli(), "--bench", "1", model, input, NULL};
    ck_assert_int_eq(tu_exec(argv1, &out, &err), 0);
    ck_assert_msg(strstr(out, "\"runs\":1,\"threads\":1}\n") != NULL, "%s", out);
    free(out);
    free(err);
    free(model);
    free(input);
}
END_TEST

START_TEST(bench_usage_errors) {
    char *model = loop_model(), *input = loop_input(), *out, *err;
    int rc = run("--bench", "0", model, input, NULL, &out, &err);
    expect_error(rc, 2, out, err, "--bench needs a number of runs", NULL);
    rc = run("--bench", "x", model, input, NULL, &out, &err);
    expect_error(rc, 2, out, err, "--bench needs", NULL);
    rc = run(model, input, "--bench", NULL, NULL, &out, &err);
    expect_error(rc, 2, out, err, "--bench needs", NULL);
    rc = run("--threads", "-1", "--bench", "2", model, &out, &err);
    expect_error(rc, 2, out, err, "--threads needs a thread count from 0 to 256", NULL);
    rc = run("--threads", "257", model, input, NULL, &out, &err);
    expect_error(rc, 2, out, err, "--threads needs", NULL);
    rc = run("--bench", "2", "-o", "/nonexistent/x", model, &out, &err);
    expect_error(rc, 2, out, err, "--bench writes no outputs", NULL);
    /* a run error is reported as in a plain run: exit 1, one line */
    rc = run("--bench", "2", model, NULL, NULL, &out, &err);
    expect_error(rc, 1, out, err, "expects 1 input", NULL);
    free(model);
    free(input);
}
END_TEST

int main(void) {
    const TTest *tests[] = {
        help_and_version, usage_errors, info, prints_outputs, writes_outputs, input_errors,
        model_errors, readme_lists_the_ops, info_lists_every_opset_import, dump_intermediates, session_options,
        bench_prints_json_last, bench_usage_errors,
    };
    return tu_main("cli", tests, (int)(sizeof tests / sizeof tests[0]));
}
