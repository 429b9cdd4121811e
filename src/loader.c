/* The loader: ONNX protobuf (parsed by protobuf-c from the generated schema code) -> rnnrun_model.
 * The file is mapped, unpacked into a bump arena, and lowered: everything the model keeps is in
 * its pool (big tensor data by adopting the arena's block, other things copied); the arena is
 * dropped before returning. */
#define _DEFAULT_SOURCE /* MAP_POPULATE */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "onnx.pb-c.h"
#include "ops/ops.h"

#ifdef MAP_POPULATE
#define RR_MAP_POPULATE MAP_POPULATE
#else
#define RR_MAP_POPULATE 0
#endif


/* ---- files ----------------------------------------------------------------------------------- */

/* A model file's bytes: mapped (read-only, private, its pages populated at once), or read into
 * a buffer where the file cannot be mapped (an empty file, a file system without mmap). */
typedef struct file_view {
    const unsigned char *data;
    size_t size;
    void *map;              /* the mapping, or NULL */
    unsigned char *buf;     /* the buffer read into (default allocator), or NULL */
} file_view;

static int open_file(const char *path, bool try_map, file_view *f, rr_err *err) {
    memset(f, 0, sizeof *f);
    int fd = rr_open_regular(path);
    if (fd < 0 && errno == EINVAL) return rr_fail(err, RNNRUN_ERR_IO, "not a regular file");
    if (fd < 0) return rr_fail(err, RNNRUN_ERR_IO, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return rr_fail(err, RNNRUN_ERR_IO, "cannot stat: %s", strerror(errno));
    }
    if ((uint64_t)st.st_size > SIZE_MAX / 4) {
        close(fd);
        return rr_fail(err, RNNRUN_ERR_NOMEM, "cannot allocate %lld bytes to read the file", (long long)st.st_size);
    }
    size_t n = (size_t)st.st_size;
    if (try_map && n > 0) {
        void *p = mmap(NULL, n, PROT_READ, MAP_PRIVATE | RR_MAP_POPULATE, fd, 0);
        if (p != MAP_FAILED) {
            close(fd);
            f->map = p;
            f->data = p;
            f->size = n;
            return RNNRUN_OK;
        }
    }
    unsigned char *buf = rr_alloc(&rr_default_allocator, n ? n : 1);
    if (!buf) {
        close(fd);
        return rr_fail(err, RNNRUN_ERR_NOMEM, "cannot allocate %zu bytes to read the file", n);
    }
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            rr_free(&rr_default_allocator, buf);
            close(fd);
            return rr_fail(err, RNNRUN_ERR_IO, "read failed: %s", r < 0 ? strerror(errno) : "file shrank");
        }
        got += (size_t)r;
    }
    close(fd);
    f->buf = buf;
    f->data = buf;
    f->size = n;
    return RNNRUN_OK;
}

static void close_file(file_view *f) {
    if (f->map) munmap(f->map, f->size);
    rr_free(&rr_default_allocator, f->buf);
    memset(f, 0, sizeof *f);
}

/* External data: `location` must be a relative path that stays inside base_dir, symbolic links
 * included. Reads `length` bytes (or the tensor's size) at `offset` into *dst, allocated from
 * pool only once the file is known to hold them. */
static int read_external(const Onnx__TensorProto *tp, const char *base_dir, rr_pool *pool, void **dst,
                         size_t nbytes, rr_err *err) {
    const char *location = NULL;
    int64_t offset = 0, length = -1;
    for (size_t i = 0; i < tp->n_external_data; i++) {
        const char *k = tp->external_data[i]->key, *v = tp->external_data[i]->value;
        if (!k || !v) continue;
        if (strcmp(k, "location") == 0) {
            location = v;
        } else if (strcmp(k, "offset") == 0 || strcmp(k, "length") == 0) {
            char *end;
            errno = 0;
            long long x = strtoll(v, &end, 10);
            if (errno || *v == 0 || *end != 0 || x < 0)
                return rr_fail(err, RNNRUN_ERR_MODEL, "external data %s '%s' is not a non-negative integer",
                               k, v);
            if (k[0] == 'o') offset = x;
            else length = x;
        }
    }
    if (!base_dir)
        return rr_fail(err, RNNRUN_ERR_UNSUPPORTED,
                       "external data needs the model's folder (load the model from a file)");
    if (!location || !location[0])
        return rr_fail(err, RNNRUN_ERR_MODEL, "external data without a location");
    if (location[0] == '/')
        return rr_fail(err, RNNRUN_ERR_MODEL, "external data path '%s' is absolute: refused", location);
    for (const char *p = location; *p;) {
        const char *q = strchr(p, '/');
        size_t len = q ? (size_t)(q - p) : strlen(p);
        if (len == 2 && p[0] == '.' && p[1] == '.')
            return rr_fail(err, RNNRUN_ERR_MODEL, "external data path '%s' leaves the model's folder: refused",
                           location);
        p += len + (q ? 1 : 0);
    }
    if (length >= 0 && (uint64_t)length != nbytes)
        return rr_fail(err, RNNRUN_ERR_MODEL, "external data length %lld does not match the tensor's %zu bytes",
                       (long long)length, nbytes);
    char full[PATH_MAX], real_base[PATH_MAX], real_file[PATH_MAX];
    if (snprintf(full, sizeof full, "%s/%s", base_dir, location) >= (int)sizeof full)
        return rr_fail(err, RNNRUN_ERR_MODEL, "external data path too long");
    if (!realpath(base_dir, real_base))
        return rr_fail(err, RNNRUN_ERR_IO, "cannot resolve the model's folder: %s", strerror(errno));
    if (!realpath(full, real_file))
        return rr_fail(err, RNNRUN_ERR_IO, "external data file '%s': %s", location, strerror(errno));
    size_t bl = strlen(real_base);
    if (strncmp(real_file, real_base, bl) != 0 || (real_file[bl] != '/' && strcmp(real_base, "/") != 0))
        return rr_fail(err, RNNRUN_ERR_MODEL, "external data file '%s' resolves outside the model's folder: refused",
                       location);
    int fd = rr_open_regular(real_file);
    if (fd < 0 && errno == EINVAL)
        return rr_fail(err, RNNRUN_ERR_IO, "external data '%s' is not a regular file", location);
    if (fd < 0)
        return rr_fail(err, RNNRUN_ERR_IO, "external data file '%s': %s", location, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return rr_fail(err, RNNRUN_ERR_IO, "external data '%s' cannot be read", location);
    }
    if ((uint64_t)offset > (uint64_t)st.st_size || nbytes > (uint64_t)st.st_size - (uint64_t)offset) {
        close(fd);
        return rr_fail(err, RNNRUN_ERR_MODEL,
                       "external data '%s' has %lld bytes, too few for %zu bytes at offset %lld",
                       location, (long long)st.st_size, nbytes, (long long)offset);
    }
    *dst = rr_pool_alloc(pool, nbytes);
    if (!*dst) {
        close(fd);
        return rr_fail(err, RNNRUN_ERR_NOMEM, "cannot allocate %zu bytes", nbytes);
    }
    size_t got = 0;
    while (got < nbytes) {
        ssize_t r = pread(fd, (char *)*dst + got, nbytes - got, (off_t)(offset + (int64_t)got));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            close(fd);
            return rr_fail(err, RNNRUN_ERR_IO, "reading external data '%s' failed", location);
        }
        got += (size_t)r;
    }
    close(fd);
    return RNNRUN_OK;
}

/* ---- protobuf-c's allocator ----------------------------------------------------------------- */

/* onnx__model_proto__unpack allocates every message, string and array separately; this arena
 * bump-allocates them from a few chunks dropped together at the end (no free_unpacked). A
 * request of PB_BIG bytes or more (tensor data, long arrays) gets a block of its own in a pool's
 * chunk layout, so the loader can hand a tensor's raw_data block to the model's pool instead of
 * copying it. Each big block starts with a PB_HDR-byte header holding its index in `big`: a
 * pointer outside every chunk is a big block's data, and only an exact match of big[index]
 * counts as a live one. */
