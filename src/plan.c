/* The planner: for one set of input shapes, infer every value's dtype and shape, fold everything
 * that depends only on constants and shapes, turn shape-only ops into views, and lay the
 * remaining intermediates out in one arena by lifetime. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/ops.h"
#include "plan.h"

bool rr_plan_matches(const rr_plan *p, const rr_tensor *bound, const bool *is_bound) {
    for (int s = 0; s < p->n_slots; s++) {
        if (p->sig_bound[s] != is_bound[s]) return false;
        if (!is_bound[s]) continue;
        if (p->sig[s].dtype != bound[s].dtype || !rr_shape_eq(&p->sig[s], &bound[s])) return false;
        if (p->pinned[s] && memcmp(p->pinned[s], bound[s].data, rr_tensor_bytes(&bound[s])) != 0) return false;
    }
    return true;
}

#define RR_PIN_MAX 1024 /* elements */

bool rr_plan_pin(rr_plan *p, int v) {
    if (v < 0 || v >= p->n_values || !p->bound) return false;
    int r = p->root[v];
    if (p->loc[r] != RR_LOC_SLOT) return false;
    int slot = p->model->values[r].slot;
    const rr_tensor *b = &p->bound[slot];
    /* integers (shapes, axes, counts) and float scalars (Range's bounds) */
    bool ok = b->dtype == RR_INT64 || b->dtype == RR_INT32 ||
              ((b->dtype == RR_FLOAT || b->dtype == RR_DOUBLE || b->dtype == RR_INT16 || b->dtype == RR_BOOL) && b->numel == 1);
    if (!ok || b->numel > RR_PIN_MAX) return false;
    void *copy = rr_pool_alloc(&p->pool, rr_tensor_bytes(b));
    if (!copy) return false;
    if (b->numel) memcpy(copy, b->data, rr_tensor_bytes(b));
    p->pinned[slot] = copy;
    p->t[r].data = copy;
    p->t[v].data = copy;
    return true;
}

void rr_plan_free(rr_plan *p) {
    if (!p) return;
    const rr_allocator *a = p->pool.a;
    rr_pool_free(&p->pool);
    rr_free(a, p);
}

/* Inputs that share a dim_param must agree on its size. The (param, input, dim) entries are
 * sorted, so each param's entries sit together, earliest input first (comparing all pairs is
 * quadratic, and a hostile model may have many inputs). */
typedef struct param_use {
    const char *param;
    int slot, dim;
} param_use;

static int cmp_param_use(const void *a, const void *b) {
    const param_use *x = a, *y = b;
    int c = strcmp(x->param, y->param);
    if (c) return c;
    if (x->slot != y->slot) return x->slot < y->slot ? -1 : 1;
    return x->dim < y->dim ? -1 : x->dim > y->dim;
}

static int check_symbolic_dims(const rnnrun_model *m, const rr_tensor *bound, const bool *is_bound, rr_pool *tmp,
                               rr_err *err) {
    size_t n = 0;
    param_use *u = rr_pool_alloc(tmp, ((size_t)m->n_slots * RR_MAX_RANK + 1) * sizeof *u);
    if (!u) return rr_fail(err, RNNRUN_ERR_NOMEM, "out of memory while planning");
    for (int a = 0; a < m->n_slots; a++) {
        if (!is_bound[a]) continue;
        const rr_value *va = &m->values[m->slots[a]];
        for (int d = 0; d < va->decl_rank && d < bound[a].rank; d++)
            if (va->decl[d].param) u[n++] = (param_use){va->decl[d].param, a, d};
    }
    qsort(u, n, sizeof *u, cmp_param_use);
    for (size_t i = 1, first = 0; i < n; i++) {
        if (strcmp(u[i].param, u[first].param) != 0) {
            first = i;
            continue;
        }
        const param_use *x = &u[i], *y = &u[first];
        if (bound[x->slot].dims[x->dim] != bound[y->slot].dims[y->dim])
            return rr_fail(err, RNNRUN_ERR_SHAPE,
                           "input '%s' dimension %d ('%s') is %lld, but input '%s' dimension %d ('%s') is %lld",
                           m->values[m->slots[x->slot]].name, x->dim, x->param,
                           (long long)bound[x->slot].dims[x->dim], m->values[m->slots[y->slot]].name, y->dim,
                           y->param, (long long)bound[y->slot].dims[y->dim]);
    }
    return RNNRUN_OK;
}

