/* Sessions: input binding, the plan cache, and the executor loop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/kernels.h"
#include "ops/ops.h"
#include "plan.h"

#define RR_PLAN_CACHE 8

struct rnnrun_session {
    const rnnrun_model *m;
    rr_allocator a;
    rr_settings cfg;              /* thread count and tensor limit, from the options */
    rr_tensor *bound;             /* [n_slots] the caller's tensors (data not owned) */
    bool *is_bound;               /* [n_slots] */
    rr_plan *plans[RR_PLAN_CACHE];
    uint64_t used[RR_PLAN_CACHE]; /* last use tick, for eviction */
    uint64_t tick;
    int n_plans;
    rr_plan *cur;                 /* plan of the current value table */
    unsigned char *arena_raw;     /* from the allocator; arena is arena_raw aligned up */
    unsigned char *arena;
    size_t arena_cap;
    rr_tensor *t;                 /* [n_values] run-time value table for `cur` */
    bool t_valid;                 /* t filled for cur and the current arena */
    bool have_output;
    bool streaming;               /* recurrent nodes carry their state from run to run */
    rr_state *states;             /* [n_nodes] the carried state of each stateful node */
    rr_threads *threads;          /* the session's workers when n_threads > 1, else NULL */
    char errmsg[1100];
};

static int set_err(rnnrun_session *s, const rr_err *err) {
    snprintf(s->errmsg, sizeof s->errmsg, "%s", err->msg);
    return err->status;
}

static int fail(rnnrun_session *s, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(rnnrun_session *s, int status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->errmsg, sizeof s->errmsg, fmt, ap);
    va_end(ap);
    return status;
}

static int session_create(const rnnrun_model *m, const rr_allocator *a, const rr_settings *cfg,
                          rnnrun_session **out) {
    if (!a) a = &rr_default_allocator;
    /* one zeroed block, its pages brought in at once: [session | bound | is_bound | t | states]
     * (a block each would cost a first-touch fault each on fresh heap pages) */
    size_t ns = (size_t)m->n_slots + 1, nv = (size_t)m->n_values + 1, nn = (size_t)m->n_nodes + 1;
    size_t o_bound = rr_align_up(sizeof(rnnrun_session));
    size_t o_is = o_bound + rr_align_up(ns * sizeof(rr_tensor));
    size_t o_t = o_is + rr_align_up(ns * sizeof(bool)), o_st = o_t + rr_align_up(nv * sizeof(rr_tensor));
    size_t bytes = o_st + nn * sizeof(rr_state);
    unsigned char *blk = rr_alloc(a, bytes);
    if (!blk) return RNNRUN_ERR_NOMEM;
    rr_prefault_block(a, blk, bytes);
    memset(blk, 0, bytes);
    rnnrun_session *s = (rnnrun_session *)blk;
    s->m = m;
    s->a = *a;
    s->cfg = *cfg;
    s->bound = (rr_tensor *)(blk + o_bound);
    s->is_bound = (bool *)(blk + o_is);
    s->t = (rr_tensor *)(blk + o_t);
    s->states = (rr_state *)(blk + o_st);
    if (cfg->n_threads > 1 && rr_threads_new(cfg->n_threads, a, &s->threads) != RNNRUN_OK) {
        rnnrun_session_free(s);
        return RNNRUN_ERR_NOMEM;
    }
    *out = s;
    return RNNRUN_OK;
}

int rr_session_new_with(const rnnrun_model *m, const rr_allocator *a, rnnrun_session **out) {
    if (!out) return RNNRUN_ERR_ARG;
    *out = NULL;
    if (!m) return RNNRUN_ERR_ARG;
    rr_settings cfg = {.n_threads = 1, .max_tensor_bytes = m->max_tensor_bytes};
    return session_create(m, a, &cfg, out);
}

int rnnrun_session_new(const rnnrun_model *m, rnnrun_session **out) { return rnnrun_session_new_with_options(m, NULL, out); }

/* The options struct of the first release; struct_size may not be smaller. */
#define OPTIONS_V1_SIZE (offsetof(rnnrun_session_options, allocator) + sizeof(rnnrun_allocator))

void rnnrun_session_options_init(rnnrun_session_options *o) {
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
    o->n_threads = 1;
    o->max_tensor_bytes = RR_DEFAULT_MAX_TENSOR_BYTES;
}

