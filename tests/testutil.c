#include "testutil.h"

#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

rnnrun_model *tu_load(mb *b) {
    rnnrun_model *m = NULL;
    char err[1200];
    int st = mb_load(b, &m, err, sizeof err);
    ck_assert_msg(st == RNNRUN_OK, "load failed (%d): %s", st, err);
    ck_assert_ptr_nonnull(m);
    return m;
}

void tu_load_fails(mb *b, int status, const char *fragment) {
    rnnrun_model *m = (rnnrun_model *)1;
    char err[1200] = "";
    int st = mb_load(b, &m, err, sizeof err);
    ck_assert_msg(st == status, "load returned %d (%s), expected %d: %s", st, rnnrun_status_str(st), status, err);
    ck_assert_ptr_null(m);
    if (fragment) ck_assert_msg(strstr(err, fragment) != NULL, "message '%s' lacks '%s'", err, fragment);
}

rnnrun_tensor tu_tensor(int dtype, const char *shape, const void *data) {
    rnnrun_tensor t;
    memset(&t, 0, sizeof t);
    t.dtype = (rnnrun_dtype)dtype;
    t.data = (void *)data;
    if (shape && shape[0]) {
        const char *p = shape;
        for (;;) {
            t.shape[t.rank++] = strtoll(p, NULL, 10);
            p = strchr(p, ',');
            if (!p) break;
            p++;
        }
    }
    return t;
}

rnnrun_tensor tu_api_tensor(const rr_tensor *t) {
    rnnrun_tensor a = {.dtype = (rnnrun_dtype)t->dtype, .rank = t->rank, .data = t->data};
    for (int d = 0; d < t->rank; d++) a.shape[d] = t->dims[d];
    return a;
}

static rnnrun_session *bind_run(const rnnrun_model *m, int n, const rnnrun_tensor *in, int *st) {
    rnnrun_session *s = NULL;
    ck_assert_int_eq(rnnrun_session_new(m, &s), RNNRUN_OK);
    *st = RNNRUN_OK;
    for (int i = 0; i < n && *st == RNNRUN_OK; i++) *st = rnnrun_session_set_input(s, i, &in[i]);
    if (*st == RNNRUN_OK) *st = rnnrun_session_run(s);
    return s;
}

rnnrun_session *tu_run(const rnnrun_model *m, int n, const rnnrun_tensor *in) {
    int st;
    rnnrun_session *s = bind_run(m, n, in, &st);
    ck_assert_msg(st == RNNRUN_OK, "run failed (%d): %s", st, rnnrun_session_errmsg(s));
    return s;
}

void tu_run_fails(const rnnrun_model *m, int n, const rnnrun_tensor *in, int status, const char *fragment) {
    int st;
    rnnrun_session *s = bind_run(m, n, in, &st);
    const char *msg = rnnrun_session_errmsg(s);
    ck_assert_msg(st == status, "got status %d (%s), expected %d: %s", st, rnnrun_status_str(st), status, msg);
    if (fragment) ck_assert_msg(strstr(msg, fragment) != NULL, "message '%s' lacks '%s'", msg, fragment);
    rnnrun_session_free(s);
}

const void *tu_output(rnnrun_session *s, int i, int dtype, const char *shape) {
    rnnrun_tensor t;
    ck_assert_int_eq(rnnrun_session_output(s, i, &t), RNNRUN_OK);
    rnnrun_tensor want = tu_tensor(dtype, shape, NULL);
    ck_assert_msg((int)t.dtype == dtype, "output %d has dtype %d, expected %d", i, (int)t.dtype, dtype);
    char g[200], w[200];
    rr_shape_str(t.shape, t.rank, g, sizeof g);
    rr_shape_str(want.shape, want.rank, w, sizeof w);
    ck_assert_msg(strcmp(g, w) == 0, "output %d has shape %s, expected %s", i, g, w);
    return t.data;
}

static void close_check(double g, double w, int64_t i, double atol, double rtol) {
    if (isnan(w) && isnan(g)) return;
    ck_assert_msg(fabs(g - w) <= atol + rtol * fabs(w) || (isinf(w) && g == w),
                  "element %lld: got %.9g, expected %.9g", (long long)i, g, w);
}

void tu_close_f32(const float *got, const float *want, int64_t n, double atol, double rtol) {
    for (int64_t i = 0; i < n; i++) close_check(got[i], want[i], i, atol, rtol);
}