#define PB_BIG 4096
#define PB_HDR 64                          /* RR_ALIGN: the data after it stays aligned */
#define PB_HEAP ((size_t)120 << 10)        /* below RR_MAP_MIN: a heap chunk */
#define PB_HEAP_MIN ((size_t)16 << 10)
#define PB_HEAP_TOTAL ((size_t)1 << 20)    /* heap chunks up to this much, then mapped ones */
#define PB_CHUNK_MAX ((size_t)4 << 20)
#define PB_STEP ((size_t)16 << 10)

typedef struct pb_arena {
    const rr_allocator *a;
    void *chunks;               /* linked through their first word; the second is their size */
    unsigned char *cur;         /* next free byte of the newest chunk */
    unsigned char *ready;       /* its pages before this byte are in (rr_prefault) */
    size_t left;                /* bytes free there */
    size_t expect;              /* what the small blocks should take in all (from wire_scan) */
    size_t got;                 /* bytes of the chunks so far */
    size_t next;                /* size of the next mapped chunk */
    void *lent;                 /* the first chunk when the caller's memory, else NULL */
    unsigned char **big;        /* live big blocks (NULL once freed or adopted) */
    size_t n_big, cap_big;
} pb_arena;

typedef struct pb_big_hdr {
    size_t index;   /* in big */
    size_t size;    /* PB_HDR + the request, as given to rr_pool_block_new */
} pb_big_hdr;

/* The next chunk: up to PB_HEAP_TOTAL, heap chunks sized to what the estimate has left (the
 * blocks of a small model in one or two chunks; freed at the end of the load, the plan that
 * follows reuses their pages, where a mapped chunk would be unmapped and its pages gone); beyond
 * that, mapped chunks from 256 KiB doubling up to PB_CHUNK_MAX, their pages populated at once. */
static size_t pb_chunk_size(pb_arena *pb) {
    if (pb->got < PB_HEAP_TOTAL) {
        size_t want = pb->expect > pb->got ? pb->expect - pb->got : 0;
        return want < PB_HEAP_MIN ? PB_HEAP_MIN : want > PB_HEAP ? PB_HEAP : want;
    }
    size_t bytes = pb->next;
    if (pb->next < PB_CHUNK_MAX) pb->next *= 2;
    return bytes;
}

static void *pb_alloc(void *user, size_t size) {
    pb_arena *pb = user;
    if (size >= PB_BIG) {
        if (size > SIZE_MAX / 4) return NULL;
        if (pb->n_big == pb->cap_big) {
            size_t cap = pb->cap_big ? 2 * pb->cap_big : 64;
            unsigned char **big = rr_alloc(pb->a, cap * sizeof *big);
            if (!big) return NULL;
            if (pb->n_big) memcpy(big, pb->big, pb->n_big * sizeof *big);
            rr_free(pb->a, pb->big);
            pb->big = big;
            pb->cap_big = cap;
        }
        unsigned char *blk = rr_pool_block_new(pb->a, PB_HDR + size);
        if (!blk) return NULL;
        rr_prefault_block(pb->a, blk, PB_HDR + size); /* it is written whole */
        pb_big_hdr *h = (pb_big_hdr *)blk;
        h->index = pb->n_big;
        h->size = PB_HDR + size;
        pb->big[pb->n_big++] = blk;
        return blk + PB_HDR;
    }
    size_t need = (size + 7) & ~(size_t)7; /* the messages' fields need no more than 8 */
    if (pb->left < need) {
        /* chunk: [next pointer | size | pad to PB_HDR | blocks ...] */
        size_t bytes = pb_chunk_size(pb);
        void **c = rr_alloc(pb->a, bytes);
        if (!c) return NULL;
        c[0] = pb->chunks;
        ((size_t *)c)[1] = bytes;
        pb->chunks = c;
        pb->cur = pb->ready = (unsigned char *)c + PB_HDR;
        pb->left = bytes - PB_HDR;
        pb->got += bytes;
        if (bytes >= RR_MAP_MIN) pb->ready += pb->left; /* mapped with its pages in */
    }
    void *p = pb->cur;
    pb->cur += need;
    pb->left -= need;
    if (pb->cur > pb->ready) { /* a small chunk's pages come PB_STEP bytes at a time, page-aligned */
        uintptr_t end = ((uintptr_t)pb->cur + PB_STEP) & ~(uintptr_t)4095;
        size_t n = end - (uintptr_t)pb->ready < (size_t)(pb->cur - pb->ready) + pb->left
                       ? end - (uintptr_t)pb->ready
                       : (size_t)(pb->cur - pb->ready) + pb->left;
        rr_prefault(pb->a, pb->ready, n);
        pb->ready += n;
    }
    return p;
}

/* The index of the live big block whose data is p, or -1. p is a pointer protobuf-c got from
 * pb_alloc (small blocks lie in a chunk; the chunks are few: they double up to 4 MiB). */
static ptrdiff_t pb_big_of(const pb_arena *pb, const void *p) {
    if (!p) return -1;
    uintptr_t at = (uintptr_t)p;
    for (void *c = pb->chunks; c; c = *(void **)c)
        if (at >= (uintptr_t)c && at - (uintptr_t)c < ((size_t *)c)[1]) return -1;
    const unsigned char *blk = (const unsigned char *)p - PB_HDR;
    size_t i = ((const pb_big_hdr *)blk)->index;
    return i < pb->n_big && pb->big[i] == blk ? (ptrdiff_t)i : -1;
}

static void pb_free(void *user, void *p) {
    pb_arena *pb = user;
    ptrdiff_t i = pb_big_of(pb, p);
    if (i < 0) return; /* small blocks go with their chunk */
    rr_pool_block_free(pb->a, pb->big[i]);
    pb->big[i] = NULL;
}

/* Hand the big block whose data is p to pool (same allocator): true when p was one. */
static bool pb_adopt(pb_arena *pb, rr_pool *pool, const void *p) {
    ptrdiff_t i = pb_big_of(pb, p);
    if (i < 0 || pool->a != pb->a) return false;
    rr_pool_block_adopt(pool, pb->big[i], ((pb_big_hdr *)pb->big[i])->size);
    pb->big[i] = NULL;
    return true;
}

/* What the small blocks should take in all, from wire_scan's estimate of them (up to 13% short
 * on models/; 2 * PB_BIG > PB_HDR + the largest small block). */
static size_t pb_expect(size_t estimate) { return estimate + estimate / 16 + 2 * PB_BIG; }

/* mem (or NULL): size bytes, RR_ALIGN-aligned with their pages in, that the arena takes as its
 * first chunk and does not free */
static void pb_init(pb_arena *pb, const rr_allocator *a, size_t estimate, void *mem, size_t size) {
    memset(pb, 0, sizeof *pb);
    pb->a = a;
    pb->expect = pb_expect(estimate);
    pb->next = (size_t)256 << 10;
    if (mem && size > PB_HDR) {
        void **c = mem;
        c[0] = NULL;
        ((size_t *)c)[1] = size;
        pb->chunks = pb->lent = c;
        pb->cur = (unsigned char *)c + PB_HDR;
        pb->left = size - PB_HDR;
        pb->ready = pb->cur + pb->left;
        pb->got = size;
    }
}

static void pb_release(pb_arena *pb) {
    for (size_t i = 0; i < pb->n_big; i++) rr_pool_block_free(pb->a, pb->big[i]);
    rr_free(pb->a, pb->big);
    for (void *c = pb->chunks; c;) {
        void *next = *(void **)c;
        if (c != pb->lent) rr_free(pb->a, c);
        c = next;
    }
    memset(pb, 0, sizeof *pb);
}

/* ---- tensors --------------------------------------------------------------------------------- */

/* The typed field that holds a dtype's values, and its count. */
static size_t typed_count(const Onnx__TensorProto *tp, int dtype, const char **field) {
    switch (dtype) {
    case RR_FLOAT: *field = "float_data"; return tp->n_float_data;
    case RR_DOUBLE: *field = "double_data"; return tp->n_double_data;
    case RR_INT64: *field = "int64_data"; return tp->n_int64_data;
    case RR_UINT32: case RR_UINT64: *field = "uint64_data"; return tp->n_uint64_data;
    default: *field = "int32_data"; return tp->n_int32_data;
    }
}

