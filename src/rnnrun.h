/* rnnrun: a small, embeddable interpreter for ONNX models of recurrent neural nets.
 *
 * Shape of the API (after SQLite and tract):
 *   - rnnrun_model is loaded once and is immutable afterwards; any number of threads may share it.
 *   - rnnrun_session is one stream of execution over a model: bind inputs, run, read outputs, bind
 *     again. A session is used by one thread at a time. It owns its plans (one per input-shape
 *     signature, cached) and the buffers of a run, so a run with an already-seen signature allocates
 *     nothing.
 *   - Every call that can fail returns an int status (RNNRUN_OK is 0). The session keeps the message
 *     of its last failure (rnnrun_session_errmsg); loading writes its message into a caller buffer.
 *     rnnrun_status_str turns any status into a short string without a handle.
 *   - There is no process-wide state.
 *
 * Rules that hold for every call below unless its comment says otherwise:
 *   - Ownership: handles are created by *_load_* / *_new* and released by the matching *_free;
 *     everything else the library returns (strings, output tensors) is owned by the library and
 *     must not be freed or written by the caller. Nothing the caller passes in is freed by rnnrun.
 *   - Threads: calls that take a const rnnrun_model * (or no handle) may run on any number of
 *     threads at once. Calls on one rnnrun_session must not overlap: use a session from one thread
 *     at a time (different sessions, also of the same model, run in parallel). rnnrun_model_free
 *     and rnnrun_session_free must not overlap any other call on that handle.
 *   - Errors: a NULL handle or a NULL required pointer gives RNNRUN_ERR_ARG (queries that return
 *     a count return -1, those that return a pointer return NULL); the library never aborts or
 *     exits, and a failed call changes nothing except where its comment says so.
 */
#ifndef RNNRUN_H
#define RNNRUN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Only the calls below are exported from the shared library. */
#if defined(__GNUC__)
#define RNNRUN_API __attribute__((visibility("default")))
#else
#define RNNRUN_API
#endif

#define RNNRUN_VERSION_MAJOR 0
#define RNNRUN_VERSION_MINOR 1
#define RNNRUN_VERSION_PATCH 0
#define RNNRUN_VERSION "0.1.0"
/* major*1000000 + minor*1000 + patch */
#define RNNRUN_VERSION_NUMBER 1000

/* The library's version string (equals RNNRUN_VERSION of the library actually linked). */
RNNRUN_API const char *rnnrun_version(void);

/* Status codes. Every function that returns int returns one of these. */
enum rnnrun_status {
    RNNRUN_OK = 0,
    RNNRUN_ERR_ARG = 1,         /* misuse: NULL handle or pointer, invalid argument */
    RNNRUN_ERR_NOMEM = 2,       /* an allocation failed */
    RNNRUN_ERR_IO = 3,          /* a file could not be opened, read or written */
    RNNRUN_ERR_FORMAT = 4,      /* a file is not what it claims: bad protobuf, bad .npy */
    RNNRUN_ERR_MODEL = 5,       /* a well-formed model that is invalid: dangling name, cycle, bad attribute */
    RNNRUN_ERR_UNSUPPORTED = 6, /* valid ONNX that rnnrun does not implement: op, version, domain, dtype */
    RNNRUN_ERR_DTYPE = 7,       /* a tensor has the wrong element type */
    RNNRUN_ERR_SHAPE = 8,       /* a tensor has the wrong shape, or shapes do not agree */
    RNNRUN_ERR_VALUE = 9,       /* a value is out of its range at run time (an index, a length) */
    RNNRUN_ERR_LIMIT = 10,      /* a resource limit would be exceeded (rank, tensor size) */
    RNNRUN_ERR_STATE = 11,      /* a call out of order: run with an input unbound, output before run */
    RNNRUN_ERR_RANGE = 12       /* an input or output index out of range, or an unknown name */
};

/* A short English description of a status, e.g. "unsupported"; "unknown status" for a code that
 * is not one of these. Never NULL; the string is static (never freed); needs no handle. */
RNNRUN_API const char *rnnrun_status_str(int status);

/* Element types, with ONNX's TensorProto.DataType codes. */
typedef enum rnnrun_dtype {
    RNNRUN_FLOAT = 1,
    RNNRUN_UINT8 = 2,
    RNNRUN_INT8 = 3,
    RNNRUN_INT32 = 6,
    RNNRUN_INT64 = 7,
    RNNRUN_BOOL = 9, /* one byte per element, 0 or 1 */
    RNNRUN_DOUBLE = 11
} rnnrun_dtype;

/* Name of a dtype ("float32", "int64", ...), or "?" for a code rnnrun does not know. Static string. */
RNNRUN_API const char *rnnrun_dtype_name(int dtype);
/* Size of one element in bytes, or 0 for a code rnnrun does not know. */
RNNRUN_API size_t rnnrun_dtype_size(int dtype);

