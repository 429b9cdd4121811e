/* rnnrun: run an ONNX model on .npy inputs from the command line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "internal.h"
#include "npy.h"
#include "ops/ops.h"
#include "rnnrun.h"

#define EXIT_USAGE 2

static const char *USAGE =
    "usage: rnnrun MODEL.onnx [INPUT.npy | NAME=INPUT.npy ...] [-o DIR] [--dump DIR] [--threads N] [--max-bytes N]\n"
    "       rnnrun --bench N [--threads N] MODEL.onnx [INPUT.npy | NAME=INPUT.npy ...]\n"
    "       rnnrun --info MODEL.onnx\n"
    "       rnnrun --ops\n"
    "       rnnrun -h | --help | --version\n"
    "\n"
    "Runs MODEL on the inputs and prints each output's name, dtype, shape and first values.\n"
    "  INPUT.npy       binds, in order, to the model inputs that have no initializer\n"
    "  NAME=INPUT.npy  binds to the input called NAME (also an initializer listed as input)\n"
    "  -o DIR          writes DIR/output_<i>.npy for every output i instead (DIR is created)\n"
    "  --dump DIR      also writes every tensor the graph computes, and every output, as\n"
    "                  DIR/<tensor name>.npy (DIR is created), to diff node by node against\n"
    "                  another runtime. In file names every character other than A-Z a-z 0-9\n"
    "                  . _ - becomes '_', as does a leading '.'; a name that is then taken\n"
    "                  gets '~2', '~3', ... appended. Lists 'name -> file' on stdout.\n"
    "  --threads N     threads the session may use (0 = default 1; at most 256)\n"
    "  --max-bytes N   largest tensor the run may create or read, in bytes (default 4 GiB)\n"
    "  --bench N       loads, plans, warms up and times N runs: a summary, then one JSON line\n"
    "                  {\"load_us\", \"plan_us\", \"run_us\": {\"median\", \"min\", \"max\"}, \"runs\", \"threads\"}\n"
    "  --info          prints the model's opsets, inputs, outputs and ops, and exits\n"
    "  --ops           prints the supported ops and their versions (a markdown table)\n"
    "Exit status: 0 on success, 1 on any error (one line on stderr), 2 on a usage error.\n";

static int usage_error(const char *fmt, const char *arg) {
    fprintf(stderr, "rnnrun: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see rnnrun --help)\n");
    return EXIT_USAGE;
}

static int cmd_info(const char *path) {
    rnnrun_model *m;
    char err[1200];
    if (rnnrun_model_load_file(path, &m, err, sizeof err)) {
        fprintf(stderr, "rnnrun: %s\n", err);
        return 1;
    }
    printf("model: %s\n", path);
    printf("ir_version: %lld\n", (long long)m->ir_version);
    printf("producer: %s\n", m->producer[0] ? m->producer : "(none)");
    printf("opsets:");
    for (int i = 0; i < m->n_imports; i++)
        printf("%s %s %lld", i ? "," : "", m->import_domains[i], (long long)m->import_versions[i]);
    printf("%s\n", m->n_imports ? "" : " (none)");
    char buf[400];
    printf("inputs:\n");
    for (int i = 0; i < m->n_inputs; i++) {
        const rr_value *v = &m->values[m->slots[i]];
        printf("  %d %s: %s %s\n", i, v->name, v->decl_dtype ? rr_dtype_name(v->decl_dtype) : "(any dtype)",
               rr_decl_str(v, buf, sizeof buf));
    }
    int n_def = m->n_slots - m->n_inputs;
    if (n_def) printf("inputs with initializers (bind by name to override): %d\n", n_def);
    printf("outputs:\n");
    for (int i = 0; i < m->n_outputs; i++) {
        const rr_value *v = &m->values[m->outputs[i]];
        printf("  %d %s: %s %s\n", i, v->name, v->decl_dtype ? rr_dtype_name(v->decl_dtype) : "(dtype not declared)",
               rr_decl_str(v, buf, sizeof buf));
    }
    int64_t n_init = 0, n_params = 0;
    for (int v = 0; v < m->n_values; v++)
        if (m->values[v].init) {
            n_init++;
            n_params += m->values[v].init->numel;
        }
    printf("initializers: %lld (%lld values)\n", (long long)n_init, (long long)n_params);
    printf("nodes: %d\n", m->n_nodes);
    /* count per op type, in order of first appearance */
    for (int i = 0; i < m->n_nodes; i++) {
        const char *op = m->nodes[i].op_type;
        bool seen = false;
        for (int j = 0; j < i && !seen; j++) seen = strcmp(m->nodes[j].op_type, op) == 0;
        if (seen) continue;
        int count = 0;
        for (int j = i; j < m->n_nodes; j++) count += strcmp(m->nodes[j].op_type, op) == 0;
        printf("  %-20s %d\n", op, count);
    }
    rnnrun_model_free(m);
    return 0;
}

