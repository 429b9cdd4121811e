/* The op interface. Each op family lives in one file of src/ops/ and exports its rr_op entries
 * through the single dispatch table in registry.c.
 *
 * An op has two functions:
 *   infer(c)  at plan time: checks attributes, input dtypes and shapes, sets every present
 *             output's dtype and shape, and may prepare parameters (c->params, from c->pool) and
 *             ask for a workspace (c->ws_size). Inputs whose value is known at plan time
 *             (initializers, Constant outputs, folded results) have data != NULL; the others
 *             have data == NULL and only their shape is known.
 *   run(c)    computes the outputs. It must not allocate; scratch memory is c->ws.
 * When every input of a node is known at plan time, the planner runs it then (constant folding).
 */
#ifndef RNNRUN_OPS_H
#define RNNRUN_OPS_H

#include "../internal.h"

typedef struct rr_ctx {
    const rnnrun_model *model;
    const rr_node *node;
    rr_tensor *t;          /* the value table, indexed by value id */
    void *params;          /* set by infer, read by run */
    void *ws;              /* run: workspace of ws_size bytes */
    size_t ws_size;        /* infer: bytes of workspace the run needs */
    rr_pool *pool;         /* infer: allocator for params (lives as long as the plan) */
    struct rr_plan *plan;  /* infer: the plan being built (NULL when running) */
    rr_err *err;
    int n_threads;         /* the session's thread count (0 when unset: 1) */
    int64_t max_tensor_bytes; /* infer: the session's per-tensor limit (0 when unset: the model's) */
    int64_t state_floats;  /* infer: floats of state a RR_OP_STATEFUL node carries between runs
                              when streaming (0: this node cannot stream) */
    struct rr_state *state; /* run: the node's carried state when the session streams, else NULL */
    struct rr_threads *threads; /* run: the session's thread pool (NULL: the calling thread only) */
} rr_ctx;

/* The state a recurrent node carries from one run to the next when its session streams. The
 * session owns it and sizes it when planning; the op reads it at the start of a run (when valid)
 * and writes its final state into it at the end. */
typedef struct rr_state {
    float *data;           /* capacity floats */
    int64_t capacity;
    bool valid;            /* holds the final state of the previous run */
    int64_t batch;         /* the batch it was recorded with */
} rr_state;

enum {
    RR_OP_ALIAS = 1u,       /* output 0 holds input 0's bytes unchanged (Reshape, Squeeze, Identity) */
    RR_OP_SHAPE_ONLY = 2u,  /* reads no input data, only shapes (Shape): always folded */
    RR_OP_STATEFUL = 4u,    /* may carry state between runs (RNN, GRU, LSTM): never folded */
};

typedef int (*rr_infer_fn)(rr_ctx *c);
typedef int (*rr_run_fn)(const rr_ctx *c);

typedef struct rr_op {
    const char *op_type;
    int since;           /* ONNX since_version of this entry */
    int min_in, max_in;  /* the first min_in inputs must be present; max_in -1 = variadic */
    int min_out, max_out;
    unsigned flags;
    rr_infer_fn infer;
    rr_run_fn run;
} rr_op;

/* The dispatch table (registry.c): entries sorted by op_type, then since. */
extern const rr_op rr_ops[];
extern const int rr_n_ops;

/* Entry for (op_type, highest since <= opset), or NULL. *known is set when the op type exists
 * at some version (to tell "unknown op" from "unsupported version"). */
const rr_op *rr_op_find(const char *op_type, int opset, bool *known);

/* Write the table of supported ops (markdown: op, since_versions, opsets) to f. */
#include <stdio.h>
void rr_ops_markdown(FILE *f);

/* ---- helpers for infer and run --------------------------------------------------------------- */

static inline rr_tensor *rr_in(const rr_ctx *c, int i) {
    return (i < c->node->n_in && c->node->in[i] >= 0) ? &c->t[c->node->in[i]] : NULL;
}
static inline rr_tensor *rr_out(const rr_ctx *c, int i) {
    return (i < c->node->n_out && c->node->out[i] >= 0) ? &c->t[c->node->out[i]] : NULL;
}
static inline int rr_opset(const rr_ctx *c) { return c->node->opset; }

/* Fail with the node's label prefixed: "node 'x' (Op): <reason>". */
int rr_op_fail(const rr_ctx *c, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Prefix the message already in c->err (e.g. from rr_attr_*) with the node's label. */
int rr_op_prefix(const rr_ctx *c);

/* Set output i's dtype and shape (no-op for an omitted output). */
int rr_set_out(rr_ctx *c, int i, int dtype, int rank, const int64_t *dims);
/* Output i gets input j's dtype and shape. */
int rr_set_out_like(rr_ctx *c, int i, const rr_tensor *like);

/* Checks for infer. */
int rr_need_dtype(const rr_ctx *c, const rr_tensor *t, const char *what, unsigned dtype_mask);
#define RR_M(d) (1u << (d))
#define RR_M_FLOATS (RR_M(RR_FLOAT) | RR_M(RR_DOUBLE))
#define RR_M_INTS (RR_M(RR_INT32) | RR_M(RR_INT64) | RR_M(RR_INT8) | RR_M(RR_UINT8) | RR_M(RR_INT16) | RR_M(RR_UINT16) | RR_M(RR_UINT32) | RR_M(RR_UINT64))
#define RR_M_INDEX (RR_M(RR_INT32) | RR_M(RR_INT64))
#define RR_M_NUM (RR_M_FLOATS | RR_M_INTS)
#define RR_M_ALL (RR_M_NUM | RR_M(RR_BOOL) | RR_M(RR_FLOAT16))

/* Require an input's value at plan time (shape-defining inputs such as Reshape's shape). A small
 * integer graph input (or a scalar of another type) qualifies too: its values become part of the
 * plan's signature (pinned),
 * so a run with other values plans again. */
int rr_need_const(const rr_ctx *c, rr_tensor *t, const char *what);
/* Normalise axis into [0, rank): accepts -rank .. rank-1. */
int rr_axis(const rr_ctx *c, int64_t axis, int rank, const char *what, int *out);
/* Read a 1-D (or scalar) int32/int64 tensor into a plan-pool array. */
int rr_read_ints(const rr_ctx *c, rr_tensor *t, const char *what, int64_t **out, int *count);

/* Multidirectional (numpy) broadcasting of up to 3 operands. rr_broadcast computes the output
 * shape and a walk over it with adjacent dimensions merged; the last merged dimension is the
 * inner loop. Element strides are 0 along broadcast dimensions. */
#define RR_BCAST_MAX 3
typedef struct rr_bcast {
    int n;                              /* operands */
    int rank;                           /* merged rank, >= 1 */
    int64_t dims[RR_MAX_RANK];
    int64_t st[RR_BCAST_MAX][RR_MAX_RANK];
} rr_bcast;
int rr_broadcast(const rr_ctx *c, int n, const rr_tensor *const *in, int *out_rank, int64_t *out_dims,
                 rr_bcast *b);
/* Calls fn(n_inner, offsets[], i_outer) for each run of the inner dimension, with element
 * offsets of each operand. */
typedef void (*rr_bcast_fn)(void *ctx, int64_t n, const int64_t *off, int64_t out_off);
void rr_bcast_walk(const rr_bcast *b, rr_bcast_fn fn, void *ctx);

/* Family entry points, one per file. */
#define RR_DECLARE_OP(name) int rr_infer_##name(rr_ctx *c); int rr_run_##name(const rr_ctx *c)

#endif