#define RNNRUN_MAX_RANK 8

/* A tensor handed across the API: dense, row-major (C order), native little-endian. */
typedef struct rnnrun_tensor {
    rnnrun_dtype dtype;
    int rank;                        /* 0 .. RNNRUN_MAX_RANK; 0 is a scalar */
    int64_t shape[RNNRUN_MAX_RANK];  /* shape[0 .. rank-1]; each >= 0 */
    void *data;                      /* row-major; may be NULL only when the tensor has no elements */
} rnnrun_tensor;

typedef struct rnnrun_model rnnrun_model;     /* immutable once loaded; shared by any number of threads */
typedef struct rnnrun_session rnnrun_session; /* one stream of execution; one thread at a time */

/* ---- Models ---------------------------------------------------------------------------------- */

/* Load an ONNX model from a file. External tensor data is read relative to the file's folder.
 * Returns RNNRUN_OK and sets *out, or returns an error status, sets *out to NULL (when out is not
 * NULL) and, when err is not NULL and err_size > 0, writes a NUL-terminated message naming the
 * file, node, op and reason into err (truncated to err_size bytes; "" on success). The model is
 * fully validated: every node's op and version must be supported. Errors: RNNRUN_ERR_ARG (path
 * or out NULL), _IO (cannot read the file or external data), _FORMAT (not a model protobuf),
 * _MODEL, _UNSUPPORTED, _LIMIT (a tensor above 4 GiB, rank above RNNRUN_MAX_RANK), _NOMEM.
 * The caller owns the model and frees it with rnnrun_model_free. The file is not needed after the
 * call. Models are allocated with malloc (on Linux, blocks of 128 KiB or more with mmap). The file
 * is mapped while it loads, read where it cannot be mapped: a file truncated by another process
 * during the load can raise SIGBUS (read it and use rnnrun_model_load_buffer where files are
 * rewritten in place). Thread-safe (loads share nothing). */
RNNRUN_API int rnnrun_model_load_file(const char *path, rnnrun_model **out, char *err, size_t err_size);

/* The same from bytes in memory (the bytes are not needed after the call). A model loaded this way
 * has no folder, so external tensor data is refused. data may be NULL only when size is 0 (which
 * then fails as an empty model). */
RNNRUN_API int rnnrun_model_load_buffer(const void *data, size_t size, rnnrun_model **out, char *err,
                             size_t err_size);

/* Free a model and everything it owns (names and strings returned by the queries below become
 * invalid). NULL is a no-op. Every session of the model must have been freed before, and no other
 * thread may be using the model. */
RNNRUN_API void rnnrun_model_free(rnnrun_model *m);

/* Inputs are the graph inputs the caller must bind: those without an initializer, in graph order.
 * Graph inputs that also have an initializer (older exporters list every weight as an input) keep
 * their initializer unless bound by name with rnnrun_session_set_input_by_name.
 * Counts return -1 for a NULL model; names return NULL for a NULL model or an index out of range.
 * Returned strings live as long as the model. */
RNNRUN_API int rnnrun_model_input_count(const rnnrun_model *m);
RNNRUN_API int rnnrun_model_output_count(const rnnrun_model *m);
RNNRUN_API const char *rnnrun_model_input_name(const rnnrun_model *m, int i);
RNNRUN_API const char *rnnrun_model_output_name(const rnnrun_model *m, int i);

/* Index of the input or output with this name, or -1 (also for a NULL model or name). Inputs
 * with an initializer are not counted: bind those with rnnrun_session_set_input_by_name. */
RNNRUN_API int rnnrun_model_input_index(const rnnrun_model *m, const char *name);
RNNRUN_API int rnnrun_model_output_index(const rnnrun_model *m, const char *name);

/* Declared type of input/output i as the model states it: dtype (0 if the model does not say),
 * rank (-1 if unknown), and per dimension a size (-1 when symbolic or unknown) and, for symbolic
 * dimensions, the dim_param name (NULL when none; it lives as long as the model). dtype, rank,
 * dims and params may each be NULL; dims and params otherwise hold RNNRUN_MAX_RANK entries.
 * Returns RNNRUN_OK, RNNRUN_ERR_ARG for a NULL model, RNNRUN_ERR_RANGE for a bad index (nothing
 * written then). */
RNNRUN_API int rnnrun_model_input_info(const rnnrun_model *m, int i, int *dtype, int *rank, int64_t *dims,
                            const char **params);
RNNRUN_API int rnnrun_model_output_info(const rnnrun_model *m, int i, int *dtype, int *rank, int64_t *dims,
                             const char **params);