static void print_values(const rnnrun_tensor *t) {
    int64_t n = 1;
    for (int d = 0; d < t->rank; d++) n *= t->shape[d];
    int64_t show = n < 8 ? n : 8;
    rr_tensor it = {.dtype = (int)t->dtype, .data = t->data};
    printf("  [");
    for (int64_t i = 0; i < show; i++) {
        if (i) printf(", ");
        if (t->dtype == RNNRUN_FLOAT || t->dtype == RNNRUN_DOUBLE) printf("%.7g", rr_get_real(&it, i));
        else if (t->dtype == RNNRUN_BOOL) printf("%s", rr_get_int(&it, i) ? "True" : "False");
        else if ((int)t->dtype == RR_FLOAT16) printf("0x%04x", (unsigned)rr_get_int(&it, i));
        else printf("%lld", (long long)rr_get_int(&it, i));
    }
    if (n > show) printf(", ...] (first %lld of %lld)\n", (long long)show, (long long)n);
    else printf("]\n");
}

/* mkdir -p */
static int make_dir(const char *dir) {
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf) return ENAMETOOLONG;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(buf, 0777) != 0 && errno != EEXIST) return errno;
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST) return errno;
    struct stat st;
    if (stat(buf, &st) != 0) return errno;
    return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
}

/* DIR/<name>.npy with the name made safe (see --help); names already used are in used[0..n). */
static void dump_path(const char *dir, const char *name, char **used, int n, char *path, size_t size) {
    char safe[300];
    size_t k = 0;
    for (const char *p = name; *p && k < 200; p++) {
        char ch = *p;
        bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
                  ch == '-' || (ch == '.' && k > 0);
        safe[k++] = ok ? ch : '_';
    }
    if (k == 0) safe[k++] = '_';
    safe[k] = 0;
    char cand[320];
    snprintf(cand, sizeof cand, "%s", safe);
    for (int suffix = 2;; suffix++) {
        bool taken = false;
        for (int i = 0; i < n && !taken; i++) taken = strcmp(used[i], cand) == 0;
        if (!taken) break;
        snprintf(cand, sizeof cand, "%s~%d", safe, suffix);
    }
    used[n] = strdup(cand);
    snprintf(path, size, "%s/%s.npy", dir, cand);
}

/* Write every value a node computed (execution order), then outputs no node computes. */
static int dump_values(const rnnrun_model *m, rnnrun_session *s, const char *dir) {
    int e = make_dir(dir);
    if (e) {
        fprintf(stderr, "rnnrun: cannot create %s: %s\n", dir, strerror(e));
        return 1;
    }
    int rc = 0, n = 0;
    char **used = calloc((size_t)m->n_values + 1, sizeof *used);
    bool *done = calloc((size_t)m->n_values + 1, sizeof *done);
    int *order = calloc((size_t)m->n_values + 1, sizeof *order);
    if (!used || !done || !order) {
        fprintf(stderr, "rnnrun: out of memory\n");
        rc = 1;
        goto out;
    }
    int no = 0;
    for (int i = 0; i < m->n_nodes; i++)
        for (int o = 0; o < m->nodes[i].n_out; o++) {
            int v = m->nodes[i].out[o];
            if (v >= 0 && !done[v]) done[v] = true, order[no++] = v;
        }
    for (int i = 0; i < m->n_outputs; i++)
        if (!done[m->outputs[i]]) done[m->outputs[i]] = true, order[no++] = m->outputs[i];
    for (int k = 0; k < no; k++) {
        rr_tensor t;
        if (rr_session_value(s, order[k], &t) != RNNRUN_OK) continue;
        const char *name = m->values[order[k]].name;
        char path[4400], shape[200];
        dump_path(dir, name, used, n++, path, sizeof path);
        rr_err err = {0};
        if (rr_npy_write(path, &t, &err)) {
            fprintf(stderr, "rnnrun: %s: %s\n", path, err.msg);
            rc = 1;
            goto out;
        }
        printf("%s: %s %s -> %s\n", name, rr_dtype_name(t.dtype), rr_shape_str(t.dims, t.rank, shape, sizeof shape), path);
    }
out:
    for (int i = 0; used && i < n; i++) free(used[i]);
    free(used);
    free(done);
    free(order);
    return rc;
}