void tu_close_f64(const double *got, const double *want, int64_t n, double atol, double rtol) {
    for (int64_t i = 0; i < n; i++) close_check(got[i], want[i], i, atol, rtol);
}

void tu_equal_i64(const int64_t *got, const int64_t *want, int64_t n) {
    for (int64_t i = 0; i < n; i++)
        ck_assert_msg(got[i] == want[i], "element %lld: got %lld, expected %lld", (long long)i, (long long)got[i],
                      (long long)want[i]);
}

void tu_equal_bytes(const void *got, const void *want, size_t n) {
    const unsigned char *g = got, *w = want;
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(g[i] == w[i], "byte %zu: got 0x%02x, expected 0x%02x", i, g[i], w[i]);
}

double tu_match(const char *what, const rnnrun_tensor *got, const rr_tensor *want, double atol, double rtol) {
    ck_assert_msg((int)got->dtype == want->dtype, "%s: dtype %s, expected %s", what, rr_dtype_name((int)got->dtype),
                  rr_dtype_name(want->dtype));
    char g[200], w[200];
    rr_shape_str(got->shape, got->rank, g, sizeof g);
    rr_shape_str(want->dims, want->rank, w, sizeof w);
    ck_assert_msg(strcmp(g, w) == 0, "%s: shape %s, expected %s", what, g, w);
    rr_tensor gt = *want;
    gt.data = got->data;
    double maxerr = 0;
    for (int64_t k = 0; k < want->numel; k++) {
        if (want->dtype == RR_FLOAT || want->dtype == RR_DOUBLE) {
            double a = rr_get_real(&gt, k), b = rr_get_real(want, k);
            if ((isnan(a) && isnan(b)) || a == b) continue;
            double e = fabs(a - b);
            if (!(e <= maxerr)) maxerr = e;
            ck_assert_msg(e <= atol + rtol * fabs(b), "%s element %lld: got %.9g, expected %.9g", what, (long long)k, a,
                          b);
        } else {
            ck_assert_msg(rr_get_int(&gt, k) == rr_get_int(want, k), "%s element %lld: got %lld, expected %lld", what,
                          (long long)k, (long long)rr_get_int(&gt, k), (long long)rr_get_int(want, k));
        }
    }
    return maxerr;
}

char *tu_tmpdir(void) {
    const char *base = getenv("TMPDIR");
    char tmpl[4096];
    snprintf(tmpl, sizeof tmpl, "%s/rnnrun-test-XXXXXX", base && base[0] ? base : "/tmp");
    char *d = mkdtemp(tmpl);
    ck_assert_msg(d != NULL, "mkdtemp failed");
    return strdup(d);
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

void tu_rmtree(const char *path) {
    if (path) nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *tu_source_root(void) {
    const char *r = getenv("RNNRUN_SOURCE_ROOT");
    return r && r[0] ? r : ".";
}

int tu_main(const char *name, const TTest *const *tests, int n) {
    Suite *s = suite_create(name);
    TCase *tc = tcase_create(name);
    for (int i = 0; i < n; i++) tcase_add_test(tc, tests[i]);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}

static void *count_alloc(void *u, size_t n) {
    ((tu_counter *)u)->allocs++;
    return malloc(n);
}

static void count_free(void *u, void *p) {
    ((tu_counter *)u)->frees++;
    free(p);
}

rr_allocator tu_counting_allocator(tu_counter *c) {
    rr_allocator a = {count_alloc, count_free, c};
    return a;
}

int tu_run_suite(Suite *s) {
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

char *tu_read_text(const char *path) { return tu_read_file(path, NULL); }

char *tu_read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (n + 1 >= cap) buf = realloc(buf, cap *= 2);
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        if (r == 0) break;
        n += r;
    }
    fclose(f);
    buf[n] = 0;
    if (size) *size = n;
    return buf;
}

int tu_exec(const char *const *argv, char **out, char **err) {
    char *dir = tu_tmpdir();
    char po[4200], pe[4200];
    snprintf(po, sizeof po, "%s/stdout", dir);
    snprintf(pe, sizeof pe, "%s/stderr", dir);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        int fo = open(po, O_WRONLY | O_CREAT | O_TRUNC, 0644), fe = open(pe, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fo < 0 || fe < 0) _exit(126);
        dup2(fo, 1);
        dup2(fe, 2);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
    }
    if (out) *out = tu_read_text(po);
    if (err) *err = tu_read_text(pe);
    tu_rmtree(dir);
    free(dir);
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}