/* Highest opset of the default ONNX domain the model imports, and its IR version (-1 for NULL). */
RNNRUN_API int rnnrun_model_opset(const rnnrun_model *m);
RNNRUN_API int64_t rnnrun_model_ir_version(const rnnrun_model *m);

/* Number of nodes (-1 for NULL), and the op type of node i in execution order (NULL for a NULL
 * model or an index out of range; the string lives as long as the model). */
RNNRUN_API int rnnrun_model_node_count(const rnnrun_model *m);
RNNRUN_API const char *rnnrun_model_node_op(const rnnrun_model *m, int i);

/* ---- Sessions -------------------------------------------------------------------------------- */

/* An allocator for everything a session allocates (its tables, plans, folded constants and the
 * arena of intermediate tensors); models are allocated with malloc. alloc(user, size) returns a
 * block of at least size bytes (size > 0) aligned as malloc's, or NULL on failure, which the call
 * that needed it reports as RNNRUN_ERR_NOMEM (the session stays usable and leaks nothing).
 * free(user, ptr) releases a block alloc returned; ptr is never NULL. rnnrun never reallocates.
 * Both functions are called only from inside rnnrun_session_* calls on that session, i.e. from
 * the one thread using the session at the time; allocators shared by sessions used on different
 * threads must be thread-safe. The user pointer is passed through unchanged. */
typedef struct rnnrun_allocator {
    void *(*alloc)(void *user, size_t size);
    void (*free)(void *user, void *ptr);
    void *user;
} rnnrun_allocator;

#define RNNRUN_MAX_THREADS 256

/* Options for rnnrun_session_new_with_options. Always start from rnnrun_session_options_init,
 * which sets struct_size and every default; then change the fields you need. Fields are only ever
 * appended, so a program built against an older header keeps working (the library reads only the
 * first struct_size bytes and uses defaults for the rest). */
typedef struct rnnrun_session_options {
    size_t struct_size;         /* sizeof(rnnrun_session_options), set by rnnrun_session_options_init */
    int n_threads;              /* threads the ops may use: 0 (default) = 1, at most RNNRUN_MAX_THREADS.
                                   Stored for the ops; this release runs every op on the calling thread */
    int64_t max_tensor_bytes;   /* largest tensor, in bytes, a plan or a bound input may have:
                                   0 (default) = 4 GiB. A larger tensor fails with RNNRUN_ERR_LIMIT */
    rnnrun_allocator allocator; /* alloc and free both NULL (default): malloc and free (on Linux,
                                   mmap with populated pages for blocks of 128 KiB or more) */
} rnnrun_session_options;

/* Fill *o with the defaults (1 thread, 4 GiB per tensor, malloc/free) and set o->struct_size.
 * NULL is a no-op. */
RNNRUN_API void rnnrun_session_options_init(rnnrun_session_options *o);

/* Create a session over m with default options (rnnrun_session_new_with_options with opt NULL).
 * m must outlive the session. Returns RNNRUN_OK and sets *out, or RNNRUN_ERR_ARG (m or out NULL)
 * or RNNRUN_ERR_NOMEM, and sets *out to NULL (when out is not NULL). Creating sessions of one
 * model from several threads at once is safe. */
RNNRUN_API int rnnrun_session_new(const rnnrun_model *m, rnnrun_session **out);

/* Create a session over m with options (NULL: the defaults). The options are copied; opt need not
 * outlive the call, but the allocator's user pointer must outlive the session. Returns
 * RNNRUN_OK and sets *out; otherwise sets *out to NULL (when out is not NULL) and returns
 *   RNNRUN_ERR_ARG          m or out is NULL; struct_size is smaller than the first release's
 *                           struct (see rnnrun_session_options_init); n_threads is negative or
 *                           above RNNRUN_MAX_THREADS; max_tensor_bytes is negative; exactly one
 *                           of allocator.alloc and allocator.free is NULL;
 *   RNNRUN_ERR_UNSUPPORTED  struct_size is larger than this library's struct (a newer header) and
 *                           an option this library does not know is not zero;
 *   RNNRUN_ERR_NOMEM        the allocator failed (nothing is leaked). */
RNNRUN_API int rnnrun_session_new_with_options(const rnnrun_model *m, const rnnrun_session_options *opt,
                                               rnnrun_session **out);

/* Free a session and everything it owns (through its allocator). NULL is a no-op. Output data
 * read from the session becomes invalid. */
RNNRUN_API void rnnrun_session_free(rnnrun_session *s);