/* Copy numel typed values (their count already checked) into dst, converting to dtype. */
static void copy_typed(const Onnx__TensorProto *tp, int dtype, void *dst, int64_t numel) {
    for (int64_t i = 0; i < numel; i++) {
        switch (dtype) {
        case RR_FLOAT: ((float *)dst)[i] = tp->float_data[i]; break;
        case RR_DOUBLE: ((double *)dst)[i] = tp->double_data[i]; break;
        case RR_INT64: ((int64_t *)dst)[i] = tp->int64_data[i]; break;
        case RR_UINT32: ((uint32_t *)dst)[i] = (uint32_t)tp->uint64_data[i]; break;
        case RR_UINT64: ((uint64_t *)dst)[i] = tp->uint64_data[i]; break;
        case RR_INT32: ((int32_t *)dst)[i] = tp->int32_data[i]; break;
        case RR_INT16: ((int16_t *)dst)[i] = (int16_t)tp->int32_data[i]; break;
        case RR_UINT16: case RR_FLOAT16: ((uint16_t *)dst)[i] = (uint16_t)tp->int32_data[i]; break;
        case RR_INT8: ((int8_t *)dst)[i] = (int8_t)tp->int32_data[i]; break;
        case RR_UINT8: ((uint8_t *)dst)[i] = (uint8_t)tp->int32_data[i]; break;
        case RR_BOOL: ((uint8_t *)dst)[i] = tp->int32_data[i] != 0; break;
        default: break;
        }
    }
}

/* The array of a typed field whose values are laid out as dtype's elements, or NULL. */
static const void *typed_same_layout(const Onnx__TensorProto *tp, int dtype) {
    switch (dtype) {
    case RR_FLOAT: return tp->float_data;
    case RR_DOUBLE: return tp->double_data;
    case RR_INT64: return tp->int64_data;
    case RR_INT32: return tp->int32_data;
    case RR_UINT64: return tp->uint64_data;
    default: return NULL;
    }
}

/* rr_tensor_from_proto without the label in its messages; pb (or NULL): the arena tp was
 * unpacked into, whose big blocks pool may adopt as the tensor's data instead of a copy. */
static int tensor_from_proto(rr_pool *pool, const Onnx__TensorProto *tp, const char *base_dir, int64_t max_bytes,
                             pb_arena *pb, rr_tensor **out, rr_err *err) {
    *out = NULL;
    int dtype = tp->data_type;
    if (dtype == RR_STRING || !rr_dtype_ok(dtype))
        return rr_fail(err, RNNRUN_ERR_UNSUPPORTED, "dtype %s (%d) is not supported",
                       rr_dtype_name(dtype), dtype);
    if (tp->segment)
        return rr_fail(err, RNNRUN_ERR_UNSUPPORTED, "segmented tensors are not supported");
    if (tp->n_dims > RR_MAX_RANK)
        return rr_fail(err, RNNRUN_ERR_LIMIT, "rank %zu is above the maximum of %d", tp->n_dims,
                       RR_MAX_RANK);
    rr_tensor *t = rr_pool_alloc_packed(pool, sizeof *t);
    if (!t) return rr_fail(err, RNNRUN_ERR_NOMEM, "out of memory");
    t->dtype = dtype;
    if (rr_tensor_set_shape(t, (int)tp->n_dims, tp->dims, max_bytes, err)) {
        if (err->status == RNNRUN_ERR_SHAPE) err->status = RNNRUN_ERR_MODEL; /* a negative dim in the file */
        return err->status;
    }
    /* the data's size is checked against the shape before anything is allocated, so a small file
     * cannot make the loader allocate a large tensor */
    size_t nbytes = rr_tensor_bytes(t);
    bool external = tp->has_data_location && tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
    if (external) {
        if (read_external(tp, base_dir, pool, &t->data, nbytes, err)) return err->status;
    } else if (tp->has_raw_data) {
        if (tp->raw_data.len != nbytes)
            return rr_fail(err, RNNRUN_ERR_MODEL, "raw_data has %zu bytes, the shape %s of %s needs %zu",
                           tp->raw_data.len, rr_shape_str(t->dims, t->rank, (char[160]){0}, 160),
                           rr_dtype_name(dtype), nbytes);
    } else {
        const char *field;
        size_t have = typed_count(tp, dtype, &field);
        if ((uint64_t)have != (uint64_t)t->numel)
            return rr_fail(err, RNNRUN_ERR_MODEL, "%s holds %zu values, the shape needs %lld", field, have,
                           (long long)t->numel);
    }
    if (!external) {
        const void *src = tp->has_raw_data ? (const void *)tp->raw_data.data : typed_same_layout(tp, dtype);
        if (pb && nbytes >= PB_BIG && pb_adopt(pb, pool, src)) {
            t->data = (void *)src; /* protobuf-c's own block of exactly these bytes */
        } else {
            t->data = rr_pool_alloc(pool, nbytes);
            if (!t->data) return rr_fail(err, RNNRUN_ERR_NOMEM, "cannot allocate %zu bytes", nbytes);
            if (tp->has_raw_data) {
                if (nbytes) memcpy(t->data, tp->raw_data.data, nbytes);
            } else if (t->numel > 0) {
                copy_typed(tp, dtype, t->data, t->numel);
            }
        }
    }
    if (dtype == RR_BOOL) /* normalise to 0/1 */
        for (int64_t i = 0; i < t->numel; i++) ((uint8_t *)t->data)[i] = ((uint8_t *)t->data)[i] != 0;
    *out = t;
    return RNNRUN_OK;
}

int rr_tensor_from_proto(rr_pool *pool, const Onnx__TensorProto *tp, const char *base_dir, int64_t max_bytes,
                         const char *what, rr_tensor **out, rr_err *err) {
    int st = tensor_from_proto(pool, tp, base_dir, max_bytes, NULL, out, err);
    return st ? rr_err_prefix(err, "%s", what) : RNNRUN_OK;
}

/* ---- name table ------------------------------------------------------------------------------ */

typedef struct name_map {
    const char **keys;
    int *vals;
    size_t cap;  /* power of two */
    uint64_t seed;
} name_map;

/* Multiply-xor over 8 bytes at a time (FNV's prime and a rotation), then a finaliser, from a
 * per-table seed, so a file cannot be made of names that all collide */
static uint64_t hash_str(const char *s, uint64_t seed) {
    size_t n = strlen(s);
    uint64_t h = (1469598103934665603ull ^ seed) + n, w;
    for (; n >= 8; n -= 8, s += 8) {
        memcpy(&w, s, 8);
        h = ((h << 29 | h >> 35) ^ w) * 1099511628211ull;
    }
    w = 0;
    memcpy(&w, s, n);
    h = ((h << 29 | h >> 35) ^ w) * 1099511628211ull;
    h = (h ^ h >> 33) * 0xff51afd7ed558ccdull; /* MurmurHash3's finaliser: every bit reaches the low ones */
    return h ^ h >> 33;
}

static bool map_init(name_map *m, rr_pool *pool, size_t n) {
    size_t cap = 16;
    while (cap < 2 * n + 16) cap *= 2;
    m->cap = cap;
    m->keys = rr_pool_alloc(pool, cap * sizeof *m->keys);
    m->vals = rr_pool_alloc(pool, cap * sizeof *m->vals);
    m->seed = ((uint64_t)(uintptr_t)m->keys * 0x9e3779b97f4a7c15ull) ^ (uint64_t)(uintptr_t)&cap;
    return m->keys && m->vals;
}

/* Returns the existing value or -1, and inserts val when absent and val >= 0. */
static int map_get_put(name_map *m, const char *key, int val) {
    size_t i = (size_t)hash_str(key, m->seed) & (m->cap - 1);
    while (m->keys[i]) {
        if (strcmp(m->keys[i], key) == 0) return m->vals[i];
        i = (i + 1) & (m->cap - 1);
    }
    if (val >= 0) {
        m->keys[i] = key;
        m->vals[i] = val;
    }
    return -1;
}

