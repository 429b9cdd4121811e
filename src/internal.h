/* Internal representation shared by the loader, the planner, the executor and the ops.
 *
 *   protobuf --(loader.c)--> rnnrun_model (own IR, protobuf freed)
 *            --(plan.c)----> rr_plan for one input-shape signature (shapes, folded constants,
 *                            buffer offsets, steps)
 *            --(session.c)-> runs: resolve pointers, call each step's kernel.
 */
#ifndef RNNRUN_INTERNAL_H
#define RNNRUN_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rnnrun.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#error "rnnrun reads little-endian tensor data in place: big-endian hosts are not supported"
#endif

#define RR_MAX_RANK RNNRUN_MAX_RANK
#define RR_ALIGN 64                       /* every buffer and arena offset is aligned to this */
#define RR_DEFAULT_MAX_TENSOR_BYTES ((int64_t)4 << 30)
#define RR_MIN_IR 3        /* IR versions read */
#define RR_MAX_IR 13
#define RR_MAX_OPSET 27    /* newest opset of the default domain */

/* ONNX TensorProto.DataType codes used inside rnnrun (a superset of rnnrun_dtype). */
enum {
    RR_UNDEFINED = 0, RR_FLOAT = 1, RR_UINT8 = 2, RR_INT8 = 3, RR_UINT16 = 4, RR_INT16 = 5,
    RR_INT32 = 6, RR_INT64 = 7, RR_STRING = 8, RR_BOOL = 9, RR_FLOAT16 = 10, RR_DOUBLE = 11,
    RR_UINT32 = 12, RR_UINT64 = 13
};

/* ---- errors ---------------------------------------------------------------------------------- */

typedef struct rr_err {
    int status;
    char msg[1024];
} rr_err;

/* Record the first error: sets status and message, returns status. Later calls on an err that
 * already holds an error keep the first message (the most specific one). */