/* A decimal integer 0 .. max (no sign, no trailing text). */
static bool parse_count(const char *s, long long max, long long *out) {
    if (!s || *s < '0' || *s > '9') return false;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v > max) return false;
    *out = v;
    return true;
}

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec * 1e-3;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* --bench: the first run plans; two more warm up; then runs timed one by one. plan_us is the
 * first run less the median run. The last line of stdout is one JSON object. */
static int bench(rnnrun_session *s, const char *model_path, double load_us, long runs, int threads) {
    double *t = malloc(sizeof(double) * (size_t)runs);
    if (!t) {
        fprintf(stderr, "rnnrun: out of memory\n");
        return 1;
    }
    double first = 0;
    for (long i = -3; i < runs; i++) {
        double t0 = now_us();
        if (rnnrun_session_run(s)) {
            fprintf(stderr, "rnnrun: %s: %s\n", model_path, rnnrun_session_errmsg(s));
            free(t);
            return 1;
        }
        double dt = now_us() - t0;
        if (i == -3) first = dt;
        if (i >= 0) t[i] = dt;
    }
    qsort(t, (size_t)runs, sizeof *t, cmp_double);
    double med = runs % 2 ? t[runs / 2] : 0.5 * (t[runs / 2 - 1] + t[runs / 2]);
    double plan = first > med ? first - med : 0;
    printf("model: %s\n", model_path);
    printf("load: %.1f us\n", load_us);
    printf("plan: %.1f us (first run %.1f us, less the median run)\n", plan, first);
    printf("run: median %.1f us, min %.1f us, max %.1f us over %ld runs (threads %d)\n", med, t[0],
           t[runs - 1], runs, threads);
    printf("{\"load_us\":%.1f,\"plan_us\":%.1f,\"run_us\":{\"median\":%.1f,\"min\":%.1f,\"max\":%.1f},"
           "\"runs\":%ld,\"threads\":%d}\n", load_us, plan, med, t[0], t[runs - 1], runs, threads);
    free(t);
    return 0;
}

typedef struct binding {
    const char *name;   /* NULL for positional */
    const char *file;
    rr_tensor t;        /* data owned */
} binding;