/* Bind input `index` (0 .. input_count-1). The descriptor is copied; the data is NOT copied and is
 * read during rnnrun_session_run, so it must stay valid and unchanged until that run returns
 * (and, for an output that is the input itself, while that output is read). The binding lasts
 * until it is replaced: runs may repeat on the same binding, and the caller may change the data
 * in place between runs.
 * The dtype must equal the model's declared dtype, the rank the declared rank, and every fixed
 * dimension its declared size. Errors, after which the previous binding (if any) stays:
 *   RNNRUN_ERR_ARG    s or t NULL, or data NULL for a tensor with elements;
 *   RNNRUN_ERR_RANGE  index out of range;
 *   RNNRUN_ERR_DTYPE  a dtype code rnnrun does not know, or not the declared dtype;
 *   RNNRUN_ERR_SHAPE  not the declared rank, a fixed dimension differs, a negative dimension;
 *   RNNRUN_ERR_LIMIT  rank above RNNRUN_MAX_RANK, or more bytes than the session's max_tensor_bytes.
 * Dimensions that share a symbolic name are checked against each other when the session runs. */
RNNRUN_API int rnnrun_session_set_input(rnnrun_session *s, int index, const rnnrun_tensor *t);
/* Bind by name: any input, or a graph input that has an initializer (overriding it; a bound
 * initializer stays overridden for the life of the session). The same rules and errors as
 * rnnrun_session_set_input; RNNRUN_ERR_ARG for a NULL name, RNNRUN_ERR_RANGE for an unknown one. */
RNNRUN_API int rnnrun_session_set_input_by_name(rnnrun_session *s, const char *name, const rnnrun_tensor *t);

/* Run the model on the bound inputs. The first run for a new combination of input shapes plans
 * (shape inference, constant folding, buffer layout) and caches the plan; later runs with the
 * same shapes allocate nothing. On failure the message names the node, op and reason, the
 * outputs are unavailable (RNNRUN_ERR_STATE) until a run succeeds, and the session stays usable:
 * bind a fixed input and run again. Errors: RNNRUN_ERR_ARG (s NULL), RNNRUN_ERR_STATE (an input
 * is not bound), RNNRUN_ERR_SHAPE / _DTYPE / _VALUE / _UNSUPPORTED (the inputs do not fit the
 * model: symbolic dimensions that disagree, shapes an op refuses), RNNRUN_ERR_LIMIT (a tensor
 * above max_tensor_bytes), RNNRUN_ERR_NOMEM (the allocator failed while planning). */
RNNRUN_API int rnnrun_session_run(rnnrun_session *s);

/* Output `index` of the last run. out->data points into the session (or, for an output that is
 * a graph input, at the caller's input data) and stays valid until the next rnnrun_session_run
 * or rnnrun_session_free; the caller must not free or write it. RNNRUN_ERR_STATE if there has
 * been no run yet or the last run failed; RNNRUN_ERR_RANGE for a bad index. */
RNNRUN_API int rnnrun_session_output(rnnrun_session *s, int index, rnnrun_tensor *out);

/* The message of the last failed call on this session ("" after a successful bind or run).
 * Owned by the session; valid until the next call on it. For a NULL session, a static message. */
RNNRUN_API const char *rnnrun_session_errmsg(const rnnrun_session *s);

/* ---- Streaming ------------------------------------------------------------------------------- */

/* Defined when the header has rnnrun_session_set_streaming and rnnrun_session_reset_state. */
#define RNNRUN_HAS_STREAMING 1

/* Streaming on (on != 0) or off. With streaming on, each run takes the next chunk of the
 * sequence (any length, a single step included) and every recurrent node (RNN, GRU, LSTM) starts
 * from its own final state of the previous run instead of its initial_h / initial_c; the first
 * run after switching on (or after rnnrun_session_reset_state) starts from the initial state as
 * usual. Feeding a sequence in chunks then gives the same outputs as one whole run: per-step
 * outputs chunk by chunk, final states equal. Inputs such as initial_h must still be bound (they
 * are read only on a fresh start). The batch must stay the same from run to run
 * (RNNRUN_ERR_STATE otherwise: reset the state to change it). Within a chunk, a row whose
 * sequence_lens is 0 keeps its state. A run that fails before any node runs (unbound or
 * misshapen inputs) leaves the state as it was; a run that fails in a node may have advanced the
 * state of the nodes before it: reset to start over.
 * Errors: RNNRUN_ERR_ARG (s NULL); RNNRUN_ERR_UNSUPPORTED when switching on for a model with a
 * reverse or bidirectional recurrent node, whose outputs need the whole sequence at once (the
 * message names the node). Switching on or off also resets the state. */
RNNRUN_API int rnnrun_session_set_streaming(rnnrun_session *s, int on);

/* Forget the carried state: the next run starts every recurrent node from its initial state.
 * RNNRUN_ERR_ARG for a NULL session; otherwise RNNRUN_OK (also when not streaming). */
RNNRUN_API int rnnrun_session_reset_state(rnnrun_session *s);

#ifdef __cplusplus
}
#endif
#endif /* RNNRUN_H */