int rnnrun_session_new_with_options(const rnnrun_model *m, const rnnrun_session_options *opt,
                                    rnnrun_session **out) {
    if (!out) return RNNRUN_ERR_ARG;
    *out = NULL;
    if (!m) return RNNRUN_ERR_ARG;
    rnnrun_session_options o;
    rnnrun_session_options_init(&o);
    if (opt) {
        if (opt->struct_size < OPTIONS_V1_SIZE) return RNNRUN_ERR_ARG;
        /* a newer caller's struct: the options this library does not know must be unset (zero) */
        const unsigned char *extra = (const unsigned char *)opt + sizeof o;
        for (size_t i = 0; opt->struct_size > sizeof o && i < opt->struct_size - sizeof o; i++)
            if (extra[i]) return RNNRUN_ERR_UNSUPPORTED;
        memcpy(&o, opt, opt->struct_size < sizeof o ? opt->struct_size : sizeof o);
    }
    if (o.n_threads < 0 || o.n_threads > RNNRUN_MAX_THREADS) return RNNRUN_ERR_ARG;
    if (o.max_tensor_bytes < 0) return RNNRUN_ERR_ARG;
    if (!o.allocator.alloc != !o.allocator.free) return RNNRUN_ERR_ARG;
    rr_settings cfg = {.n_threads = o.n_threads ? o.n_threads : 1,
                       .max_tensor_bytes = o.max_tensor_bytes ? o.max_tensor_bytes : RR_DEFAULT_MAX_TENSOR_BYTES};
    return session_create(m, o.allocator.alloc ? &o.allocator : NULL, &cfg, out);
}

rr_settings rr_session_settings(const rnnrun_session *s) { return s->cfg; }

int rr_session_keep_all(rnnrun_session *s, bool on) {
    if (!s) return RNNRUN_ERR_ARG;
    for (int i = 0; i < s->n_plans; i++) rr_plan_free(s->plans[i]);
    s->n_plans = 0;
    s->cur = NULL;
    s->t_valid = false;
    s->have_output = false;
    s->cfg.keep_all = on;
    return RNNRUN_OK;
}

int rr_session_value(const rnnrun_session *s, int v, rr_tensor *out) {
    if (!s || !out || v < 0 || v >= s->m->n_values) return RNNRUN_ERR_ARG;
    if (!s->have_output || !s->cur) return RNNRUN_ERR_STATE;
    if (s->cur->loc[s->cur->root[v]] == RR_LOC_NONE) return RNNRUN_ERR_RANGE;
    *out = s->t[v];
    return RNNRUN_OK;
}

void rnnrun_session_free(rnnrun_session *s) {
    if (!s) return;
    rr_allocator a = s->a;
    for (int i = 0; i < s->n_plans; i++) rr_plan_free(s->plans[i]);
    rr_free(&a, s->arena_raw);
    for (int i = 0; i < s->m->n_nodes; i++) rr_free(&a, s->states[i].data);
    rr_threads_free(s->threads);
    rr_free(&a, s);
}

/* ---- streaming ------------------------------------------------------------------------------- */

int rnnrun_session_reset_state(rnnrun_session *s) {
    if (!s) return RNNRUN_ERR_ARG;
    for (int i = 0; i < s->m->n_nodes; i++) s->states[i].valid = false;
    s->errmsg[0] = 0;
    return RNNRUN_OK;
}

int rnnrun_session_set_streaming(rnnrun_session *s, int on) {
    if (!s) return RNNRUN_ERR_ARG;
    const rnnrun_model *m = s->m;
    for (int i = 0; on && i < m->n_nodes; i++) {
        const rr_node *n = &m->nodes[i];
        if (!(n->op->flags & RR_OP_STATEFUL)) continue;
        const rr_attr *dir = rr_attr_find(n, "direction");
        if (dir && dir->type == RR_ATTR_STRING && strcmp(dir->s, "forward") != 0) {
            char label[400];
            return fail(s, RNNRUN_ERR_UNSUPPORTED,
                        "%s runs %s: its outputs need the whole sequence at once, so the model cannot stream",
                        rr_node_label(m, n, label, sizeof label), dir->s);
        }
    }
    s->streaming = on != 0;
    return rnnrun_session_reset_state(s);
}

/* Make room for the state each stateful step of a new plan carries (plan time, not run time).
 * A valid state keeps its contents. */
