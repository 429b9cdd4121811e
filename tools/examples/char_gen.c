/* char_gen: greedy text generation with a character model, through rnnrun.h only.
 *
 *   char_gen MODEL_DIR PROMPT N
 *
 * MODEL_DIR holds model.onnx and vocab.txt, as tools/train_char.py writes them: inputs
 * x (batch, seq, V) one-hot float32 and h0 (1, batch, H), outputs logits (batch, seq, V) and
 * h (1, batch, H); vocab.txt is the V symbols in index order, one byte each, concatenated.
 * The prompt is fed one character at a time (batch 1, seq 1), carrying the recurrent state from
 * run to run; then N times the most likely next character (argmax of the last logits) is
 * appended and fed back. Prints the prompt and the N characters, then a newline.
 *
 * The state is carried by the session: streaming is on, so each run (one character) starts
 * from the previous run's final state.
 *
 * Exit status 0, or 1 with one line on stderr. The model: models/char_rnn (see its README). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnnrun.h"

static int die(const char *what, const char *detail) {
    fprintf(stderr, "char_gen: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    return 1;
}

/* vocab.txt: the symbols in index order, one byte each */
static char *read_vocab(const char *dir, int *v) {
    char path[4096];
    snprintf(path, sizeof path, "%s/vocab.txt", dir);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = malloc(257);
    size_t n = buf ? fread(buf, 1, 257, f) : 0;
    fclose(f);
    if (!buf || n == 0 || n > 256) {
        free(buf);
        return NULL;
    }
    buf[n] = 0;
    *v = (int)n;
    return buf;
}

typedef struct gen {
    rnnrun_session *s;
    int v, hidden;
    float *x;     /* (1, 1, V) one-hot */
    float *h;     /* (1, 1, H) state fed as h0 */
    float *logits; /* (V) of the last run */
} gen;

/* Feed symbol `sym`: one run; keeps the logits and the state. */
static int step(gen *g, int sym) {
    memset(g->x, 0, (size_t)g->v * sizeof *g->x);
    g->x[sym] = 1;
    if (rnnrun_session_run(g->s) != RNNRUN_OK) return 1;
    rnnrun_tensor y, h;
    if (rnnrun_session_output(g->s, 0, &y) || rnnrun_session_output(g->s, 1, &h)) return 1;
    if (y.dtype != RNNRUN_FLOAT || y.rank != 3 || y.shape[2] != g->v || h.dtype != RNNRUN_FLOAT) return 1;
    memcpy(g->logits, (const float *)y.data + (y.shape[1] - 1) * g->v, (size_t)g->v * sizeof *g->logits);
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: char_gen MODEL_DIR PROMPT N\n");
        return 2;
    }
    const char *dir = argv[1], *prompt = argv[2];
    char *end;
    long n = strtol(argv[3], &end, 10);
    if (*end || n < 0 || n > 1000000) return die("N must be a count", argv[3]);
    int v = 0;
    char *vocab = read_vocab(dir, &v);
    if (!vocab) return die("cannot read vocab.txt in", dir);

    char path[4096], err[1024];
    snprintf(path, sizeof path, "%s/model.onnx", dir);
    rnnrun_model *m = NULL;
    gen g = {0};
    int rc = 1;
    if (rnnrun_model_load_file(path, &m, err, sizeof err)) {
        die(err, NULL);
        goto done;
    }
    int dtype, rank;
    int64_t xd[RNNRUN_MAX_RANK], hd[RNNRUN_MAX_RANK];
    if (rnnrun_model_input_count(m) != 2 || rnnrun_model_output_count(m) != 2 ||
        rnnrun_model_input_info(m, 0, &dtype, &rank, xd, NULL) || rank != 3 || xd[2] != v ||
        rnnrun_model_input_info(m, 1, &dtype, &rank, hd, NULL) || rank != 3 || hd[2] <= 0) {
        die("the model is not x (batch, seq, V), h0 (1, batch, H) -> logits, h with V from vocab.txt", path);
        goto done;
    }
    g.v = v;
    g.hidden = (int)hd[2];
    g.x = calloc((size_t)v, sizeof *g.x);
    g.h = calloc((size_t)g.hidden, sizeof *g.h);
    g.logits = calloc((size_t)v, sizeof *g.logits);
    if (!g.x || !g.h || !g.logits || rnnrun_session_new(m, &g.s)) {
        die("out of memory", NULL);
        goto done;
    }
    /* streaming: the session carries every recurrent node's final state into the next run;
     * h0 (zeros) is the state of the first run only */
    if (rnnrun_session_set_streaming(g.s, 1)) {
        die(rnnrun_session_errmsg(g.s), NULL);
        goto done;
    }
    rnnrun_tensor tx = {RNNRUN_FLOAT, 3, {1, 1, v}, g.x}, th = {RNNRUN_FLOAT, 3, {1, 1, g.hidden}, g.h};
    if (rnnrun_session_set_input(g.s, 0, &tx) || rnnrun_session_set_input(g.s, 1, &th)) {
        die(rnnrun_session_errmsg(g.s), NULL);
        goto done;
    }
    if (!prompt[0]) {
        die("the prompt is empty", NULL);
        goto done;
    }
    for (const char *p = prompt; *p; p++) {
        const char *at = memchr(vocab, *p, (size_t)v);
        if (!at) {
            fprintf(stderr, "char_gen: the prompt's character '%c' is not in vocab.txt\n", *p);
            goto done;
        }
        if (step(&g, (int)(at - vocab))) {
            die(rnnrun_session_errmsg(g.s), NULL);
            goto done;
        }
    }
    fputs(prompt, stdout);
    for (long i = 0; i < n; i++) {
        int best = 0;
        for (int k = 1; k < v; k++)
            if (g.logits[k] > g.logits[best]) best = k;
        putchar(vocab[best]);
        if (i + 1 < n && step(&g, best)) {
            die(rnnrun_session_errmsg(g.s), NULL);
            goto done;
        }
    }
    putchar('\n');
    rc = 0;
done:
    rnnrun_session_free(g.s);
    rnnrun_model_free(m);
    free(g.x);
    free(g.h);
    free(g.logits);
    free(vocab);
    return rc;
}