/* ---- lowering -------------------------------------------------------------------------------- */

typedef struct loader {
    rnnrun_model *m;
    const char *base_dir;
    rr_err *err;
    rr_pool tmp;       /* freed at the end of the load */
    pb_arena *pb;      /* what the protobuf was unpacked into (its big blocks may be adopted) */
    name_map names;
    int cap_values;
    struct {                /* the last op types looked up (a graph repeats a few) */
        const char *type;   /* in the model's pool */
        const rr_op *op;
        bool known;
    } seen[8];
    int n_seen;
} loader;

static int add_value(loader *L, const char *name, rr_value_kind kind) {
    rnnrun_model *m = L->m;
    if (m->n_values >= L->cap_values)
        return rr_fail(L->err, RNNRUN_ERR_MODEL, "internal: value table overflow");
    int id = m->n_values++;
    rr_value *v = &m->values[id];
    v->name = rr_pool_strdup(&m->pool, name);
    if (!v->name) return rr_fail(L->err, RNNRUN_ERR_NOMEM, "out of memory");
    v->kind = kind;
    v->producer = -1;
    v->slot = -1;
    v->decl_rank = -1;
    map_get_put(&L->names, v->name, id);
    return RNNRUN_OK;
}

static int lower_value_info(loader *L, const Onnx__ValueInfoProto *vi, rr_value *v, const char *what) {
    const Onnx__TypeProto *tp = vi->type;
    if (!tp) return RNNRUN_OK; /* no type given: anything goes */
    if (tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !tp->tensor_type)
        return rr_fail(L->err, RNNRUN_ERR_UNSUPPORTED, "%s '%s': only tensor types are supported (not sequences, maps or optionals)",
                       what, v->name);
    const Onnx__TypeProto__Tensor *tt = tp->tensor_type;
    int dt = tt->has_elem_type ? tt->elem_type : 0;
    if (dt != 0 && !rr_dtype_ok(dt))
        return rr_fail(L->err, RNNRUN_ERR_UNSUPPORTED, "%s '%s': dtype %s (%d) is not supported", what, v->name,
                       rr_dtype_name(dt), dt);
    v->decl_dtype = dt;
    if (!tt->shape) return RNNRUN_OK;
    if (tt->shape->n_dim > RR_MAX_RANK)
        return rr_fail(L->err, RNNRUN_ERR_LIMIT, "%s '%s': rank %zu is above the maximum of %d", what, v->name,
                       tt->shape->n_dim, RR_MAX_RANK);
    v->decl_rank = (int)tt->shape->n_dim;
    v->decl = rr_pool_alloc_packed(&L->m->pool, tt->shape->n_dim * sizeof *v->decl);
    if (!v->decl) return rr_fail(L->err, RNNRUN_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < tt->shape->n_dim; i++) {
        const Onnx__TensorShapeProto__Dimension *d = tt->shape->dim[i];
        v->decl[i].size = -1;
        if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE) {
            if (d->dim_value < 0)
                return rr_fail(L->err, RNNRUN_ERR_MODEL, "%s '%s': dimension %zu is negative (%lld)", what, v->name,
                               i, (long long)d->dim_value);
            v->decl[i].size = d->dim_value;
        } else if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM && d->dim_param &&
                   d->dim_param[0]) {
            v->decl[i].param = rr_pool_strdup(&L->m->pool, d->dim_param);
            if (!v->decl[i].param) return rr_fail(L->err, RNNRUN_ERR_NOMEM, "out of memory");
        }
    }
    return RNNRUN_OK;
}

static rr_attr_type guess_attr_type(const Onnx__AttributeProto *a) {
    if (a->has_type && a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__UNDEFINED) return (rr_attr_type)a->type;
    if (a->has_f) return RR_ATTR_FLOAT;
    if (a->has_i) return RR_ATTR_INT;
    if (a->has_s) return RR_ATTR_STRING;
    if (a->t) return RR_ATTR_TENSOR;
    if (a->g) return RR_ATTR_GRAPH;
    if (a->n_floats) return RR_ATTR_FLOATS;
    if (a->n_ints) return RR_ATTR_INTS;
    if (a->n_strings) return RR_ATTR_STRINGS;
    if (a->n_tensors) return RR_ATTR_TENSORS;
    if (a->n_graphs) return RR_ATTR_GRAPHS;
    return RR_ATTR_UNDEFINED;
}

