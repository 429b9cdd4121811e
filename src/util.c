/* Shared helpers: errors, pools, dtypes, shapes, attribute look-ups, version and status strings. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MAP_POPULATE, madvise */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/mman.h>
#endif
#include <unistd.h>

#include "internal.h"

const char *rnnrun_version(void) { return RNNRUN_VERSION; }

const char *rnnrun_status_str(int status) {
    switch (status) {
    case RNNRUN_OK: return "ok";
    case RNNRUN_ERR_ARG: return "invalid argument";
    case RNNRUN_ERR_NOMEM: return "out of memory";
    case RNNRUN_ERR_IO: return "i/o error";
    case RNNRUN_ERR_FORMAT: return "malformed file";
    case RNNRUN_ERR_MODEL: return "invalid model";
    case RNNRUN_ERR_UNSUPPORTED: return "unsupported";
    case RNNRUN_ERR_DTYPE: return "wrong dtype";
    case RNNRUN_ERR_SHAPE: return "wrong shape";
    case RNNRUN_ERR_VALUE: return "value out of range";
    case RNNRUN_ERR_LIMIT: return "limit exceeded";
    case RNNRUN_ERR_STATE: return "call out of order";
    case RNNRUN_ERR_RANGE: return "index or name out of range";
    default: return "unknown status";
    }
}

/* ---- errors ---------------------------------------------------------------------------------- */

int rr_vfail(rr_err *err, int status, const char *fmt, va_list ap) {
    if (err->status != RNNRUN_OK) return err->status;
    err->status = status;
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    return status;
}

int rr_fail(rr_err *err, int status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    rr_vfail(err, status, fmt, ap);
    va_end(ap);
    return err->status;
}

int rr_err_prefix(rr_err *err, const char *fmt, ...) {
    char pre[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pre, sizeof pre, fmt, ap);
    va_end(ap);
    size_t cap = sizeof err->msg, pl = strlen(pre);
    if (pl > cap / 2) pl = cap / 2;
    /* shift the message right by pl + 2 bytes (cutting its tail), then write "prefix: " */
    memmove(err->msg + pl + 2, err->msg, cap - pl - 3);
    err->msg[cap - 1] = 0;
    memcpy(err->msg, pre, pl);
    err->msg[pl] = ':';
    err->msg[pl + 1] = ' ';
    return err->status;
}

/* ---- files ----------------------------------------------------------------------------------- */

int rr_open_regular(const char *path) {
    /* O_NONBLOCK: opening a FIFO must not wait for a writer */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        errno = EINVAL;
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl != -1) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    return fd;
}

/* ---- allocation ------------------------------------------------------------------------------ */

/* The default allocator: malloc for small blocks; on Linux, blocks of RR_MAP_MIN bytes or more
 * come from mmap with their pages populated at once (a first-touch page fault costs more than
 * populating the page in one call), and blocks of RR_HUGE_MIN or more are 2 MiB-aligned and
 * advised as transparent huge pages. Every block starts with a header that tells free which
 * kind it is: [hdr | data ...], data 16-byte aligned as malloc's. */
typedef struct std_hdr {
    size_t map_len;   /* 0: from malloc; else the length of the mapping, which starts at the header */
    size_t pad;
} std_hdr;

/* RR_MAP_MIN (internal.h), 128 KiB: glibc's own mmap threshold. Smaller blocks (pool chunks of
 * 64 KiB) are mostly touched in part: pools fault in their pages a few at a time as they fill
 * (rr_prefault). */
#ifdef __linux__
#define RR_HUGE_MIN ((size_t)2 << 20)
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static void *map_block(size_t bytes) {
    size_t page = 4096;
    size_t len = (bytes + page - 1) & ~(page - 1);
    if (len < RR_HUGE_MIN) {
        void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        return p == MAP_FAILED ? NULL : (((std_hdr *)p)->map_len = len, p);
    }
    /* over-map by 2 MiB, keep the 2 MiB-aligned part: huge pages need aligned 2 MiB ranges */
    size_t over = len + RR_HUGE_MIN;
    if (over < len) return NULL;
    char *raw = mmap(NULL, over, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) return NULL;
    char *p = (char *)(((uintptr_t)raw + RR_HUGE_MIN - 1) & ~(uintptr_t)(RR_HUGE_MIN - 1));
    if (p > raw) munmap(raw, (size_t)(p - raw));
    if ((size_t)(raw + over - (p + len)) > 0) munmap(p + len, (size_t)(raw + over - (p + len)));
    /* both may fail on kernels without them (EINVAL): the block then faults its pages in lazily */
    (void)madvise(p, len, MADV_HUGEPAGE);
    (void)madvise(p, len, MADV_POPULATE_WRITE);
    ((std_hdr *)p)->map_len = len;
    return p;
}
#endif