int rr_fail(rr_err *err, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* rr_fail with a va_list */
int rr_vfail(rr_err *err, int status, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
/* Prefix the message already in err with "prefix: ". Returns err->status. */
int rr_err_prefix(rr_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- checked arithmetic ---------------------------------------------------------------------- */

static inline bool rr_mul_ok(int64_t a, int64_t b, int64_t *out) {
    return !__builtin_mul_overflow(a, b, out);
}
static inline bool rr_add_ok(int64_t a, int64_t b, int64_t *out) {
    return !__builtin_add_overflow(a, b, out);
}
static inline size_t rr_align_up(size_t n) { return (n + (RR_ALIGN - 1)) & ~(size_t)(RR_ALIGN - 1); }
/* The first RR_ALIGN-aligned address at or after p (blocks are over-allocated by RR_ALIGN). */
static inline void *rr_align_ptr(void *p) {
    return (void *)(((uintptr_t)p + RR_ALIGN - 1) & ~(uintptr_t)(RR_ALIGN - 1));
}

/* ---- files ----------------------------------------------------------------------------------- */

/* Open path for reading only if it is a regular file (a FIFO or a device would block or never
 * end): returns a descriptor, or -1 with errno set (EINVAL when the file is not regular). */
int rr_open_regular(const char *path);

/* ---- allocation ------------------------------------------------------------------------------ */

/* Every allocation of a session (its plans, arena and tables) goes through its allocator: the
 * public rnnrun_allocator (alloc, free, user). */
typedef rnnrun_allocator rr_allocator;

/* malloc and free; on Linux blocks of 128 KiB or more are mmap-ed with their pages populated
 * (2 MiB-aligned transparent huge pages from 2 MiB on): see util.c */
extern const rr_allocator rr_default_allocator;

static inline void *rr_alloc(const rr_allocator *a, size_t size) { return a->alloc(a->user, size ? size : 1); }
/* Fault in the pages of [p, p + n) that lie within it (the first one too) in one call, where a
 * is the default allocator (or a copy of it) and the system can (Linux 5.14+): a first-touch fault costs several
 * times a populated page. Does nothing else; the memory stays as it was. */
void rr_prefault(const rr_allocator *a, void *p, size_t n);
/* From this size up the default allocator maps blocks with their pages populated (glibc's own
 * mmap threshold) */
#define RR_MAP_MIN ((size_t)128 << 10)
/* A whole block of size bytes from a, its pages brought in: rr_prefault below RR_MAP_MIN, bigger
 * ones came populated */
void rr_prefault_block(const rr_allocator *a, void *block, size_t size);
static inline void rr_free(const rr_allocator *a, void *p) {
    if (p) a->free(a->user, p);
}
/* Zeroed array of n elements of size bytes, or NULL (also on overflow). */
void *rr_calloc(const rr_allocator *a, size_t n, size_t size);

/* ---- memory pools ---------------------------------------------------------------------------- */

/* A pool hands out aligned blocks that are all freed together (model IR, plans). Error paths
 * cannot leak: freeing the pool frees everything allocated from it. */
typedef struct rr_pool_chunk rr_pool_chunk;
typedef struct rr_pool {
    const rr_allocator *a;
    rr_pool_chunk *head;
    size_t used;      /* bytes used in head */
    size_t cap;       /* bytes in head */
    size_t ready;     /* head's bytes before this offset have their pages in (see rr_prefault) */
    size_t total;     /* bytes allocated from the system, for reports */
} rr_pool;

void rr_pool_init(rr_pool *p, const rr_allocator *a);
void rr_pool_free(rr_pool *p);
/* Zeroed, RR_ALIGN-aligned block, or NULL on failure (or size over SIZE_MAX/2). */
void *rr_pool_alloc(rr_pool *p, size_t size);
/* Zeroed, 8-byte aligned block (strings, index arrays): small blocks packed side by side rather
 * than one per RR_ALIGN bytes. NULL on failure. */
void *rr_pool_alloc_packed(rr_pool *p, size_t size);
/* Copies packed as rr_pool_alloc_packed's blocks. */
char *rr_pool_strdup(rr_pool *p, const char *s);
/* A block laid out as a pool's own chunk, not (yet) in any pool: RR_ALIGN-aligned, not zeroed,
 * from allocator a. rr_pool_block_adopt hands it to pool p (whose allocator must be a), which
 * then frees it with everything else; until then rr_pool_block_free frees it. */
void *rr_pool_block_new(const rr_allocator *a, size_t size);
void rr_pool_block_free(const rr_allocator *a, void *data);
void rr_pool_block_adopt(rr_pool *p, void *data, size_t size);

char *rr_pool_strndup(rr_pool *p, const char *s, size_t n);
/* Make [mem, mem + size) (RR_ALIGN-aligned, its pages in) pool p's head chunk, where its small
 * blocks go from now on. The pool does not own it: rr_pool_free leaves it alone, so mem must
 * outlive the pool's use of it (a block the same pool owns, or one freed after the pool). */
void rr_pool_lend(rr_pool *p, void *mem, size_t size);
/* One block of size bytes (rr_pool_block_new from p's allocator, its pages in) that pool p owns
 * and whose first own bytes it takes as its head chunk (rr_pool_lend); the rest is the caller's
 * to lend elsewhere. NULL when out of memory. */
unsigned char *rr_pool_region(rr_pool *p, size_t size, size_t own);

/* ---- tensors --------------------------------------------------------------------------------- */

typedef struct rr_tensor {
    int dtype;                  /* RR_* code */
    int rank;                   /* 0 .. RR_MAX_RANK */
    int64_t dims[RR_MAX_RANK];
    int64_t numel;              /* product of dims (1 for a scalar) */
    void *data;                 /* at plan time: non-NULL only for values known as constants */
} rr_tensor;

/* Element size in bytes of a dtype rnnrun can hold, else 0. */
size_t rr_dtype_size(int dtype);
/* "float32", "int64", ... or "dtype(N)". buf is used only for unknown codes (16 bytes). */
const char *rr_dtype_name(int dtype);
/* Whether a dtype can be stored in a tensor (every one with a size). */
static inline bool rr_dtype_ok(int dtype) { return rr_dtype_size(dtype) != 0; }

/* Set rank/dims/numel with overflow and limit checks. */
int rr_tensor_set_shape(rr_tensor *t, int rank, const int64_t *dims, int64_t max_bytes, rr_err *err);
/* Bytes of a tensor whose numel is already checked. */
static inline size_t rr_tensor_bytes(const rr_tensor *t) {
    return (size_t)t->numel * rr_dtype_size(t->dtype);
}
/* "(2, 3, 4)" into buf. */
const char *rr_shape_str(const int64_t *dims, int rank, char *buf, size_t size);
bool rr_shape_eq(const rr_tensor *a, const rr_tensor *b);
/* Read element i of an integer tensor (int32/int64/uint8/int8/bool) as int64. */
int64_t rr_get_int(const rr_tensor *t, int64_t i);
/* Read element i of a float/double tensor as double. */
double rr_get_real(const rr_tensor *t, int64_t i);

/* ---- model IR -------------------------------------------------------------------------------- */

typedef enum rr_attr_type {
    RR_ATTR_UNDEFINED = 0, RR_ATTR_FLOAT = 1, RR_ATTR_INT = 2, RR_ATTR_STRING = 3,
    RR_ATTR_TENSOR = 4, RR_ATTR_GRAPH = 5, RR_ATTR_FLOATS = 6, RR_ATTR_INTS = 7,
    RR_ATTR_STRINGS = 8, RR_ATTR_TENSORS = 9, RR_ATTR_GRAPHS = 10, RR_ATTR_SPARSE_TENSOR = 11,
    RR_ATTR_SPARSE_TENSORS = 12, RR_ATTR_TYPE_PROTO = 13, RR_ATTR_TYPE_PROTOS = 14
} rr_attr_type;

typedef struct rr_attr {
    const char *name;
    rr_attr_type type;
    float f;                 /* FLOAT */
    int64_t i;               /* INT */
    const char *s;           /* STRING (NUL-terminated copy; slen holds the true length) */
    size_t slen;
    rr_tensor *t;            /* TENSOR (NULL for kinds rnnrun does not hold, e.g. sparse) */
    int n;                   /* count of FLOATS / INTS / STRINGS */
    float *floats;
    int64_t *ints;
    const char **strings;
} rr_attr;

typedef enum rr_value_kind {
    RR_VAL_NODE = 0,      /* produced by a node */
    RR_VAL_INPUT = 1,     /* graph input without initializer: must be bound */
    RR_VAL_CONST = 2,     /* initializer that is not a graph input */
    RR_VAL_DEFAULTED = 3  /* graph input with an initializer: the initializer unless bound */
} rr_value_kind;

typedef struct rr_dim {
    int64_t size;         /* >= 0, or -1 when symbolic/unknown */
    const char *param;    /* dim_param, or NULL */
} rr_dim;

typedef struct rr_value {
    const char *name;
    rr_value_kind kind;
    int producer;         /* node index (execution order) or -1 */
    int slot;             /* index into model->slots for INPUT/DEFAULTED, else -1 */
    /* declared type (graph inputs/outputs/value_info); dtype 0 and rank -1 when unknown */
    int decl_dtype;
    int decl_rank;
    rr_dim *decl;         /* [decl_rank] (NULL when decl_rank <= 0) */
    rr_tensor *init;      /* initializer data for CONST and DEFAULTED values */
} rr_value;

struct rr_op;

typedef struct rr_node {
    const char *name;     /* may be "" */
    const char *op_type;
    const char *domain;   /* "" for the default domain */
    int index;            /* position in execution order */
    int n_in, n_out;
    int *in;              /* value ids; -1 for an omitted optional input */
    int *out;             /* value ids; -1 for an omitted optional output */
    int n_attr;
    rr_attr *attrs;
    const struct rr_op *op;  /* resolved kernel entry */
    int opset;               /* the model's opset for this node's domain */
} rr_node;

struct rnnrun_model {
    rr_pool pool;             /* owns everything below */
    const char *path;         /* file the model came from, or "<buffer>" */
    int64_t ir_version;
    int opset;                /* default domain */
    int n_imports;            /* every opset_import entry, for reports */
    const char **import_domains;
    int64_t *import_versions;
    const char *producer;     /* producer_name + version, may be "" */
    int n_values;
    rr_value *values;
    int n_nodes;
    rr_node *nodes;           /* topologically sorted */
    /* bindable slots: first the required inputs (graph order), then the defaulted ones */
    int n_slots;
    int n_inputs;             /* required inputs: slots[0 .. n_inputs-1] */
    int *slots;               /* value ids */
    int n_outputs;
    int *outputs;             /* value ids, graph order */
    int64_t max_tensor_bytes;
};

/* A value's declared shape, "(batch, 6, 16)": symbolic dims by name ("?" when unnamed),
 * "(unknown rank)" when the model declares none. */
const char *rr_decl_str(const rr_value *v, char *buf, size_t size);

/* "node 'name' (Op)" or "node #3 (Op, output 'y')" into buf. */
const char *rr_node_label(const rnnrun_model *m, const rr_node *n, char *buf, size_t size);

/* Attribute look-ups. Each returns RNNRUN_OK, or a model error naming the attribute when it is
 * present with the wrong type. Absent attributes give the default and *present = false. */
const rr_attr *rr_attr_find(const rr_node *n, const char *name);
int rr_attr_int(const rr_node *n, const char *name, int64_t def, int64_t *out, rr_err *err);
int rr_attr_float(const rr_node *n, const char *name, float def, float *out, rr_err *err);
int rr_attr_ints(const rr_node *n, const char *name, const int64_t **out, int *count, rr_err *err);
int rr_attr_string(const rr_node *n, const char *name, const char *def, const char **out, rr_err *err);

/* ---- TensorProto conversion (loader.c), also used by the conformance tests ----------------- */

struct Onnx__TensorProto;
/* Convert a TensorProto into a tensor allocated in pool. base_dir: folder for external data
 * (NULL refuses external data). what: a label for messages ("initializer 'w'"). */
int rr_tensor_from_proto(rr_pool *pool, const struct Onnx__TensorProto *tp, const char *base_dir,
                         int64_t max_bytes, const char *what, rr_tensor **out, rr_err *err);

/* rnnrun_model_load_file, reading the file with read() instead of mapping it when map is false
 * (the fallback for files that cannot be mapped; tests compare the two). */
int rr_model_load_file_with(const char *path, bool map, rnnrun_model **out, char *errbuf, size_t errsize);

/* ---- plans and sessions ---------------------------------------------------------------------- */

typedef struct rr_plan rr_plan;

/* Build a plan for the bound input tensors (one per slot; dtype < 0 marks an unbound defaulted
 * slot, which then takes its initializer). On failure returns NULL with err set. */
rr_plan *rr_plan_build(const rnnrun_model *m, const rr_tensor *bound, const bool *is_bound,
                       const rr_allocator *a, rr_err *err);
void rr_plan_free(rr_plan *p);

/* What a session passes to the planner and, through rr_ctx, to the ops. */
typedef struct rr_settings {
    int n_threads;            /* >= 1: threads an op may use */
    int64_t max_tensor_bytes; /* > 0: limit on every planned tensor */
    bool keep_all;            /* debugging (rnnrun --dump): every node runs, also those no output
                                 needs, and every value keeps its own storage until the run ends */
} rr_settings;
/* rr_plan_build with settings (NULL: 1 thread, the model's max_tensor_bytes). */
rr_plan *rr_plan_build_with(const rnnrun_model *m, const rr_tensor *bound, const bool *is_bound,
                            const rr_allocator *a, const rr_settings *cfg, rr_err *err);

/* A session whose every allocation goes through a (NULL: malloc and free). */
int rr_session_new_with(const rnnrun_model *m, const rr_allocator *a, rnnrun_session **out);
/* Debugging (not exported): plan with keep_all from now on (drops the cached plans). */
int rr_session_keep_all(rnnrun_session *s, bool on);
/* After a successful run: value v's dtype, shape and data. Valid for every value a node computed
 * when the session keeps all values, otherwise only for graph outputs, inputs and constants.
 * RNNRUN_ERR_STATE without a successful run, RNNRUN_ERR_RANGE for a value with no storage. */
int rr_session_value(const rnnrun_session *s, int v, rr_tensor *out);
/* The settings a session was created with (from its options). */
rr_settings rr_session_settings(const rnnrun_session *s);

#endif /* RNNRUN_INTERNAL_H */