/* Fail with the node's label ("node 'n' (Op): ") before the message, built only when needed. */
static int node_fail(loader *L, const rr_node *n, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int node_fail(loader *L, const rr_node *n, int status, const char *fmt, ...) {
    rr_err *err = L->err;
    if (err->status != RNNRUN_OK) return err->status;
    va_list ap;
    va_start(ap, fmt);
    rr_vfail(err, status, fmt, ap);
    va_end(ap);
    char label[400];
    return rr_err_prefix(err, "%s", rr_node_label(L->m, n, label, sizeof label));
}

/* Copy node n's list attribute of count elements of es bytes into the pool. */
static int dup_list(loader *L, const rr_node *n, const void *src, size_t count, size_t es, void **out, int *n_out) {
    if (count > INT_MAX) return node_fail(L, n, RNNRUN_ERR_LIMIT, "attribute too long");
    *out = rr_pool_alloc_packed(&L->m->pool, count * es);
    if (!*out) return rr_fail(L->err, RNNRUN_ERR_NOMEM, "out of memory");
    if (count) memcpy(*out, src, count * es);
    *n_out = (int)count;
    return RNNRUN_OK;
}

static int lower_attr(loader *L, const Onnx__AttributeProto *ap, rr_attr *a, const rr_node *n) {
    rr_pool *pool = &L->m->pool;
    rr_err *err = L->err;
    a->name = rr_pool_strdup(pool, ap->name ? ap->name : "");
    if (!a->name) return rr_fail(err, RNNRUN_ERR_NOMEM, "out of memory");
    if (ap->ref_attr_name && ap->ref_attr_name[0])
        return node_fail(L, n, RNNRUN_ERR_UNSUPPORTED, "attribute '%s' refers to a function attribute",
                         a->name);
    a->type = guess_attr_type(ap);
    switch (a->type) {
    case RR_ATTR_FLOAT: a->f = ap->f; break;
    case RR_ATTR_INT: a->i = ap->i; break;
    case RR_ATTR_STRING:
        a->s = rr_pool_strndup(pool, (const char *)ap->s.data, ap->s.len);
        a->slen = ap->s.len;
        if (!a->s) return rr_fail(err, RNNRUN_ERR_NOMEM, "out of memory");
        break;
    case RR_ATTR_TENSOR: {
        if (!ap->t)
            return node_fail(L, n, RNNRUN_ERR_MODEL, "tensor attribute '%s' holds no tensor", a->name);
        if (tensor_from_proto(pool, ap->t, L->base_dir, L->m->max_tensor_bytes, L->pb, &a->t, err)) {
            char label[400];
            rr_err_prefix(err, "attribute '%s'", a->name);
            return rr_err_prefix(err, "%s", rr_node_label(L->m, n, label, sizeof label));
        }
        break;
    }
    case RR_ATTR_FLOATS:
        if (dup_list(L, n, ap->floats, ap->n_floats, sizeof(float), (void **)&a->floats, &a->n))
            return err->status;
        break;
    case RR_ATTR_INTS:
        if (dup_list(L, n, ap->ints, ap->n_ints, sizeof(int64_t), (void **)&a->ints, &a->n))
            return err->status;
        break;
    case RR_ATTR_STRINGS:
        if (ap->n_strings > INT_MAX) return node_fail(L, n, RNNRUN_ERR_LIMIT, "attribute too long");
        a->n = (int)ap->n_strings;
        a->strings = rr_pool_alloc_packed(pool, ap->n_strings * sizeof(char *));
        if (!a->strings) return rr_fail(err, RNNRUN_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < ap->n_strings; i++) {
            a->strings[i] = rr_pool_strndup(pool, (const char *)ap->strings[i].data, ap->strings[i].len);
            if (!a->strings[i]) return rr_fail(err, RNNRUN_ERR_NOMEM, "out of memory");
        }
        break;
    default:
        /* graphs, sparse tensors, type protos: kept as a type only; no supported op reads them */
        break;
    }
    return RNNRUN_OK;
}

static bool is_default_domain(const char *d) { return !d || !d[0] || strcmp(d, "ai.onnx") == 0; }

static int cmp_names(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* Resolve node inputs and outputs, attributes and the kernel. */
static int lower_node(loader *L, const Onnx__NodeProto *np, rr_node *n, int proto_index) {
    rnnrun_model *m = L->m;
    rr_pool *pool = &m->pool;
    rr_err *err = L->err;
    const char *type = np->op_type ? np->op_type : "";
    int seen = 0; /* op_type's entry in L->seen, or n_seen */
    while (seen < L->n_seen && strcmp(L->seen[seen].type, type) != 0) seen++;
    n->name = rr_pool_strdup(pool, np->name ? np->name : "");
    n->op_type = seen < L->n_seen ? L->seen[seen].type : rr_pool_strdup(pool, type);
    n->domain = is_default_domain(np->domain) ? "" : rr_pool_strdup(pool, np->domain);
    if (!n->name || !n->op_type || !n->domain) return rr_fail(err, RNNRUN_ERR_NOMEM, "out of memory");
    n->index = proto_index;
    if (np->n_input > INT_MAX / 2 || np->n_output > INT_MAX / 2 || np->n_attribute > INT_MAX / 2)
        return rr_fail(err, RNNRUN_ERR_LIMIT, "node #%d: too many inputs, outputs or attributes", proto_index);
    n->n_in = (int)np->n_input;
    n->n_out = (int)np->n_output;
    n->in = rr_pool_alloc_packed(pool, (np->n_input + 1) * sizeof(int));
    n->out = rr_pool_alloc_packed(pool, (np->n_output + 1) * sizeof(int));
    if (!n->in || !n->out) return rr_fail(err, RNNRUN_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < np->n_output; i++) n->out[i] = -1;
    for (size_t i = 0; i < np->n_input; i++) n->in[i] = -1;
    /* outputs first, so labels can name the first output */
    for (size_t i = 0; i < np->n_output; i++) {
        const char *name = np->output[i] ? np->output[i] : "";
        if (!name[0]) continue;
        if (map_get_put(&L->names, name, -1) >= 0) {
            return node_fail(L, n, RNNRUN_ERR_MODEL, "output '%s' is already defined elsewhere in the graph",
                             name);
        }
        if (add_value(L, name, RR_VAL_NODE)) return err->status;
        n->out[i] = m->n_values - 1;
    }
    bool any_out = false;
    for (int i = 0; i < n->n_out; i++) any_out = any_out || n->out[i] >= 0;
    if (!any_out) return node_fail(L, n, RNNRUN_ERR_MODEL, "node has no outputs");
    if (!n->op_type[0]) return node_fail(L, n, RNNRUN_ERR_MODEL, "node has no op_type");
    /* kernel */
    if (n->domain[0]) {
        return node_fail(L, n, RNNRUN_ERR_UNSUPPORTED, "domain '%s' is not supported (only the default ONNX domain)",
                         n->domain);
    }
    if (m->opset == 0)
        return node_fail(L, n, RNNRUN_ERR_MODEL, "the model imports no opset of the default ONNX domain");
    n->opset = m->opset;
    bool known = false;
    if (seen < L->n_seen) {
        n->op = L->seen[seen].op;
        known = L->seen[seen].known;
    } else {
        n->op = rr_op_find(n->op_type, m->opset, &known);
        seen = L->n_seen < 8 ? L->n_seen++ : proto_index % 8; /* every node has the model's opset */
        L->seen[seen].type = n->op_type;
        L->seen[seen].op = n->op;
        L->seen[seen].known = known;
    }
    if (!n->op) {
        if (known)
            return node_fail(L, n, RNNRUN_ERR_UNSUPPORTED,
                             "op %s at opset %d is not supported (rnnrun implements other versions of it)",
                             n->op_type, m->opset);
        return node_fail(L, n, RNNRUN_ERR_UNSUPPORTED, "op %s is not supported", n->op_type);
    }
    /* arity: trailing omitted ("") optional inputs and outputs do not count */
    const rr_op *op = n->op;
    int last_in = 0, last_out = 0;
    for (size_t i = 0; i < np->n_input; i++)
        if (np->input[i] && np->input[i][0]) last_in = (int)i + 1;
    for (int i = 0; i < n->n_out; i++)
        if (n->out[i] >= 0) last_out = i + 1;
    if (last_in > op->max_in && op->max_in >= 0)
        return node_fail(L, n, RNNRUN_ERR_MODEL, "%d inputs given, %s-%d takes at most %d", last_in,
                         n->op_type, op->since, op->max_in);
    for (int i = 0; i < op->min_in; i++)
        if (i >= n->n_in || !np->input[i] || !np->input[i][0])
            return node_fail(L, n, RNNRUN_ERR_MODEL, "required input %d is missing (%s-%d needs %d)", i,
                             n->op_type, op->since, op->min_in);
    if (op->max_out >= 0 && last_out > op->max_out)
        return node_fail(L, n, RNNRUN_ERR_MODEL, "%d outputs given, %s-%d has at most %d", last_out,
                         n->op_type, op->since, op->max_out);
    for (int i = 0; i < op->min_out; i++)
        if (i >= n->n_out || n->out[i] < 0)
            return node_fail(L, n, RNNRUN_ERR_MODEL, "required output %d is missing", i);
    n->n_in = last_in;
    n->n_out = last_out;
    /* attributes */
    n->n_attr = (int)np->n_attribute;
    n->attrs = rr_pool_alloc_packed(pool, np->n_attribute * sizeof(rr_attr));
    if (!n->attrs) return rr_fail(err, RNNRUN_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < np->n_attribute; i++)
        if (lower_attr(L, np->attribute[i], &n->attrs[i], n)) return err->status;
    /* duplicates: sorted names side by side (comparing all pairs is quadratic in a hostile file) */
    if (np->n_attribute > 1) {
        const char **names = rr_pool_alloc(&L->tmp, np->n_attribute * sizeof *names);
        if (!names) return rr_fail(err, RNNRUN_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < np->n_attribute; i++) names[i] = n->attrs[i].name;
        qsort(names, np->n_attribute, sizeof *names, cmp_names);
        for (size_t i = 1; i < np->n_attribute; i++)
            if (strcmp(names[i - 1], names[i]) == 0)
                return node_fail(L, n, RNNRUN_ERR_MODEL, "attribute '%s' is given twice", names[i]);
    }
    return RNNRUN_OK;
}

/* Kahn's algorithm over node indices; rewrites m->nodes in execution order. */
static int topo_sort(loader *L) {
    rnnrun_model *m = L->m;
    int n = m->n_nodes;
    if (n == 0) return RNNRUN_OK;
    rr_pool *tmp = &L->tmp;
    int *indeg = rr_pool_alloc(tmp, (size_t)n * sizeof(int));
    int *order = rr_pool_alloc(tmp, (size_t)n * sizeof(int));
    /* consumers lists: CSR over (value -> nodes that read it) */
    int *cnt = rr_pool_alloc(tmp, ((size_t)m->n_values + 1) * sizeof(int));
    if (!indeg || !order || !cnt) return rr_fail(L->err, RNNRUN_ERR_NOMEM, "out of memory");
    int64_t edges = 0;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < m->nodes[i].n_in; k++) {
            int v = m->nodes[i].in[k];
            if (v >= 0 && m->values[v].producer >= 0) {
                indeg[i]++;
                cnt[v + 1]++;
                edges++;
            }
        }
    for (int v = 0; v < m->n_values; v++) cnt[v + 1] += cnt[v];
    int *adj = rr_pool_alloc(tmp, (size_t)(edges + 1) * sizeof(int));
    int *fill = rr_pool_alloc(tmp, ((size_t)m->n_values + 1) * sizeof(int));
    if (!adj || !fill) return rr_fail(L->err, RNNRUN_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n; i++)
        for (int k = 0; k < m->nodes[i].n_in; k++) {
            int v = m->nodes[i].in[k];
            if (v >= 0 && m->values[v].producer >= 0) adj[cnt[v] + fill[v]++] = i;
        }
    /* stable: ready nodes are taken in their file order */
    int head = 0, tail = 0;
    for (int i = 0; i < n; i++)
        if (indeg[i] == 0) order[tail++] = i;
    while (head < tail) {
        int i = order[head++];
        for (int o = 0; o < m->nodes[i].n_out; o++) {
            int v = m->nodes[i].out[o];
            if (v < 0) continue;
            for (int e = cnt[v]; e < cnt[v + 1]; e++)
                if (--indeg[adj[e]] == 0) order[tail++] = adj[e];
        }
    }
    if (tail < n) {
        for (int i = 0; i < n; i++)
            if (indeg[i] > 0) {
                char label[400];
                rr_node_label(m, &m->nodes[i], label, sizeof label);
                return rr_fail(L->err, RNNRUN_ERR_MODEL, "%s: the graph has a cycle through this node", label);
            }
    }
    int k0 = 0; /* exporters list nodes in execution order already: nothing to move */
    while (k0 < n && order[k0] == k0) k0++;
    if (k0 == n) return RNNRUN_OK;
    rr_node *sorted = rr_pool_alloc(&m->pool, (size_t)n * sizeof(rr_node));
    if (!sorted) return rr_fail(L->err, RNNRUN_ERR_NOMEM, "out of memory");
    for (int k = 0; k < n; k++) {
        sorted[k] = m->nodes[order[k]];
        sorted[k].index = k;
        for (int o = 0; o < sorted[k].n_out; o++)
            if (sorted[k].out[o] >= 0) m->values[sorted[k].out[o]].producer = k;
    }
    m->nodes = sorted;
    return RNNRUN_OK;
}

static int lower_model(loader *L, const Onnx__ModelProto *mp) {
    rnnrun_model *m = L->m;
    rr_err *err = L->err;
    rr_pool *pool = &m->pool;
    m->ir_version = mp->has_ir_version ? mp->ir_version : 0;
    if (m->ir_version < RR_MIN_IR || m->ir_version > RR_MAX_IR)
        return rr_fail(err, RNNRUN_ERR_UNSUPPORTED, "IR version %lld is not supported (rnnrun reads %d to %d)",
                       (long long)m->ir_version, RR_MIN_IR, RR_MAX_IR);
    char prod[256];
    snprintf(prod, sizeof prod, "%s%s%s", mp->producer_name ? mp->producer_name : "",
             mp->producer_version && mp->producer_version[0] ? " " : "",
             mp->producer_version ? mp->producer_version : "");
    m->producer = rr_pool_strdup(pool, prod);
    if (!m->producer) return rr_fail(err, RNNRUN_ERR_NOMEM, "out of memory");
    m->opset = 0;
    if (mp->n_opset_import > INT_MAX / 4) return rr_fail(err, RNNRUN_ERR_LIMIT, "too many opset imports");
    m->import_domains = rr_pool_alloc(pool, (mp->n_opset_import + 1) * sizeof(char *));
    m->import_versions = rr_pool_alloc(pool, (mp->n_opset_import + 1) * sizeof(int64_t));
    if (!m->import_domains || !m->import_versions) return rr_fail(err, RNNRUN_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < mp->n_opset_import; i++) {
        const Onnx__OperatorSetIdProto *o = mp->opset_import[i];
        m->import_domains[i] = rr_pool_strdup(pool, is_default_domain(o->domain) ? "ai.onnx" : o->domain);
        m->import_versions[i] = o->has_version ? o->version : 0;
        if (!m->import_domains[i]) return rr_fail(err, RNNRUN_ERR_NOMEM, "out of memory");
        m->n_imports++;
        if (is_default_domain(o->domain)) {
            int64_t v = o->has_version ? o->version : 0;
            if (v < 1 || v > RR_MAX_OPSET)
                return rr_fail(err, RNNRUN_ERR_UNSUPPORTED,
                               "opset %lld of the default domain is not supported (rnnrun knows 1 to %d)",
                               (long long)v, RR_MAX_OPSET);
            if (m->opset && m->opset != (int)v)
                return rr_fail(err, RNNRUN_ERR_MODEL, "the default domain is imported twice, at opsets %d and %lld",
                               m->opset, (long long)v);
            m->opset = (int)v;
        }
    }
    const Onnx__GraphProto *g = mp->graph;
    if (!g) return rr_fail(err, RNNRUN_ERR_MODEL, "the model has no graph");
    if (g->n_sparse_initializer > 0)
        return rr_fail(err, RNNRUN_ERR_UNSUPPORTED, "sparse initializers are not supported");

    size_t nv = g->n_initializer + g->n_input;
    for (size_t i = 0; i < g->n_node; i++) nv += g->node[i]->n_output;
    if (nv > INT_MAX / 4 || g->n_node > INT_MAX / 4)
        return rr_fail(err, RNNRUN_ERR_LIMIT, "the graph is too large");
    L->cap_values = (int)nv;
    m->values = rr_pool_alloc(pool, (nv + 1) * sizeof(rr_value));
    if (!m->values || !map_init(&L->names, &L->tmp, nv)) return rr_fail(err, RNNRUN_ERR_NOMEM, "out of memory");

    /* initializers */
    for (size_t i = 0; i < g->n_initializer; i++) {
        const Onnx__TensorProto *tp = g->initializer[i];
        const char *name = tp->name ? tp->name : "";
        if (!name[0]) return rr_fail(err, RNNRUN_ERR_MODEL, "initializer #%zu has no name", i);
        if (map_get_put(&L->names, name, -1) >= 0)
            return rr_fail(err, RNNRUN_ERR_MODEL, "initializer '%s' is defined twice", name);
        if (add_value(L, name, RR_VAL_CONST)) return err->status;
        rr_value *v = &m->values[m->n_values - 1];
        if (tensor_from_proto(pool, tp, L->base_dir, m->max_tensor_bytes, L->pb, &v->init, err))
            return rr_err_prefix(err, "initializer '%s'", name);
        v->decl_dtype = v->init->dtype;
        v->decl_rank = v->init->rank;
        v->decl = rr_pool_alloc_packed(pool, (size_t)v->init->rank * sizeof *v->decl);
        if (!v->decl) return rr_fail(err, RNNRUN_ERR_NOMEM, "out of memory");
        for (int d = 0; d < v->init->rank; d++) v->decl[d].size = v->init->dims[d];
    }
    /* graph inputs */
    m->slots = rr_pool_alloc(pool, (g->n_input + 1) * sizeof(int));
    int *defaulted = rr_pool_alloc(&L->tmp, (g->n_input + 1) * sizeof(int));
    if (!m->slots || !defaulted) return rr_fail(err, RNNRUN_ERR_NOMEM, "out of memory");
    int n_def = 0;
    for (size_t i = 0; i < g->n_input; i++) {
        const Onnx__ValueInfoProto *vi = g->input[i];
        const char *name = vi->name ? vi->name : "";
        if (!name[0]) return rr_fail(err, RNNRUN_ERR_MODEL, "graph input #%zu has no name", i);
        int id = map_get_put(&L->names, name, -1);
        if (id >= 0) {
            rr_value *v = &m->values[id];
            if (v->kind != RR_VAL_CONST)
                return rr_fail(err, RNNRUN_ERR_MODEL, "graph input '%s' is listed twice", name);
            /* old IR: an initializer listed as input is a default the caller may override */
            int init_dtype = v->init->dtype;
            if (lower_value_info(L, vi, v, "graph input")) return err->status;
            if (v->decl_dtype && v->decl_dtype != init_dtype)
                return rr_fail(err, RNNRUN_ERR_MODEL, "graph input '%s' is declared %s but its initializer is %s", name,
                               rr_dtype_name(v->decl_dtype), rr_dtype_name(init_dtype));
            v->decl_dtype = init_dtype;
            v->kind = RR_VAL_DEFAULTED;
            defaulted[n_def++] = id;
        } else {
            if (add_value(L, name, RR_VAL_INPUT)) return err->status;
            id = m->n_values - 1;
            if (lower_value_info(L, vi, &m->values[id], "graph input")) return err->status;
            m->values[id].slot = m->n_inputs;
            m->slots[m->n_inputs++] = id;
        }
    }
    for (int i = 0; i < n_def; i++) {
        m->values[defaulted[i]].slot = m->n_inputs + i;
        m->slots[m->n_inputs + i] = defaulted[i];
    }
    m->n_slots = m->n_inputs + n_def;

    /* nodes: outputs are defined as they come; inputs are resolved once all names exist */
    m->n_nodes = (int)g->n_node;
    m->nodes = rr_pool_alloc(pool, (g->n_node + 1) * sizeof(rr_node));
    if (!m->nodes) return rr_fail(err, RNNRUN_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < g->n_node; i++)
        if (lower_node(L, g->node[i], &m->nodes[i], (int)i)) return err->status;
    for (size_t i = 0; i < g->n_node; i++) {
        rr_node *n = &m->nodes[i];
        for (int o = 0; o < n->n_out; o++)
            if (n->out[o] >= 0) m->values[n->out[o]].producer = (int)i;
    }
    for (size_t i = 0; i < g->n_node; i++) {
        const Onnx__NodeProto *np = g->node[i];
        rr_node *n = &m->nodes[i];
        for (size_t k = 0; k < np->n_input; k++) {
            const char *name = np->input[k] ? np->input[k] : "";
            if (!name[0]) continue;
            int id = map_get_put(&L->names, name, -1);
            if (id < 0) {
                char label[400];
                rr_node_label(m, n, label, sizeof label);
                return rr_fail(err, RNNRUN_ERR_MODEL,
                               "%s: input '%s' is not produced by any node, nor a graph input or initializer", label,
                               name);
            }
            if (m->values[id].producer == (int)i) {
                char label[400];
                rr_node_label(m, n, label, sizeof label);
                return rr_fail(err, RNNRUN_ERR_MODEL, "%s: reads its own output '%s'", label, name);
            }
            n->in[k] = id;
        }
    }
    /* graph outputs */
    if (g->n_output == 0) return rr_fail(err, RNNRUN_ERR_MODEL, "the graph has no outputs");
    m->n_outputs = (int)g->n_output;
    m->outputs = rr_pool_alloc(pool, (g->n_output + 1) * sizeof(int));
    if (!m->outputs) return rr_fail(err, RNNRUN_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < g->n_output; i++) {
        const Onnx__ValueInfoProto *vi = g->output[i];
        const char *name = vi->name ? vi->name : "";
        int id = name[0] ? map_get_put(&L->names, name, -1) : -1;
        if (id < 0)
            return rr_fail(err, RNNRUN_ERR_MODEL, "graph output '%s' is not produced by any node, input or initializer",
                           name);
        m->outputs[i] = id;
        rr_value *v = &m->values[id];
        if (v->kind == RR_VAL_NODE) {
            if (lower_value_info(L, vi, v, "graph output")) return err->status;
        } else {
            /* an input or initializer returned as is: keep its own declaration */
            rr_value probe = *v;
            probe.decl_rank = -1;
            probe.decl_dtype = 0;
            if (lower_value_info(L, vi, &probe, "graph output")) return err->status;
        }
    }
    return topo_sort(L);
}

/* ---- protobuf pre-scan ----------------------------------------------------------------------- */

/* protobuf-c unpacks nested messages recursively, without a depth limit: a few megabytes of
 * nested subgraphs overflow the stack. This walks the wire format first, without recursion,
 * following the schema's message fields, and refuses nesting deeper than RR_MAX_PROTO_DEPTH
 * (real models nest about 3 levels per control-flow subgraph). It also refuses what protobuf-c
 * would (truncated fields, bad wire types), with a message saying where, and a file whose
 * unpacked message structs would take more than RR_PROTO_AMPLIFY times its size (plus a margin):
 * an empty message is 2 bytes in the file and a hundred or more once unpacked. */
#define RR_MAX_PROTO_DEPTH 100
#define RR_PROTO_AMPLIFY 16
#define RR_PROTO_MARGIN ((uint64_t)64 << 20)

static bool wire_varint(const uint8_t **p, const uint8_t *end, uint64_t *out) {
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (*p >= end) return false;
        uint8_t b = *(*p)++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return true;
        }
    }
    return false;
}