static void *std_alloc(void *user, size_t size) {
    (void)user;
    if (size > SIZE_MAX / 2) return NULL;
    std_hdr *h;
#ifdef __linux__
    if (size >= RR_MAP_MIN) {
        h = map_block(sizeof *h + size);
        return h ? h + 1 : NULL;
    }
#endif
    h = malloc(sizeof *h + size);
    if (!h) return NULL;
    h->map_len = 0;
    return h + 1;
}
static void std_free(void *user, void *p) {
    (void)user;
    if (!p) return;
    std_hdr *h = (std_hdr *)p - 1;
#ifdef __linux__
    if (h->map_len) {
        munmap(h, h->map_len);
        return;
    }
#endif
    free(h);
}
const rr_allocator rr_default_allocator = {std_alloc, std_free, NULL};

void rr_prefault(const rr_allocator *a, void *p, size_t n) {
#ifdef __linux__
    /* the page holding p is part of the block; the one holding p + n may not be: it is left out */
    uintptr_t from = (uintptr_t)p & ~(uintptr_t)4095, to = ((uintptr_t)p + n) & ~(uintptr_t)4095;
    if (a->alloc == std_alloc && to > from) (void)madvise((void *)from, to - from, MADV_POPULATE_WRITE);
#else
    (void)a, (void)p, (void)n;
#endif
}

void rr_prefault_block(const rr_allocator *a, void *block, size_t size) {
    if (size < RR_MAP_MIN) rr_prefault(a, block, size);
}

void *rr_calloc(const rr_allocator *a, size_t n, size_t size) {
    if (size && n > SIZE_MAX / size) return NULL;
    void *p = rr_alloc(a, n * size);
    if (p) memset(p, 0, n * size);
    return p;
}

/* ---- pools ----------------------------------------------------------------------------------- */

struct rr_pool_chunk {
    rr_pool_chunk *next;
    void *raw;          /* what malloc returned */
};

void rr_pool_init(rr_pool *p, const rr_allocator *a) {
    memset(p, 0, sizeof *p);
    p->a = a ? a : &rr_default_allocator;
}

void rr_pool_free(rr_pool *p) {
    if (!p) return;
    rr_pool_chunk *c = p->head;
    while (c) {
        rr_pool_chunk *next = c->next;
        rr_free(p->a, c->raw);
        c = next;
    }
    const rr_allocator *a = p->a;
    memset(p, 0, sizeof *p);
    p->a = a;
}

/* Chunk layout: [malloc'd block: pad | header | pad to RR_ALIGN | data ...]. Small blocks share
 * the head chunk; a large one gets a chunk of its own, linked behind the head. */
#define RR_POOL_CHUNK 65536
#define RR_POOL_BIG 16384
#define RR_POOL_STEP 16384

static size_t chunk_hdr(void) { return rr_align_up(sizeof(rr_pool_chunk)); }

static rr_pool_chunk *chunk_new(rr_pool *p, size_t size) {
    size_t bytes = chunk_hdr() + size + RR_ALIGN;
    void *raw = rr_alloc(p->a, bytes);
    if (!raw) return NULL;
    rr_pool_chunk *c = rr_align_ptr(raw);
    c->raw = raw;
    c->next = NULL;
    p->total += bytes;
    return c;
}

