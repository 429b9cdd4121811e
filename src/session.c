/* Sessions: input binding, the plan cache, and the executor loop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/ops.h"
#include "plan.h"

#define RR_PLAN_CACHE 8

struct rnnrun_session {
    const rnnrun_model *m;
    rr_allocator a;
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

int rr_session_new_with(const rnnrun_model *m, const rr_allocator *a, rnnrun_session **out) {
    if (!out) return RNNRUN_ERR_ARG;
    *out = NULL;
    if (!m) return RNNRUN_ERR_ARG;
    if (!a) a = &rr_default_allocator;
    rnnrun_session *s = rr_calloc(a, 1, sizeof *s);
    if (!s) return RNNRUN_ERR_NOMEM;
    s->m = m;
    s->a = *a;
    s->bound = rr_calloc(a, (size_t)m->n_slots + 1, sizeof *s->bound);
    s->is_bound = rr_calloc(a, (size_t)m->n_slots + 1, sizeof *s->is_bound);
    s->t = rr_calloc(a, (size_t)m->n_values + 1, sizeof *s->t);
    if (!s->bound || !s->is_bound || !s->t) {
        rnnrun_session_free(s);
        return RNNRUN_ERR_NOMEM;
    }
    *out = s;
    return RNNRUN_OK;
}

int rnnrun_session_new(const rnnrun_model *m, rnnrun_session **out) { return rr_session_new_with(m, NULL, out); }

void rnnrun_session_free(rnnrun_session *s) {
    if (!s) return;
    rr_allocator a = s->a;
    for (int i = 0; i < s->n_plans; i++) rr_plan_free(s->plans[i]);
    rr_free(&a, s->arena_raw);
    rr_free(&a, s->bound);
    rr_free(&a, s->is_bound);
    rr_free(&a, s->t);
    rr_free(&a, s);
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
    if (rr_tensor_set_shape(&b, t->rank, t->shape, s->m->max_tensor_bytes, &err))
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
    rr_plan *p = rr_plan_build(s->m, s->bound, s->is_bound, &s->a, &err);
    if (!p) return set_err(s, &err);
    if (p->arena_size > s->arena_cap || !s->arena_raw) { /* never NULL: values point into it */
        unsigned char *raw = rr_alloc(&s->a, p->arena_size + RR_ALIGN);
        if (!raw) {
            rr_plan_free(p);
            return fail(s, RNNRUN_ERR_NOMEM, "cannot allocate a %zu-byte arena", p->arena_size);
        }
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
                    .ws = s->arena + step->ws_offset, .ws_size = step->ws_size, .err = &err};
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