static int wire_scan(const uint8_t *data, size_t size, size_t *unpacked, rr_err *err) {
    struct frame {
        const ProtobufCMessageDescriptor *desc;
        const uint8_t *end;
    } stack[RR_MAX_PROTO_DEPTH + 1];
    int depth = 0;
    uint64_t structs = 0, budget = (uint64_t)size * RR_PROTO_AMPLIFY + RR_PROTO_MARGIN;
    uint64_t small = 0; /* what the strings, small byte fields and arrays may take in pb's chunks */
    stack[0].desc = &onnx__model_proto__descriptor;
    stack[0].end = data + size;
    const uint8_t *p = data;
    for (;;) {
        while (depth > 0 && p == stack[depth].end) depth--;
        if (p == stack[depth].end) { /* depth 0: the whole buffer */
            *unpacked = (size_t)(structs + small);
            return RNNRUN_OK;
        }
        size_t at = (size_t)(p - data);
        uint64_t key, len;
        if (!wire_varint(&p, stack[depth].end, &key) || (key >> 3) == 0 || (key >> 3) > 0x1fffffff)
            return rr_fail(err, RNNRUN_ERR_FORMAT, "not an ONNX model (bad protobuf field key at byte %zu)", at);
        size_t left = (size_t)(stack[depth].end - p);
        switch (key & 7) {
        case 0:
            if (!wire_varint(&p, stack[depth].end, &len))
                return rr_fail(err, RNNRUN_ERR_FORMAT, "not an ONNX model (truncated varint at byte %zu)", at);
            break;
        case 1:
        case 5: {
            size_t n = (key & 7) == 1 ? 8 : 4;
            if (left < n)
                return rr_fail(err, RNNRUN_ERR_FORMAT, "not an ONNX model (truncated field at byte %zu)", at);
            p += n;
            break;
        }
        case 2: {
            if (!wire_varint(&p, stack[depth].end, &len) || len > (uint64_t)(stack[depth].end - p))
                return rr_fail(err, RNNRUN_ERR_FORMAT,
                               "not an ONNX model (a field at byte %zu is longer than what holds it)", at);
            const ProtobufCFieldDescriptor *f =
                protobuf_c_message_descriptor_get_field(stack[depth].desc, (unsigned)(key >> 3));
            if (f && f->type == PROTOBUF_C_TYPE_MESSAGE) {
                if (depth == RR_MAX_PROTO_DEPTH)
                    return rr_fail(err, RNNRUN_ERR_LIMIT,
                                   "messages nested more than %d deep (at byte %zu): refused", RR_MAX_PROTO_DEPTH,
                                   at);
                const ProtobufCMessageDescriptor *sub = f->descriptor;
                structs += sub->sizeof_message + sizeof(void *);
                if (structs > budget)
                    return rr_fail(err, RNNRUN_ERR_LIMIT,
                                   "the file's messages would take over %llu bytes once unpacked (%zu bytes in the "
                                   "file): refused",
                                   (unsigned long long)budget, size);
                depth++;
                stack[depth].desc = sub;
                stack[depth].end = p + len;
            } else {
                if (len < PB_BIG) small += ((len + 8) & ~(uint64_t)7) + sizeof(void *);
                p += len;
            }
            break;
        }
        default:
            return rr_fail(err, RNNRUN_ERR_FORMAT, "not an ONNX model (protobuf wire type %d at byte %zu)",
                           (int)(key & 7), at);
        }
    }
}

