/* .npy reading and writing. The header is a Python dict literal; this parser accepts exactly the
 * literal NumPy writes (and any spacing or quoting Python would read the same way): the keys
 * 'descr', 'fortran_order' and 'shape', each once, and nothing else. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernels/kernels.h"
#include "npy.h"

static const unsigned char MAGIC[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

/* descr codes rnnrun reads and writes; the byte order char is checked separately */
static const struct {
    const char *code;  /* without the byte order char */
    int dtype;
} DESCRS[] = {
    {"f4", RR_FLOAT}, {"f8", RR_DOUBLE}, {"f2", RR_FLOAT16}, {"i1", RR_INT8}, {"i2", RR_INT16},
    {"i4", RR_INT32}, {"i8", RR_INT64},  {"u1", RR_UINT8},   {"u2", RR_UINT16}, {"u4", RR_UINT32},
    {"u8", RR_UINT64}, {"b1", RR_BOOL},
};

/* ---- header parsing -------------------------------------------------------------------------- */

typedef struct hp {
    const char *s, *end;
    rr_err *err;
} hp;

static void skip_ws(hp *p) {
    while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r')) p->s++;
}

static bool eat(hp *p, char ch) {
    skip_ws(p);
    if (p->s < p->end && *p->s == ch) {
        p->s++;
        return true;
    }
    return false;
}

/* a quoted string into out (at most size-1 chars) */
static int parse_str(hp *p, char *out, size_t size) {
    skip_ws(p);
    if (p->s >= p->end || (*p->s != '\'' && *p->s != '"'))
        return rr_fail(p->err, RNNRUN_ERR_FORMAT, "bad .npy header: expected a quoted string");
    char q = *p->s++;
    size_t n = 0;
    while (p->s < p->end && *p->s != q) {
        if (*p->s == '\\' || n + 1 >= size)
            return rr_fail(p->err, RNNRUN_ERR_FORMAT, "bad .npy header: unexpected string");
        out[n++] = *p->s++;
    }
    if (p->s >= p->end) return rr_fail(p->err, RNNRUN_ERR_FORMAT, "bad .npy header: unterminated string");
    p->s++;
    out[n] = 0;
    return RNNRUN_OK;
}

static int parse_int(hp *p, int64_t *out) {
    skip_ws(p);
    int64_t v = 0;
    const char *start = p->s;
    while (p->s < p->end && *p->s >= '0' && *p->s <= '9') {
        if (!rr_mul_ok(v, 10, &v) || !rr_add_ok(v, *p->s - '0', &v))
            return rr_fail(p->err, RNNRUN_ERR_LIMIT, "bad .npy header: a dimension is too large");
        p->s++;
    }
    if (p->s == start)
        return rr_fail(p->err, RNNRUN_ERR_FORMAT, "bad .npy header: expected a non-negative integer in the shape");
    if (p->s < p->end && *p->s == 'L') p->s++; /* Python 2 longs */
    *out = v;
    return RNNRUN_OK;
}

static int parse_shape(hp *p, int *rank, int64_t *dims) {
    if (!eat(p, '(')) return rr_fail(p->err, RNNRUN_ERR_FORMAT, "bad .npy header: shape is not a tuple");
    int r = 0;
    bool comma = false;
    while (!eat(p, ')')) {
        if (r >= RR_MAX_RANK)
            return rr_fail(p->err, RNNRUN_ERR_LIMIT, "array rank is above the maximum of %d", RR_MAX_RANK);
        if (parse_int(p, &dims[r])) return p->err->status;
        r++;
        if ((comma = eat(p, ','))) continue;
        if (eat(p, ')')) break;
        return rr_fail(p->err, RNNRUN_ERR_FORMAT, "bad .npy header: malformed shape tuple");
    }
    /* (6) is the int 6 in Python, not a tuple */
    if (r == 1 && !comma) return rr_fail(p->err, RNNRUN_ERR_FORMAT, "bad .npy header: shape is not a tuple");
    *rank = r;
    return RNNRUN_OK;
}