/* A block of need bytes (a multiple of align) at an align-aligned offset of the pool. */
static void *pool_take(rr_pool *p, size_t need, size_t align) {
    void *ptr;
    size_t at = (p->used + align - 1) & ~(align - 1);
    bool fits = p->head && at <= p->cap && p->cap - at >= need;
    if (need > RR_POOL_BIG && !fits) { /* a big block goes in the head only where it has room */
        rr_pool_chunk *c = chunk_new(p, need);
        if (!c) return NULL;
        if (p->head) {
            c->next = p->head->next;
            p->head->next = c;
        } else {
            p->head = c;
            p->used = p->cap = p->ready = chunk_hdr() + need; /* full: small blocks start a chunk */
        }
        ptr = (char *)c + chunk_hdr();
        rr_prefault_block(p->a, ptr, need);
    } else {
        if (!fits) {
            rr_pool_chunk *c = chunk_new(p, RR_POOL_CHUNK);
            if (!c) return NULL;
            c->next = p->head;
            p->head = c;
            p->used = p->ready = chunk_hdr();
            p->cap = chunk_hdr() + RR_POOL_CHUNK;
            at = p->used;
        }
        ptr = (char *)p->head + at;
        p->used = at + need;
        if (p->used > p->ready) { /* the head's pages come in RR_POOL_STEP bytes at a time */
            uintptr_t head = (uintptr_t)p->head, end = (head + p->used + RR_POOL_STEP) & ~(uintptr_t)4095;
            size_t to = end - head < p->cap ? end - head : p->cap;
            rr_prefault(p->a, (char *)p->head + p->ready, to - p->ready);
            p->ready = to;
        }
    }
    memset(ptr, 0, need);
    return ptr;
}

void *rr_pool_alloc(rr_pool *p, size_t size) {
    if (size > SIZE_MAX / 4) return NULL;
    return pool_take(p, rr_align_up(size ? size : 1), RR_ALIGN);
}

void *rr_pool_alloc_packed(rr_pool *p, size_t size) {
    if (size > SIZE_MAX / 4) return NULL;
    return pool_take(p, size ? (size + 7) & ~(size_t)7 : 8, 8);
}

void *rr_pool_block_new(const rr_allocator *a, size_t size) {
    if (size > SIZE_MAX / 4) return NULL;
    size_t bytes = chunk_hdr() + rr_align_up(size ? size : 1) + RR_ALIGN;
    void *raw = rr_alloc(a, bytes);
    if (!raw) return NULL;
    rr_pool_chunk *c = rr_align_ptr(raw);
    c->raw = raw;
    c->next = NULL;
    return (char *)c + chunk_hdr();
}

void rr_pool_block_free(const rr_allocator *a, void *data) {
    if (data) rr_free(a, ((rr_pool_chunk *)((char *)data - chunk_hdr()))->raw);
}

void rr_pool_block_adopt(rr_pool *p, void *data, size_t size) {
    rr_pool_chunk *c = (rr_pool_chunk *)((char *)data - chunk_hdr());
    p->total += chunk_hdr() + rr_align_up(size ? size : 1) + RR_ALIGN;
    if (p->head) {
        c->next = p->head->next;
        p->head->next = c;
    } else {
        /* a full head: the next small block starts a chunk of its own */
        c->next = NULL;
        p->head = c;
        p->used = p->cap = p->ready = 0;
    }
}

void rr_pool_lend(rr_pool *p, void *mem, size_t size) {
    rr_pool_chunk *c = mem;
    c->raw = NULL; /* not the pool's: rr_pool_free passes over it */
    c->next = p->head;
    p->head = c;
    p->used = chunk_hdr();
    p->cap = p->ready = size > chunk_hdr() ? size : chunk_hdr();
}

unsigned char *rr_pool_region(rr_pool *p, size_t size, size_t own) {
    unsigned char *r = rr_pool_block_new(p->a, size);
    if (!r) return NULL;
    rr_prefault_block(p->a, r, size);
    rr_pool_block_adopt(p, r, size);
    rr_pool_lend(p, r, own);
    return r;
}

char *rr_pool_strndup(rr_pool *p, const char *s, size_t n) {
    char *d = rr_pool_alloc_packed(p, n + 1);
    if (!d) return NULL;
    if (n) memcpy(d, s, n);
    d[n] = 0;
    return d;
}

char *rr_pool_strdup(rr_pool *p, const char *s) { return rr_pool_strndup(p, s ? s : "", s ? strlen(s) : 0); }

/* ---- dtypes and tensors ---------------------------------------------------------------------- */

size_t rr_dtype_size(int dtype) {
    switch (dtype) {
    case RR_FLOAT: case RR_INT32: case RR_UINT32: return 4;
    case RR_UINT8: case RR_INT8: case RR_BOOL: return 1;
    case RR_UINT16: case RR_INT16: case RR_FLOAT16: return 2;
    case RR_INT64: case RR_DOUBLE: case RR_UINT64: return 8;
    default: return 0;
    }
}

size_t rnnrun_dtype_size(int dtype) { return rr_dtype_size(dtype); }