/* from_file: path is the model's file, whose folder holds its external data */
static int load_bytes(const void *data, size_t size, const char *path, bool from_file, rnnrun_model **out,
                      rr_err *err) {
    *out = NULL;
    if (size == 0) return rr_fail(err, RNNRUN_ERR_FORMAT, "not an ONNX model (the file is empty)");
    size_t unpacked = 0;
    if (wire_scan(data, size, &unpacked, err)) return err->status;
    /* One block, its pages brought in at once (a block of 128 KiB or more comes mapped and
     * populated), for what the load writes: [model's pool | loader's tmp pool | protobuf arena],
     * each part sized from wire_scan's estimate (on models/ the model's IR takes 62-90% of what
     * protobuf-c's small blocks take, the tmp pool under 1/8; each part goes on in chunks of its
     * own if it runs over). A separate
     * heap block per part and chunk costs a first-touch fault each (malloc writes a header on
     * the page past it), and returned memory is faulted in again. The model's pool keeps the
     * block, the parts it no longer needs included. */
    const rr_allocator *a = &rr_default_allocator;
    size_t model_part = rr_align_up(unpacked - unpacked / 16 + 2048);
    size_t tmp_part = rr_align_up(unpacked / 8 + 2048);
    size_t pb_part = rr_align_up(pb_expect(unpacked)), total = model_part + tmp_part + pb_part;
    rnnrun_model *m = calloc(1, sizeof *m);
    if (m) rr_pool_init(&m->pool, a);
    unsigned char *region = m ? rr_pool_region(&m->pool, total, model_part) : NULL;
    if (!region) {
        free(m);
        return rr_fail(err, RNNRUN_ERR_NOMEM, "out of memory");
    }
    loader L = {.m = m, .err = err};
    rr_pool_init(&L.tmp, a);
    rr_pool_lend(&L.tmp, region + model_part, tmp_part);
    const char *slash = from_file ? strrchr(path, '/') : NULL;
    if (from_file)
        L.base_dir = !slash ? "." : slash == path ? "/" : rr_pool_strndup(&L.tmp, path, (size_t)(slash - path));
    pb_arena pb;
    pb_init(&pb, a, unpacked, region + model_part + tmp_part, pb_part);
    L.pb = &pb;
    ProtobufCAllocator pa = {pb_alloc, pb_free, &pb};
    Onnx__ModelProto *mp = onnx__model_proto__unpack(&pa, size, data);
    if (!mp) {
        pb_release(&pb);
        rnnrun_model_free(m);
        return rr_fail(err, RNNRUN_ERR_FORMAT, "not an ONNX model (the protobuf does not parse)");
    }
    m->max_tensor_bytes = RR_DEFAULT_MAX_TENSOR_BYTES;
    m->path = rr_pool_strdup(&m->pool, path);
    int st = m->path && (L.base_dir || !from_file) ? lower_model(&L, mp)
                                                    : rr_fail(err, RNNRUN_ERR_NOMEM, "out of memory");
    rr_pool_free(&L.tmp);
    pb_release(&pb); /* every block the model did not adopt, and protobuf-c's structs */
    if (st != RNNRUN_OK) {
        rnnrun_model_free(m);
        return st;
    }
    *out = m;
    return RNNRUN_OK;
}