/* ---- arena layout ---------------------------------------------------------------------------- */

typedef struct block {
    size_t size;
    int first, last;     /* step interval, inclusive */
    size_t offset;
    int id;              /* value id, or -1 - step for a workspace */
} block;

static int cmp_block(const void *a, const void *b) {
    const block *x = a, *y = b;
    if (x->size != y->size) return x->size < y->size ? 1 : -1;
    if (x->first != y->first) return x->first < y->first ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* Greedy by size: each block takes the lowest offset where it fits between the blocks already
 * placed whose lifetimes overlap its own. The placed blocks are kept in offset order (a block
 * goes in behind those at its offset), so each is one pass over them: no sort per block. */
static int layout(block *b, int n, rr_pool *tmp, size_t *total, rr_err *err) {
    qsort(b, (size_t)n, sizeof *b, cmp_block);
    block **placed = rr_pool_alloc(tmp, (size_t)(n + 1) * sizeof *placed);
    if (!placed) return rr_fail(err, RNNRUN_ERR_NOMEM, "out of memory");
    size_t top = 0;
    int np = 0;
    for (int i = 0; i < n; i++) {
        size_t off = 0;
        size_t need = rr_align_up(b[i].size);
        int at = np; /* where b[i] goes in placed */
        for (int j = 0; j < np; j++) {
            const block *q = placed[j];
            if (!q->size || q->first > b[i].last || b[i].first > q->last) continue;
            if (q->offset >= off + need) break;
            size_t end = q->offset + rr_align_up(q->size);
            if (end > off) off = end;
        }
        b[i].offset = off;
        if (off + need > top) top = off + need;
        while (at > 0 && placed[at - 1]->offset > off) at--;
        memmove(placed + at + 1, placed + at, (size_t)(np - at) * sizeof *placed);
        placed[at] = &b[i];
        np++;
    }
    *total = top;
    return RNNRUN_OK;
}

/* ---- building -------------------------------------------------------------------------------- */

static int fail_nomem(rr_err *err) { return rr_fail(err, RNNRUN_ERR_NOMEM, "out of memory while planning"); }

/* Run a node at plan time: every input is known, so its outputs become constants. */
static int fold_node(rr_plan *p, rr_ctx *c) {
    const rr_node *n = c->node;
    for (int o = 0; o < n->n_out; o++) {
        int v = n->out[o];
        if (v < 0) continue;
        p->t[v].data = rr_pool_alloc(&p->pool, rr_tensor_bytes(&p->t[v]));
        if (!p->t[v].data) return fail_nomem(c->err);
    }
    if (c->ws_size) {
        c->ws = rr_pool_alloc(&p->pool, c->ws_size);
        if (!c->ws) return fail_nomem(c->err);
    }
    int st = n->op->run(c);
    if (st != RNNRUN_OK) return st;
    for (int o = 0; o < n->n_out; o++)
        if (n->out[o] >= 0) p->loc[n->out[o]] = RR_LOC_CONST;
    p->n_folded++;
    return RNNRUN_OK;
}

static int infer_node(rr_plan *p, const rr_node *n, rr_ctx *c) {
    for (int o = 0; o < n->n_out; o++)
        if (n->out[o] >= 0) p->t[n->out[o]].dtype = RR_UNDEFINED;
    int st = n->op->infer(c);
    if (st != RNNRUN_OK) return st;
    for (int o = 0; o < n->n_out; o++) {
        int v = n->out[o];
        if (v >= 0 && p->t[v].dtype == RR_UNDEFINED)
            return rr_op_fail(c, RNNRUN_ERR_UNSUPPORTED, "output %d ('%s') is not produced by this op", o,
                              p->model->values[v].name);
        if (v >= 0) p->t[v].data = NULL;
    }
    /* a graph output declared with a dtype must get that dtype */
    for (int o = 0; o < n->n_out; o++) {
        int v = n->out[o];
        if (v < 0) continue;
        const rr_value *val = &p->model->values[v];
        if (val->decl_dtype && val->decl_dtype != p->t[v].dtype)
            return rr_op_fail(c, RNNRUN_ERR_MODEL, "output '%s' is declared %s but the op gives %s", val->name,
                              rr_dtype_name(val->decl_dtype), rr_dtype_name(p->t[v].dtype));
    }
    return RNNRUN_OK;
}

/* One block for what the plan and its tmp pool are about to take, brought in at once (mapped
 * and populated from 128 KiB with the default allocator): [plan's pool | tmp pool], sized from
 * the model (per value its tensor, location, offsets and arena block; per node its step and op
 * parameters; the constants' bytes, up to 128 KiB, for folded values and packed weights: on
 * models/ the plan's pool then fills 20-92% of its part, and one case goes on into a chunk of
 * its own). A chunk per pool, heap block by heap block, costs a first-touch fault for each
 * (malloc writes a header on the page past it) and a call per 16 KiB to bring the pages in.
 * The plan keeps the block; each pool goes on in chunks of its own if it runs over. */
static int plan_region(rr_plan *p, rr_pool *tmp) {
    const rnnrun_model *m = p->model;
    size_t consts = 0;
    for (int v = 0; v < m->n_values && consts < ((size_t)128 << 10); v++)
        if (m->values[v].init) consts += rr_tensor_bytes(m->values[v].init);
    size_t nv = (size_t)m->n_values + 1, nn = (size_t)m->n_nodes + 1;
    size_t plan_part = rr_align_up(nv * 256 + nn * 96 + consts + 8192);
    size_t tmp_part = rr_align_up(nv * 64 + nn * 16 + (size_t)m->n_slots * RR_MAX_RANK * 24 + 4096);
    if (plan_part > ((size_t)64 << 20) || tmp_part > ((size_t)64 << 20))
        return RNNRUN_OK; /* a huge graph: chunk by chunk */
    unsigned char *region = rr_pool_region(&p->pool, plan_part + tmp_part, plan_part);
    if (!region) return RNNRUN_ERR_NOMEM;
    rr_pool_lend(tmp, region + plan_part, tmp_part);
    return RNNRUN_OK;
}

rr_plan *rr_plan_build(const rnnrun_model *m, const rr_tensor *bound, const bool *is_bound,
                       const rr_allocator *a, rr_err *err) {
    return rr_plan_build_with(m, bound, is_bound, a, NULL, err);
}

rr_plan *rr_plan_build_with(const rnnrun_model *m, const rr_tensor *bound, const bool *is_bound,
                            const rr_allocator *a, const rr_settings *cfg, rr_err *err) {
    if (!a) a = &rr_default_allocator;
    rr_settings dflt = {.n_threads = 1, .max_tensor_bytes = m->max_tensor_bytes};
    if (!cfg) cfg = &dflt;
    rr_plan *p = rr_calloc(a, 1, sizeof *p);
    if (!p) {
        fail_nomem(err);
        return NULL;
    }
    rr_pool_init(&p->pool, a);
    rr_pool tmp;
    rr_pool_init(&tmp, a);
    p->model = m;
    int nv = m->n_values, nn = m->n_nodes;
    if (plan_region(p, &tmp)) {
        rr_plan_free(p);
        fail_nomem(err);
        return NULL;
    }
    p->n_values = nv;
    p->n_slots = m->n_slots;
    p->t = rr_pool_alloc(&p->pool, (size_t)(nv + 1) * sizeof *p->t);
    p->loc = rr_pool_alloc(&p->pool, (size_t)(nv + 1));
    p->root = rr_pool_alloc(&p->pool, (size_t)(nv + 1) * sizeof *p->root);
    p->offset = rr_pool_alloc(&p->pool, (size_t)(nv + 1) * sizeof *p->offset);
    p->sig = rr_pool_alloc(&p->pool, (size_t)(m->n_slots + 1) * sizeof *p->sig);
    p->sig_bound = rr_pool_alloc(&p->pool, (size_t)(m->n_slots + 1) * sizeof *p->sig_bound);
    p->pinned = rr_pool_alloc(&p->pool, (size_t)(m->n_slots + 1) * sizeof *p->pinned);
    p->bound = bound;
    p->slot_values = rr_pool_alloc(&p->pool, (size_t)(nv + 1) * sizeof *p->slot_values);
    p->steps = rr_pool_alloc(&p->pool, (size_t)(nn + 1) * sizeof *p->steps);
    bool *live_v = rr_pool_alloc(&tmp, (size_t)(nv + 1));
    bool *live_n = rr_pool_alloc(&tmp, (size_t)(nn + 1));
    int *step_of = rr_pool_alloc(&tmp, (size_t)(nn + 1) * sizeof(int));
    int *last_use = rr_pool_alloc(&tmp, (size_t)(nv + 1) * sizeof(int));
    if (!p->t || !p->loc || !p->root || !p->offset || !p->sig || !p->sig_bound || !p->pinned || !p->slot_values || !p->steps ||
        !live_v || !live_n || !step_of || !last_use) {
        fail_nomem(err);
        goto fail;
    }
    if (check_symbolic_dims(m, bound, is_bound, &tmp, err)) goto fail;

    /* 1. values known before any node runs */
    for (int v = 0; v < nv; v++) {
        const rr_value *val = &m->values[v];
        p->root[v] = v;
        if (val->kind == RR_VAL_CONST || (val->kind == RR_VAL_DEFAULTED && !is_bound[val->slot])) {
            p->t[v] = *val->init;
            p->loc[v] = RR_LOC_CONST;
        } else if (val->kind == RR_VAL_INPUT || val->kind == RR_VAL_DEFAULTED) {
            p->t[v] = bound[val->slot];
            p->t[v].data = NULL;
            p->loc[v] = RR_LOC_SLOT;
        }
    }
    for (int s = 0; s < m->n_slots; s++) {
        p->sig_bound[s] = is_bound[s];
        if (is_bound[s]) p->sig[s] = bound[s];
        p->sig[s].data = NULL;
    }

    /* 2. which nodes the outputs need */
    for (int i = 0; i < m->n_outputs; i++) live_v[m->outputs[i]] = true;
    for (int v = 0; cfg->keep_all && v < nv; v++) live_v[v] = true;
    for (int i = nn - 1; i >= 0; i--) {
        const rr_node *n = &m->nodes[i];
        for (int o = 0; o < n->n_out && !live_n[i]; o++) live_n[i] = n->out[o] >= 0 && live_v[n->out[o]];
        if (!live_n[i]) continue;
        for (int k = 0; k < n->n_in; k++)
            if (n->in[k] >= 0) live_v[n->in[k]] = true;
    }

    /* 3. infer, fold, alias, or schedule each needed node */
    for (int i = 0; i < nn; i++) {
        step_of[i] = -1;
        if (!live_n[i]) continue;
        const rr_node *n = &m->nodes[i];
        rr_ctx c = {.model = m, .node = n, .t = p->t, .pool = &p->pool, .plan = p, .err = err,
                    .n_threads = cfg->n_threads, .max_tensor_bytes = cfg->max_tensor_bytes};
        if (infer_node(p, n, &c)) goto fail;
        /* scratch memory counts as a tensor for the limit */
        if (c.ws_size > (uint64_t)cfg->max_tensor_bytes) {
            rr_op_fail(&c, RNNRUN_ERR_LIMIT, "needs %zu bytes of workspace, above the limit of %lld bytes", c.ws_size,
                       (long long)cfg->max_tensor_bytes);
            goto fail;
        }
        bool known = true;
        for (int k = 0; k < n->n_in; k++)
            if (n->in[k] >= 0 && !p->t[n->in[k]].data) known = false;
        if (n->op->flags & RR_OP_SHAPE_ONLY) known = true;
        if (n->op->flags & RR_OP_STATEFUL) known = false;
        /* a view only when output 0 is the only output asked for (Dropout's mask is computed) */
        bool alias = (n->op->flags & RR_OP_ALIAS) != 0;
        for (int o = 1; o < n->n_out; o++) alias = alias && n->out[o] < 0;
        if (known && alias) {
            p->t[n->out[0]].data = p->t[n->in[0]].data;
            p->loc[n->out[0]] = RR_LOC_CONST;
            p->n_folded++;
        } else if (known) {
            if (fold_node(p, &c)) goto fail;
        } else if (alias) {
            int r = p->root[n->in[0]];
            p->root[n->out[0]] = r;
            p->loc[n->out[0]] = p->loc[r];
            p->n_aliased++;
        } else {
            rr_step *s = &p->steps[p->n_steps];
            s->node = n;
            s->params = c.params;
            s->ws_size = c.ws_size;
            s->state_floats = c.state_floats;
            step_of[i] = p->n_steps++;
            for (int o = 0; o < n->n_out; o++)
                if (n->out[o] >= 0) p->loc[n->out[o]] = RR_LOC_ARENA;
        }
    }

    /* 4. lifetimes of arena storage: from the producing step to the last step reading the value
     *    or any view of it; graph outputs live past the last step */
    for (int v = 0; v < nv; v++) last_use[v] = -1;
    for (int i = 0; i < nn; i++) {
        if (step_of[i] < 0) continue;
        const rr_node *n = &m->nodes[i];
        for (int k = 0; k < n->n_in; k++) {
            int v = n->in[k];
            if (v < 0) continue;
            int r = p->root[v];
            if (last_use[r] < step_of[i]) last_use[r] = step_of[i];
        }
    }
    for (int i = 0; i < m->n_outputs; i++) last_use[p->root[m->outputs[i]]] = p->n_steps;
    for (int v = 0; cfg->keep_all && v < nv; v++) last_use[v] = p->n_steps;
    int nb = 0;
    block *blocks = rr_pool_alloc(&tmp, (size_t)(nv + p->n_steps + 1) * sizeof *blocks);
    if (!blocks) {
        fail_nomem(err);
        goto fail;
    }
    for (int v = 0; v < nv; v++) {
        if (p->loc[v] != RR_LOC_ARENA || p->root[v] != v) continue;
        int prod = m->values[v].producer;
        block *b = &blocks[nb++];
        b->size = rr_tensor_bytes(&p->t[v]);
        b->first = step_of[prod];
        b->last = last_use[v] < b->first ? b->first : last_use[v];
        b->id = v;
    }
    for (int s = 0; s < p->n_steps; s++) {
        if (!p->steps[s].ws_size) continue;
        block *b = &blocks[nb++];
        b->size = p->steps[s].ws_size;
        b->first = b->last = s;
        b->id = -1 - s;
    }
    if (layout(blocks, nb, &tmp, &p->arena_size, err)) goto fail;
    for (int i = 0; i < nb; i++) {
        if (blocks[i].id >= 0) p->offset[blocks[i].id] = blocks[i].offset;
        else p->steps[-1 - blocks[i].id].ws_offset = blocks[i].offset;
    }
    for (int v = 0; v < nv; v++) {
        int r = p->root[v];
        p->offset[v] = p->offset[r];
        if (p->loc[r] == RR_LOC_SLOT && (live_v[v] || v == r)) p->slot_values[p->n_slot_values++] = v;
        if (r != v && p->loc[r] == RR_LOC_CONST) p->t[v].data = p->t[r].data;
    }
    rr_pool_free(&tmp);
    p->bound = NULL;
    return p;
fail:
    rr_pool_free(&tmp);
    rr_plan_free(p);
    return NULL;
}