/* bench_runs > 0: time the runs instead of printing outputs (--bench) */
static int cmd_run(const char *model_path, binding *b, int nb, const char *out_dir, const char *dump_dir,
                   const rnnrun_session_options *opt, long bench_runs) {
    int rc = 1;
    rnnrun_model *m = NULL;
    rnnrun_session *s = NULL;
    char err[1200];
    double t_load = now_us();
    if (rnnrun_model_load_file(model_path, &m, err, sizeof err)) {
        fprintf(stderr, "rnnrun: %s\n", err);
        return 1;
    }
    t_load = now_us() - t_load;
    int n_in = rnnrun_model_input_count(m);
    /* named bindings take their input; positional ones fill the rest in order */
    bool *taken = calloc((size_t)n_in + 1, sizeof *taken);
    int *slot_of = calloc((size_t)nb + 1, sizeof *slot_of);
    if (!taken || !slot_of) {
        fprintf(stderr, "rnnrun: out of memory\n");
        goto done;
    }
    int n_pos = 0;
    for (int i = 0; i < nb; i++) {
        if (!b[i].name) {
            n_pos++;
            continue;
        }
        int idx = rnnrun_model_input_index(m, b[i].name);
        slot_of[i] = idx;
        bool defaulted = false;
        for (int k = m->n_inputs; k < m->n_slots && idx < 0; k++)
            defaulted = defaulted || strcmp(m->values[m->slots[k]].name, b[i].name) == 0;
        if (idx < 0 && !defaulted) {
            fprintf(stderr, "rnnrun: %s has no input named '%s' (inputs:", model_path, b[i].name);
            for (int k = 0; k < m->n_slots; k++) fprintf(stderr, " %s", m->values[m->slots[k]].name);
            fprintf(stderr, ")\n");
            goto done;
        }
        if (idx >= 0) {
            if (taken[idx]) {
                fprintf(stderr, "rnnrun: input '%s' is given twice\n", b[i].name);
                goto done;
            }
            taken[idx] = true;
        }
    }
    int free_inputs = 0;
    for (int i = 0; i < n_in; i++) free_inputs += !taken[i];
    if (n_pos != free_inputs) {
        fprintf(stderr, "rnnrun: %s expects %d input%s (", model_path, n_in, n_in == 1 ? "" : "s");
        for (int i = 0; i < n_in; i++) fprintf(stderr, "%s%s", i ? ", " : "", rnnrun_model_input_name(m, i));
        fprintf(stderr, "), %d given\n", n_pos + (n_in - free_inputs));
        goto done;
    }
    for (int i = 0, next = 0; i < nb; i++) {
        if (b[i].name) continue;
        while (taken[next]) next++;
        slot_of[i] = next;
        taken[next] = true;
    }
    int st = rnnrun_session_new_with_options(m, opt, &s);
    if (!st && dump_dir) st = rr_session_keep_all(s, true);
    if (st) {
        fprintf(stderr, "rnnrun: cannot create a session: %s\n", rnnrun_status_str(st));
        goto done;
    }
    for (int i = 0; i < nb; i++) {
        rr_err e = {0};
        if (rr_npy_read(b[i].file, &b[i].t, &e)) {
            fprintf(stderr, "rnnrun: %s: %s\n", b[i].file, e.msg);
            goto done;
        }
        rnnrun_tensor t = {.dtype = (rnnrun_dtype)b[i].t.dtype, .rank = b[i].t.rank, .data = b[i].t.data};
        for (int d = 0; d < t.rank; d++) t.shape[d] = b[i].t.dims[d];
        st = b[i].name ? rnnrun_session_set_input_by_name(s, b[i].name, &t)
                       : rnnrun_session_set_input(s, slot_of[i], &t);
        if (st) {
            fprintf(stderr, "rnnrun: %s: %s\n", b[i].file, rnnrun_session_errmsg(s));
            goto done;
        }
    }
    if (bench_runs > 0) {
        rc = bench(s, model_path, t_load, bench_runs, opt->n_threads ? opt->n_threads : 1);
        goto done;
    }
    if (rnnrun_session_run(s)) {
        fprintf(stderr, "rnnrun: %s: %s\n", model_path, rnnrun_session_errmsg(s));
        goto done;
    }
    if (out_dir) {
        int e = make_dir(out_dir);
        if (e) {
            fprintf(stderr, "rnnrun: cannot create %s: %s\n", out_dir, strerror(e));
            goto done;
        }
    }
    if (dump_dir && dump_values(m, s, dump_dir)) goto done;
    for (int i = 0; i < rnnrun_model_output_count(m); i++) {
        rnnrun_tensor t;
        if (rnnrun_session_output(s, i, &t)) {
            fprintf(stderr, "rnnrun: %s\n", rnnrun_session_errmsg(s));
            goto done;
        }
        char shape[200];
        rr_shape_str(t.shape, t.rank, shape, sizeof shape);
        if (out_dir) {
            char path[4200];
            snprintf(path, sizeof path, "%s/output_%d.npy", out_dir, i);
            rr_tensor w = {.dtype = (int)t.dtype, .rank = t.rank, .data = t.data};
            rr_err e = {0};
            if (rr_tensor_set_shape(&w, t.rank, t.shape, INT64_MAX / 2, &e) || rr_npy_write(path, &w, &e)) {
                fprintf(stderr, "rnnrun: %s: %s\n", path, e.msg);
                goto done;
            }
            printf("%s: %s %s -> %s\n", rnnrun_model_output_name(m, i), rr_dtype_name(t.dtype), shape, path);
        } else {
            printf("%s: %s %s\n", rnnrun_model_output_name(m, i), rr_dtype_name(t.dtype), shape);
            print_values(&t);
        }
    }
    rc = 0;
done:
    for (int i = 0; i < nb; i++) free(b[i].t.data);
    free(taken);
    free(slot_of);
    rnnrun_session_free(s);
    rnnrun_model_free(m);
    return rc;
}