static void write_err(char *buf, size_t size, const char *path, const rr_err *err) {
    if (buf && size) snprintf(buf, size, "%s: %s", path, err->msg);
}

int rr_model_load_file_with(const char *path, bool map, rnnrun_model **out, char *errbuf, size_t errsize) {
    rr_err err = {0};
    if (errbuf && errsize) errbuf[0] = 0;
    if (!out) {
        rr_fail(&err, RNNRUN_ERR_ARG, "out is NULL");
        write_err(errbuf, errsize, path ? path : "(null)", &err);
        return err.status;
    }
    *out = NULL;
    if (!path) {
        rr_fail(&err, RNNRUN_ERR_ARG, "path is NULL");
        write_err(errbuf, errsize, "(null)", &err);
        return err.status;
    }
    file_view f;
    if (open_file(path, map, &f, &err)) {
        write_err(errbuf, errsize, path, &err);
        return err.status;
    }
    int st = load_bytes(f.data, f.size, path, true, out, &err);
    close_file(&f);
    if (st) write_err(errbuf, errsize, path, &err);
    return st;
}

int rnnrun_model_load_file(const char *path, rnnrun_model **out, char *errbuf, size_t errsize) {
    return rr_model_load_file_with(path, true, out, errbuf, errsize);
}

int rnnrun_model_load_buffer(const void *data, size_t size, rnnrun_model **out, char *errbuf, size_t errsize) {
    rr_err err = {0};
    if (errbuf && errsize) errbuf[0] = 0;
    if (!out || (!data && size)) {
        rr_fail(&err, RNNRUN_ERR_ARG, out ? "data is NULL" : "out is NULL");
        write_err(errbuf, errsize, "<buffer>", &err);
        if (out) *out = NULL;
        return err.status;
    }
    int st = load_bytes(data ? data : "", size, "<buffer>", false, out, &err);
    if (st) write_err(errbuf, errsize, "<buffer>", &err);
    return st;
}

void rnnrun_model_free(rnnrun_model *m) {
    if (!m) return;
    rr_pool_free(&m->pool);
    free(m);
}

/* ---- model queries --------------------------------------------------------------------------- */

int rnnrun_model_input_count(const rnnrun_model *m) { return m ? m->n_inputs : -1; }
int rnnrun_model_output_count(const rnnrun_model *m) { return m ? m->n_outputs : -1; }

const char *rnnrun_model_input_name(const rnnrun_model *m, int i) {
    return m && i >= 0 && i < m->n_inputs ? m->values[m->slots[i]].name : NULL;
}

const char *rnnrun_model_output_name(const rnnrun_model *m, int i) {
    return m && i >= 0 && i < m->n_outputs ? m->values[m->outputs[i]].name : NULL;
}

int rnnrun_model_input_index(const rnnrun_model *m, const char *name) {
    if (!m || !name) return -1;
    for (int i = 0; i < m->n_inputs; i++)
        if (strcmp(m->values[m->slots[i]].name, name) == 0) return i;
    return -1;
}

int rnnrun_model_output_index(const rnnrun_model *m, const char *name) {
    if (!m || !name) return -1;
    for (int i = 0; i < m->n_outputs; i++)
        if (strcmp(m->values[m->outputs[i]].name, name) == 0) return i;
    return -1;
}

static int value_info(const rr_value *v, int *dtype, int *rank, int64_t *dims, const char **params) {
    if (dtype) *dtype = v->decl_dtype;
    if (rank) *rank = v->decl_rank;
    for (int d = 0; d < RR_MAX_RANK; d++) {
        bool in = d < v->decl_rank;
        if (dims) dims[d] = in ? v->decl[d].size : -1;
        if (params) params[d] = in ? v->decl[d].param : NULL;
    }
    return RNNRUN_OK;
}

int rnnrun_model_input_info(const rnnrun_model *m, int i, int *dtype, int *rank, int64_t *dims,
                            const char **params) {
    if (!m) return RNNRUN_ERR_ARG;
    if (i < 0 || i >= m->n_inputs) return RNNRUN_ERR_RANGE;
    return value_info(&m->values[m->slots[i]], dtype, rank, dims, params);
}

int rnnrun_model_output_info(const rnnrun_model *m, int i, int *dtype, int *rank, int64_t *dims,
                             const char **params) {
    if (!m) return RNNRUN_ERR_ARG;
    if (i < 0 || i >= m->n_outputs) return RNNRUN_ERR_RANGE;
    return value_info(&m->values[m->outputs[i]], dtype, rank, dims, params);
}

int rnnrun_model_opset(const rnnrun_model *m) { return m ? m->opset : -1; }
int64_t rnnrun_model_ir_version(const rnnrun_model *m) { return m ? m->ir_version : -1; }
int rnnrun_model_node_count(const rnnrun_model *m) { return m ? m->n_nodes : -1; }

const char *rnnrun_model_node_op(const rnnrun_model *m, int i) {
    return m && i >= 0 && i < m->n_nodes ? m->nodes[i].op_type : NULL;
}