static int parse_header(const char *s, size_t n, int *dtype, bool *fortran, int *rank, int64_t *dims, rr_err *err) {
    hp p = {s, s + n, err};
    bool have_descr = false, have_fortran = false, have_shape = false;
    if (!eat(&p, '{')) return rr_fail(err, RNNRUN_ERR_FORMAT, "bad .npy header: not a dict");
    while (!eat(&p, '}')) {
        char key[32], val[64];
        if (parse_str(&p, key, sizeof key)) return err->status;
        if (!eat(&p, ':')) return rr_fail(err, RNNRUN_ERR_FORMAT, "bad .npy header: expected ':' after '%s'", key);
        if (strcmp(key, "descr") == 0 && !have_descr) {
            have_descr = true;
            skip_ws(&p);
            if (p.s < p.end && (*p.s == '[' || *p.s == '{'))
                return rr_fail(err, RNNRUN_ERR_UNSUPPORTED, "structured dtypes are not supported");
            if (parse_str(&p, val, sizeof val)) return err->status;
            char order = val[0];
            const char *code = order ? val + 1 : val;
            *dtype = 0;
            for (size_t i = 0; i < sizeof DESCRS / sizeof DESCRS[0]; i++)
                if (strcmp(code, DESCRS[i].code) == 0) *dtype = DESCRS[i].dtype;
            if (!*dtype)
                return rr_fail(err, RNNRUN_ERR_UNSUPPORTED,
                               "dtype '%s' is not supported (float32/64, int8/16/32/64, uint8/16/32/64, bool)", val);
            bool one_byte = rr_dtype_size(*dtype) == 1;
            if (order == '>' && !one_byte)
                return rr_fail(err, RNNRUN_ERR_UNSUPPORTED, "dtype '%s' is big-endian: only little-endian data is read",
                               val);
            if (order != '<' && order != '|' && !(one_byte && (order == '>' || order == '=')))
                return rr_fail(err, RNNRUN_ERR_UNSUPPORTED, "dtype '%s' has byte order '%c': only '<' is read", val,
                               order);
        } else if (strcmp(key, "fortran_order") == 0 && !have_fortran) {
            have_fortran = true;
            skip_ws(&p);
            if ((size_t)(p.end - p.s) >= 4 && memcmp(p.s, "True", 4) == 0) *fortran = true, p.s += 4;
            else if ((size_t)(p.end - p.s) >= 5 && memcmp(p.s, "False", 5) == 0) *fortran = false, p.s += 5;
            else return rr_fail(err, RNNRUN_ERR_FORMAT, "bad .npy header: fortran_order is not True or False");
        } else if (strcmp(key, "shape") == 0 && !have_shape) {
            have_shape = true;
            if (parse_shape(&p, rank, dims)) return err->status;
        } else {
            return rr_fail(err, RNNRUN_ERR_FORMAT, "bad .npy header: unexpected or repeated key '%s'", key);
        }
        if (eat(&p, ',')) continue;
        if (eat(&p, '}')) break;
        return rr_fail(err, RNNRUN_ERR_FORMAT, "bad .npy header: expected ',' or '}'");
    }
    skip_ws(&p);
    if (p.s != p.end) return rr_fail(err, RNNRUN_ERR_FORMAT, "bad .npy header: text after the dict");
    if (!have_descr || !have_fortran || !have_shape)
        return rr_fail(err, RNNRUN_ERR_FORMAT, "bad .npy header: missing %s", !have_descr ? "'descr'" :
                       !have_fortran ? "'fortran_order'" : "'shape'");
    return RNNRUN_OK;
}

/* ---- reading --------------------------------------------------------------------------------- */

int rr_npy_parse(const void *vbuf, size_t size, rr_tensor *t, rr_err *err) {
    const unsigned char *b = vbuf;
    memset(t, 0, sizeof *t);
    if (size < 6 || memcmp(b, MAGIC, 6) != 0) return rr_fail(err, RNNRUN_ERR_FORMAT, "not a .npy file (bad magic)");
    if (size < 10) return rr_fail(err, RNNRUN_ERR_FORMAT, "truncated .npy header");
    int major = b[6], minor = b[7];
    size_t hlen, pre;
    if (major == 1 && minor == 0) {
        hlen = (size_t)b[8] | (size_t)b[9] << 8;
        pre = 10;
    } else if ((major == 2 || major == 3) && minor == 0) {
        if (size < 12) return rr_fail(err, RNNRUN_ERR_FORMAT, "truncated .npy header");
        hlen = (size_t)b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 | (size_t)b[11] << 24;
        pre = 12;
    } else {
        return rr_fail(err, RNNRUN_ERR_UNSUPPORTED, ".npy version %d.%d is not supported (1.0, 2.0, 3.0)", major,
                       minor);
    }
    if (hlen > size - pre)
        return rr_fail(err, RNNRUN_ERR_FORMAT, "truncated .npy header (%zu bytes announced, %zu in the file)", hlen,
                       size - pre);
    int dtype = 0, rank = 0;
    bool fortran = false;
    int64_t dims[RR_MAX_RANK];
    if (parse_header((const char *)b + pre, hlen, &dtype, &fortran, &rank, dims, err)) return err->status;
    t->dtype = dtype;
    if (rr_tensor_set_shape(t, rank, dims, INT64_MAX / 2, err)) return err->status;
    size_t need = rr_tensor_bytes(t), have = size - pre - hlen;
    if (have != need)
        return rr_fail(err, RNNRUN_ERR_FORMAT, "the header's shape %s of %s needs %zu data bytes, the file has %zu",
                       rr_shape_str(t->dims, t->rank, (char[160]){0}, 160), rr_dtype_name(dtype), need, have);
    void *data = malloc(need ? need : 1);
    if (!data) return rr_fail(err, RNNRUN_ERR_NOMEM, "cannot allocate %zu bytes", need);
    const unsigned char *src = b + pre + hlen;
    if (fortran && rank > 1 && need) {
        /* column-major: element (i0..ir-1) is at i0 + d0*(i1 + d1*(...)) */
        int64_t st[RR_MAX_RANK], s = 1;
        for (int d = 0; d < rank; d++) {
            st[d] = s;
            s *= t->dims[d];
        }
        rr_strided cp;
        rr_strided_init(&cp, rank, t->dims, st, 0);
        rr_strided_copy(&cp, src, data, rr_dtype_size(dtype));
    } else if (need) {
        memcpy(data, src, need);
    }
    if (dtype == RR_BOOL)
        for (int64_t i = 0; i < t->numel; i++) ((uint8_t *)data)[i] = ((uint8_t *)data)[i] != 0;
    t->data = data;
    return RNNRUN_OK;
}