int main(int argc, char **argv) {
    const char *model = NULL, *out_dir = NULL, *dump_dir = NULL;
    bool info = false, opts_done = false, opts_given = false;
    rnnrun_session_options opt;
    rnnrun_session_options_init(&opt);
    long bench_runs = 0;
    binding *b = calloc((size_t)argc + 1, sizeof *b);
    if (!b) return 1;
    int nb = 0, rc;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!opts_done && a[0] == '-' && a[1]) {
            if (strcmp(a, "--") == 0) {
                opts_done = true;
            } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
                fputs(USAGE, stdout);
                free(b);
                return 0;
            } else if (strcmp(a, "--version") == 0) {
                printf("rnnrun %s\n", rnnrun_version());
                free(b);
                return 0;
            } else if (strcmp(a, "--ops") == 0) {
                rr_ops_markdown(stdout);
                free(b);
                return 0;
            } else if (strcmp(a, "--info") == 0) {
                info = true;
            } else if (strcmp(a, "--bench") == 0) {
                long v = 0;
                char *end = NULL;
                if (i + 1 < argc) v = strtol(argv[i + 1], &end, 10);
                if (i + 1 >= argc || end == argv[i + 1] || *end || v < 1 || v > 1000000000L) {
                    free(b);
                    return usage_error("%s needs a number of runs from 1 to 1000000000", a);
                }
                i++;
                bench_runs = v;
            } else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0 || strcmp(a, "--dump") == 0) {
                if (i + 1 >= argc) {
                    free(b);
                    return usage_error("%s needs a folder", a);
                }
                if (strcmp(a, "--dump") == 0) dump_dir = argv[++i];
                else out_dir = argv[++i];
            } else if (strcmp(a, "--threads") == 0 || strcmp(a, "--max-bytes") == 0) {
                bool threads = a[2] == 't';
                long long v;
                if (i + 1 >= argc || !parse_count(argv[i + 1], threads ? RNNRUN_MAX_THREADS : INT64_MAX, &v)) {
                    free(b);
                    return usage_error(threads ? "%s needs a thread count from 0 to 256"
                                               : "%s needs a byte count (a positive integer)", a);
                }
                i++;
                if (threads) opt.n_threads = (int)v;
                else if (v > 0) opt.max_tensor_bytes = v;
                else {
                    free(b);
                    return usage_error("%s needs a byte count (a positive integer)", a);
                }
                opts_given = true;
            } else {
                free(b);
                return usage_error("unknown option %s", a);
            }
            continue;
        }
        if (!model) {
            model = a;
            continue;
        }
        const char *eq = strchr(a, '=');
        struct stat st;
        if (eq && eq != a && stat(a, &st) != 0) {
            b[nb].name = strndup(a, (size_t)(eq - a));
            b[nb].file = eq + 1;
        } else {
            b[nb].file = a;
        }
        nb++;
    }
    if (!model) {
        free(b);
        return usage_error("%s", "no model given");
    }
    if (info) {
        if (nb || out_dir || dump_dir || opts_given || bench_runs) rc = usage_error("%s", "--info takes only a model");
        else rc = cmd_info(model);
    } else if (bench_runs && (out_dir || dump_dir)) {
        rc = usage_error("%s", "--bench writes no outputs: drop -o and --dump");
    } else {
        rc = cmd_run(model, b, nb, out_dir, dump_dir, &opt, bench_runs);
    }
    for (int i = 0; i < nb; i++) free((void *)b[i].name);
    free(b);
    return rc;
}