static int size_states(rnnrun_session *s, const rr_plan *p) {
    for (int i = 0; i < p->n_steps; i++) {
        const rr_step *step = &p->steps[i];
        rr_state *st = &s->states[step->node->index];
        if (step->state_floats <= st->capacity) continue;
        if ((uint64_t)step->state_floats > SIZE_MAX / sizeof(float))
            return fail(s, RNNRUN_ERR_LIMIT, "streaming state too large");
        float *d = rr_alloc(&s->a, (size_t)step->state_floats * sizeof(float));
        if (!d) return fail(s, RNNRUN_ERR_NOMEM, "cannot allocate %lld floats of streaming state",
                            (long long)step->state_floats);
        if (st->data) memcpy(d, st->data, (size_t)st->capacity * sizeof(float));
        rr_free(&s->a, st->data);
        st->data = d;
        st->capacity = step->state_floats;
    }
    return RNNRUN_OK;
}

const char *rnnrun_session_errmsg(const rnnrun_session *s) { return s ? s->errmsg : "session is NULL"; }

/* ---- binding --------------------------------------------------------------------------------- */

static int bind_slot(rnnrun_session *s, int slot, const rnnrun_tensor *t) {
    s->errmsg[0] = 0;
    const rr_value *v = &s->m->values[s->m->slots[slot]];
    if (!t) return fail(s, RNNRUN_ERR_ARG, "input '%s': tensor is NULL", v->name);
    char want[200], got[200];
    if (t->rank < 0 || t->rank > RNNRUN_MAX_RANK)
        return fail(s, RNNRUN_ERR_LIMIT, "input '%s': rank %d is outside 0..%d", v->name, t->rank, RNNRUN_MAX_RANK);
    if (!rr_dtype_ok((int)t->dtype))
        return fail(s, RNNRUN_ERR_DTYPE, "input '%s': dtype code %d is not one rnnrun knows", v->name, (int)t->dtype);
    if (v->decl_dtype && (int)t->dtype != v->decl_dtype)
        return fail(s, RNNRUN_ERR_DTYPE, "input '%s': expected dtype %s, got %s", v->name,
                    rr_dtype_name(v->decl_dtype), rr_dtype_name((int)t->dtype));
    if (v->decl_rank >= 0) {
        bool ok = t->rank == v->decl_rank;
        for (int d = 0; ok && d < t->rank; d++) ok = v->decl[d].size < 0 || v->decl[d].size == t->shape[d];
        if (!ok)
            return fail(s, RNNRUN_ERR_SHAPE, "input '%s': expected shape %s, got %s", v->name,
                        rr_decl_str(v, want, sizeof want), rr_shape_str(t->shape, t->rank, got, sizeof got));
    }
    rr_tensor b = {.dtype = (int)t->dtype};
    rr_err err = {0};
    if (rr_tensor_set_shape(&b, t->rank, t->shape, s->cfg.max_tensor_bytes, &err))
        return fail(s, err.status, "input '%s': %s", v->name, err.msg);
    if (!t->data && b.numel > 0) return fail(s, RNNRUN_ERR_ARG, "input '%s': data is NULL", v->name);
    b.data = t->data;
    s->bound[slot] = b;
    s->is_bound[slot] = true;
    return RNNRUN_OK;
}

int rnnrun_session_set_input(rnnrun_session *s, int index, const rnnrun_tensor *t) {
    if (!s) return RNNRUN_ERR_ARG;
    if (index < 0 || index >= s->m->n_inputs)
        return fail(s, RNNRUN_ERR_RANGE, "input index %d is out of range (the model has %d inputs)", index,
                    s->m->n_inputs);
    return bind_slot(s, index, t);
}

int rnnrun_session_set_input_by_name(rnnrun_session *s, const char *name, const rnnrun_tensor *t) {
    if (!s) return RNNRUN_ERR_ARG;
    if (!name) return fail(s, RNNRUN_ERR_ARG, "input name is NULL");
    for (int i = 0; i < s->m->n_slots; i++)
        if (strcmp(s->m->values[s->m->slots[i]].name, name) == 0) return bind_slot(s, i, t);
    return fail(s, RNNRUN_ERR_RANGE, "the model has no input named '%s'", name);
}

/* ---- running --------------------------------------------------------------------------------- */