int rr_npy_read(const char *path, rr_tensor *t, rr_err *err) {
    memset(t, 0, sizeof *t);
    int fd = rr_open_regular(path);
    if (fd < 0 && errno == EINVAL) return rr_fail(err, RNNRUN_ERR_IO, "not a regular file (a folder, FIFO or device)");
    if (fd < 0) return rr_fail(err, RNNRUN_ERR_IO, "cannot open: %s", strerror(errno));
    unsigned char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 65536;
            unsigned char *nb = realloc(buf, ncap);
            if (!nb) {
                free(buf);
                close(fd);
                return rr_fail(err, RNNRUN_ERR_NOMEM, "cannot read the file into memory");
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            free(buf);
            close(fd);
            return rr_fail(err, RNNRUN_ERR_IO, "read failed: %s", strerror(errno));
        }
        if (r == 0) break;
        n += (size_t)r;
    }
    close(fd);
    int st = rr_npy_parse(buf, n, t, err);
    free(buf);
    return st;
}

/* ---- writing --------------------------------------------------------------------------------- */

int rr_npy_encode(const rr_tensor *t, int version, unsigned char **out, size_t *out_size, rr_err *err) {
    *out = NULL;
    *out_size = 0;
    if (version < 1 || version > 3) return rr_fail(err, RNNRUN_ERR_ARG, ".npy version %d cannot be written", version);
    const char *code = NULL;
    for (size_t i = 0; i < sizeof DESCRS / sizeof DESCRS[0]; i++)
        if (DESCRS[i].dtype == t->dtype) code = DESCRS[i].code;
    if (!code) return rr_fail(err, RNNRUN_ERR_UNSUPPORTED, "dtype %s cannot be written to .npy", rr_dtype_name(t->dtype));
    char h[512];
    int k = snprintf(h, sizeof h, "{'descr': '%c%s', 'fortran_order': False, 'shape': (",
                     rr_dtype_size(t->dtype) == 1 ? '|' : '<', code);
    for (int d = 0; d < t->rank; d++) k += snprintf(h + k, sizeof h - (size_t)k, d ? ", %lld" : "%lld", (long long)t->dims[d]);
    k += snprintf(h + k, sizeof h - (size_t)k, t->rank == 1 ? ",), }" : "), }");
    /* pad with spaces so the data starts at a multiple of 64, then a newline */
    size_t pre = version == 1 ? 10 : 12, total = pre + (size_t)k + 1;
    size_t padded = (total + 63) / 64 * 64;
    size_t hlen = padded - pre;
    size_t nbytes = rr_tensor_bytes(t);
    unsigned char *b = malloc(padded + nbytes);
    if (!b) return rr_fail(err, RNNRUN_ERR_NOMEM, "cannot allocate %zu bytes", padded + nbytes);
    memcpy(b, MAGIC, 6);
    b[6] = (unsigned char)version;
    b[7] = 0;
    for (size_t i = 0; i < pre - 8; i++) b[8 + i] = (unsigned char)(hlen >> (8 * i));
    memcpy(b + pre, h, (size_t)k);
    memset(b + pre + k, ' ', hlen - (size_t)k - 1);
    b[padded - 1] = '\n';
    if (nbytes) memcpy(b + padded, t->data, nbytes);
    *out = b;
    *out_size = padded + nbytes;
    return RNNRUN_OK;
}

int rr_npy_write(const char *path, const rr_tensor *t, rr_err *err) {
    unsigned char *buf;
    size_t n;
    if (rr_npy_encode(t, 1, &buf, &n, err)) return err->status;
    FILE *f = fopen(path, "wb");
    if (!f) {
        free(buf);
        return rr_fail(err, RNNRUN_ERR_IO, "cannot create: %s", strerror(errno));
    }
    bool ok = fwrite(buf, 1, n, f) == n;
    ok = (fclose(f) == 0) && ok;
    free(buf);
    if (!ok) return rr_fail(err, RNNRUN_ERR_IO, "write failed");
    return RNNRUN_OK;
}