const char *rr_dtype_name(int dtype) {
    switch (dtype) {
    case RR_UNDEFINED: return "undefined";
    case RR_FLOAT: return "float32";
    case RR_UINT8: return "uint8";
    case RR_INT8: return "int8";
    case RR_UINT16: return "uint16";
    case RR_INT16: return "int16";
    case RR_INT32: return "int32";
    case RR_INT64: return "int64";
    case RR_STRING: return "string";
    case RR_BOOL: return "bool";
    case RR_FLOAT16: return "float16";
    case RR_DOUBLE: return "float64";
    case RR_UINT32: return "uint32";
    case RR_UINT64: return "uint64";
    case 14: return "complex64";
    case 15: return "complex128";
    case 16: return "bfloat16";
    default: return "unknown dtype";
    }
}

const char *rnnrun_dtype_name(int dtype) {
    const char *n = rr_dtype_name(dtype);
    return strcmp(n, "unknown dtype") == 0 ? "?" : n;
}

int rr_tensor_set_shape(rr_tensor *t, int rank, const int64_t *dims, int64_t max_bytes, rr_err *err) {
    char buf[160];
    if (rank < 0 || rank > RR_MAX_RANK)
        return rr_fail(err, RNNRUN_ERR_LIMIT, "rank %d is above the maximum of %d", rank, RR_MAX_RANK);
    /* n: elements; nz: the product of the non-zero dims. nz is held to the same limit as n, so
     * a zero-size tensor cannot carry huge dims, and any product of a tensor's dims (strides,
     * outer and inner counts) fits in int64 with room to spare. */
    int64_t n = 1, nz = 1;
    for (int i = 0; i < rank; i++) {
        if (dims[i] < 0)
            return rr_fail(err, RNNRUN_ERR_SHAPE, "negative dimension %lld in shape %s",
                           (long long)dims[i], rr_shape_str(dims, rank, buf, sizeof buf));
        if (!rr_mul_ok(nz, dims[i] ? dims[i] : 1, &nz))
            return rr_fail(err, RNNRUN_ERR_LIMIT, "shape %s has too many elements",
                           rr_shape_str(dims, rank, buf, sizeof buf));
        n *= dims[i]; /* n <= nz */
    }
    int64_t bytes, nz_bytes;
    size_t es = rr_dtype_size(t->dtype);
    if (!rr_mul_ok(n, (int64_t)(es ? es : 1), &bytes) || bytes > max_bytes)
        return rr_fail(err, RNNRUN_ERR_LIMIT, "tensor of shape %s and dtype %s exceeds the limit of %lld bytes",
                       rr_shape_str(dims, rank, buf, sizeof buf), rr_dtype_name(t->dtype),
                       (long long)max_bytes);
    if (!rr_mul_ok(nz, (int64_t)(es ? es : 1), &nz_bytes) || nz_bytes > max_bytes)
        return rr_fail(err, RNNRUN_ERR_LIMIT,
                       "zero-size tensor of shape %s: its other dimensions exceed the limit of %lld bytes",
                       rr_shape_str(dims, rank, buf, sizeof buf), (long long)max_bytes);
    t->rank = rank;
    for (int i = 0; i < rank; i++) t->dims[i] = dims[i];
    for (int i = rank; i < RR_MAX_RANK; i++) t->dims[i] = 0;
    t->numel = n;
    return RNNRUN_OK;
}

const char *rr_shape_str(const int64_t *dims, int rank, char *buf, size_t size) {
    size_t k = 0;
    if (size == 0) return buf;
    buf[0] = 0;
    k += (size_t)snprintf(buf + k, size - k, "(");
    for (int i = 0; i < rank && k < size; i++)
        k += (size_t)snprintf(buf + k, size - k, i ? ", %lld" : "%lld", (long long)dims[i]);
    if (k < size) snprintf(buf + k, size - k, rank == 1 ? ",)" : ")");
    return buf;
}

bool rr_shape_eq(const rr_tensor *a, const rr_tensor *b) {
    if (a->rank != b->rank) return false;
    for (int i = 0; i < a->rank; i++)
        if (a->dims[i] != b->dims[i]) return false;
    return true;
}

