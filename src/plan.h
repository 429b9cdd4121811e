/* A plan: everything about running a model that depends on the input shapes, fixed once. */
#ifndef RNNRUN_PLAN_H
#define RNNRUN_PLAN_H

#include "internal.h"

typedef enum rr_loc {
    RR_LOC_NONE = 0,   /* not needed by any output */
    RR_LOC_CONST = 1,  /* t[v].data points at an initializer or a folded result */
    RR_LOC_ARENA = 2,  /* session arena + offset[v] */
    RR_LOC_SLOT = 3    /* the caller's bound input slot[v] */
} rr_loc;

typedef struct rr_step {
    const rr_node *node;
    void *params;          /* prepared by the op's infer */
    size_t ws_offset;      /* workspace in the arena */
    size_t ws_size;
    int64_t state_floats;  /* streaming state the node carries (RR_OP_STATEFUL), 0 if none */
} rr_step;

struct rr_plan {
    rr_pool pool;                 /* owns everything below and the folded constants */
    const rnnrun_model *model;
    int n_values;
    rr_tensor *t;                 /* [n_values] dtype and shape; data for RR_LOC_CONST */
    uint8_t *loc;                 /* [n_values] rr_loc of the storage (after following aliases) */
    int *root;                    /* [n_values] value whose storage this value uses (itself if none) */
    size_t *offset;               /* [n_values] arena offset of the root, for RR_LOC_ARENA */
    int n_steps;
    rr_step *steps;
    size_t arena_size;
    int n_folded;                 /* nodes computed at plan time */
    int n_aliased;                /* nodes that became views of their input */
    /* the signature this plan was built for */
    int n_slots;
    rr_tensor *sig;               /* [n_slots] dtype and shape of each bound slot */
    bool *sig_bound;              /* [n_slots] */
    int n_slot_values;            /* values stored in a caller's input, refreshed on every run */
    int *slot_values;
    void **pinned;                /* [n_slots] copy of a slot's values when the plan depends on
                                     them (a shape given as a graph input), else NULL */
    const rr_tensor *bound;       /* the bindings, while the plan is being built */
};

/* Make value v's data known at plan time if it is (a view of) a small int32/int64 graph input or
 * a scalar one of another numeric type or bool (Range's bounds, Dropout's training_mode): the
 * values are copied into the plan and become part of its signature. Returns false otherwise. */
bool rr_plan_pin(rr_plan *p, int v);

/* Whether the plan was built for exactly these bindings. */
bool rr_plan_matches(const rr_plan *p, const rr_tensor *bound, const bool *is_bound);

#endif