static int get_plan(rnnrun_session *s, rr_plan **out) {
    for (int i = 0; i < s->n_plans; i++)
        if (rr_plan_matches(s->plans[i], s->bound, s->is_bound)) {
            s->used[i] = ++s->tick;
            *out = s->plans[i];
            return RNNRUN_OK;
        }
    rr_err err = {0};
    rr_plan *p = rr_plan_build_with(s->m, s->bound, s->is_bound, &s->a, &s->cfg, &err);
    if (!p) return set_err(s, &err);
    int st = size_states(s, p);
    if (st) {
        rr_plan_free(p);
        return st;
    }
    if (p->arena_size > s->arena_cap || !s->arena_raw) { /* never NULL: values point into it */
        unsigned char *raw = rr_alloc(&s->a, p->arena_size + RR_ALIGN);
        if (!raw) {
            size_t size = p->arena_size;
            rr_plan_free(p);
            return fail(s, RNNRUN_ERR_NOMEM, "cannot allocate a %zu-byte arena", size);
        }
        rr_prefault_block(&s->a, raw, p->arena_size + RR_ALIGN); /* the first run writes most of it */
        rr_free(&s->a, s->arena_raw);
        s->arena_raw = raw;
        s->arena = rr_align_ptr(raw);
        s->arena_cap = p->arena_size;
        s->t_valid = false;
    }
    int slot = s->n_plans;
    if (s->n_plans == RR_PLAN_CACHE) {
        slot = 0;
        for (int i = 1; i < s->n_plans; i++)
            if (s->used[i] < s->used[slot]) slot = i;
        if (s->plans[slot] == s->cur) s->cur = NULL;
        rr_plan_free(s->plans[slot]);
    } else {
        s->n_plans++;
    }
    s->plans[slot] = p;
    s->used[slot] = ++s->tick;
    *out = p;
    return RNNRUN_OK;
}

/* Point every value of the table at its storage for plan p. */
static void fill_table(rnnrun_session *s, const rr_plan *p) {
    for (int v = 0; v < p->n_values; v++) {
        s->t[v] = p->t[v];
        switch (p->loc[v]) {
        case RR_LOC_ARENA: s->t[v].data = s->arena + p->offset[v]; break;
        case RR_LOC_CONST: break;
        default: s->t[v].data = NULL; break;
        }
    }
}

int rnnrun_session_run(rnnrun_session *s) {
    if (!s) return RNNRUN_ERR_ARG;
    const rnnrun_model *m = s->m;
    s->errmsg[0] = 0;
    s->have_output = false;
    for (int i = 0; i < m->n_inputs; i++)
        if (!s->is_bound[i])
            return fail(s, RNNRUN_ERR_STATE, "input '%s' is not bound", m->values[m->slots[i]].name);
    rr_plan *p = NULL;
    int st = get_plan(s, &p);
    if (st) return st;
    if (p != s->cur || !s->t_valid) {
        fill_table(s, p);
        s->cur = p;
        s->t_valid = true;
    }
    for (int i = 0; i < p->n_slot_values; i++) {
        int v = p->slot_values[i];
        s->t[v].data = s->bound[m->values[p->root[v]].slot].data;
    }
    rr_err err = {0};
    for (int i = 0; i < p->n_steps; i++) {
        const rr_step *step = &p->steps[i];
        rr_ctx c = {.model = m, .node = step->node, .t = s->t, .params = step->params,
                    .ws = s->arena + step->ws_offset, .ws_size = step->ws_size, .err = &err,
                    .n_threads = s->cfg.n_threads, .max_tensor_bytes = s->cfg.max_tensor_bytes,
                    .state = s->streaming && step->state_floats ? &s->states[step->node->index] : NULL,
                    .threads = s->threads};
        st = step->node->op->run(&c);
        if (st != RNNRUN_OK) {
            if (err.status == RNNRUN_OK) rr_op_fail(&c, st, "failed");
            return set_err(s, &err);
        }
    }
    s->have_output = true;
    return RNNRUN_OK;
}

int rnnrun_session_output(rnnrun_session *s, int index, rnnrun_tensor *out) {
    if (!s || !out) return s ? fail(s, RNNRUN_ERR_ARG, "out is NULL") : RNNRUN_ERR_ARG;
    if (index < 0 || index >= s->m->n_outputs)
        return fail(s, RNNRUN_ERR_RANGE, "output index %d is out of range (the model has %d outputs)", index,
                    s->m->n_outputs);
    if (!s->have_output) return fail(s, RNNRUN_ERR_STATE, "no successful run to read outputs from");
    const rr_tensor *t = &s->t[s->m->outputs[index]];
    memset(out, 0, sizeof *out);
    out->dtype = (rnnrun_dtype)t->dtype;
    out->rank = t->rank;
    for (int d = 0; d < t->rank; d++) out->shape[d] = t->dims[d];
    out->data = t->data;
    return RNNRUN_OK;
}