int64_t rr_get_int(const rr_tensor *t, int64_t i) {
    switch (t->dtype) {
    case RR_INT64: return ((const int64_t *)t->data)[i];
    case RR_INT32: return ((const int32_t *)t->data)[i];
    case RR_INT16: return ((const int16_t *)t->data)[i];
    case RR_INT8: return ((const int8_t *)t->data)[i];
    case RR_UINT8: case RR_BOOL: return ((const uint8_t *)t->data)[i];
    case RR_UINT16: return ((const uint16_t *)t->data)[i];
    case RR_UINT32: return ((const uint32_t *)t->data)[i];
    case RR_UINT64: return (int64_t)((const uint64_t *)t->data)[i];
    case RR_FLOAT: return (int64_t)((const float *)t->data)[i];
    case RR_DOUBLE: return (int64_t)((const double *)t->data)[i];
    default: return 0;
    }
}

double rr_get_real(const rr_tensor *t, int64_t i) {
    switch (t->dtype) {
    case RR_FLOAT: return ((const float *)t->data)[i];
    case RR_DOUBLE: return ((const double *)t->data)[i];
    default: return (double)rr_get_int(t, i);
    }
}

/* ---- nodes and attributes -------------------------------------------------------------------- */

const char *rr_node_label(const rnnrun_model *m, const rr_node *n, char *buf, size_t size) {
    if (n->name && n->name[0])
        snprintf(buf, size, "node '%s' (%s)", n->name, n->op_type);
    else if (n->n_out > 0 && n->out[0] >= 0 && m)
        snprintf(buf, size, "node #%d (%s, output '%s')", n->index, n->op_type, m->values[n->out[0]].name);
    else
        snprintf(buf, size, "node #%d (%s)", n->index, n->op_type);
    return buf;
}

const char *rr_decl_str(const rr_value *v, char *buf, size_t size) {
    if (v->decl_rank < 0) {
        snprintf(buf, size, "(unknown rank)");
        return buf;
    }
    size_t k = (size_t)snprintf(buf, size, "(");
    for (int d = 0; d < v->decl_rank && k < size; d++) {
        const char *sep = d ? ", " : "";
        if (v->decl[d].size >= 0) k += (size_t)snprintf(buf + k, size - k, "%s%lld", sep, (long long)v->decl[d].size);
        else k += (size_t)snprintf(buf + k, size - k, "%s%s", sep, v->decl[d].param ? v->decl[d].param : "?");
    }
    if (k < size) snprintf(buf + k, size - k, v->decl_rank == 1 ? ",)" : ")");
    return buf;
}

const rr_attr *rr_attr_find(const rr_node *n, const char *name) {
    for (int i = 0; i < n->n_attr; i++)
        if (strcmp(n->attrs[i].name, name) == 0) return &n->attrs[i];
    return NULL;
}

static int attr_type_fail(const rr_attr *a, const char *want, rr_err *err) {
    return rr_fail(err, RNNRUN_ERR_MODEL, "attribute '%s' must be %s (attribute type %d)", a->name, want,
                   (int)a->type);
}

int rr_attr_int(const rr_node *n, const char *name, int64_t def, int64_t *out, rr_err *err) {
    const rr_attr *a = rr_attr_find(n, name);
    *out = def;
    if (!a) return RNNRUN_OK;
    if (a->type != RR_ATTR_INT) return attr_type_fail(a, "an int", err);
    *out = a->i;
    return RNNRUN_OK;
}

int rr_attr_float(const rr_node *n, const char *name, float def, float *out, rr_err *err) {
    const rr_attr *a = rr_attr_find(n, name);
    *out = def;
    if (!a) return RNNRUN_OK;
    if (a->type != RR_ATTR_FLOAT) return attr_type_fail(a, "a float", err);
    *out = a->f;
    return RNNRUN_OK;
}

int rr_attr_ints(const rr_node *n, const char *name, const int64_t **out, int *count, rr_err *err) {
    const rr_attr *a = rr_attr_find(n, name);
    *out = NULL;
    *count = -1;
    if (!a) return RNNRUN_OK;
    if (a->type != RR_ATTR_INTS) return attr_type_fail(a, "a list of ints", err);
    *out = a->ints;
    *count = a->n;
    return RNNRUN_OK;
}

int rr_attr_string(const rr_node *n, const char *name, const char *def, const char **out, rr_err *err) {
    const rr_attr *a = rr_attr_find(n, name);
    *out = def;
    if (!a) return RNNRUN_OK;
    if (a->type != RR_ATTR_STRING) return attr_type_fail(a, "a string", err);
    *out = a->s;
    return RNNRUN_OK;
}
