/* The .npy reader and writer (src/npy.c): NumPy-made fixtures in tests/data/npy/ (written by
 * tools/gen_npy_fixtures.py with NumPy 1.24), malformed buffers built here, encode/parse round
 * trips and files.
 *
 * Expected values: the element at flat C-order index i of every valid fixture is
 * expect_value(dtype, i), the formula documented in tools/gen_npy_fixtures.py:
 *   float16/32/64: (i - 11.5) * 0.25     int8: i*5 - 60      int16: (i - 12) * 1001
 *   int32: (i - 12) * 100000007          int64: (i - 12) * 1000000000007
 *   uint8: i*10 + 3    uint16: i * 2731    uint32: i * 170000000 + 7
 *   uint64: i * 700000000000000001       bool: i % 3 == 0
 * A Fortran-order fixture holds the same logical array, so it must read back equal to this.
 *
 * With RNNRUN_NPY_KEEP=<folder> in the environment, files_write_read also leaves the files it
 * writes in that folder as <code>_<shape>.npy, for `tools/gen_npy_fixtures.py --check <folder>`
 * (NumPy loads them and compares with the same formula). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "npy.h"
#include "testutil.h"

/* the dtypes rnnrun reads and writes, with their descr codes (without the byte order) */
static const struct {
    const char *code;
    int dtype;
    size_t size;
} DT[] = {
    {"f2", RR_FLOAT16, 2}, {"f4", RR_FLOAT, 4},  {"f8", RR_DOUBLE, 8}, {"i1", RR_INT8, 1},
    {"i2", RR_INT16, 2},   {"i4", RR_INT32, 4},  {"i8", RR_INT64, 8},  {"u1", RR_UINT8, 1},
    {"u2", RR_UINT16, 2},  {"u4", RR_UINT32, 4}, {"u8", RR_UINT64, 8}, {"b1", RR_BOOL, 1},
};
#define N_DT ((int)(sizeof DT / sizeof DT[0]))

static int dt_index(const char *code) {
    for (int k = 0; k < N_DT; k++)
        if (strcmp(DT[k].code, code) == 0) return k;
    ck_abort_msg("unknown dtype code %s", code);
    return -1;
}

/* IEEE half from a float that is exactly representable as a normal half (all the values here) */
static uint16_t to_half(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    uint16_t sign = (uint16_t)((u >> 16) & 0x8000);
    if ((u & 0x7fffffff) == 0) return sign;
    int e = (int)((u >> 23) & 0xff) - 127 + 15;
    ck_assert_msg(e > 0 && e < 31 && (u & 0x1fff) == 0, "%g is not exact in float16", (double)f);
    return (uint16_t)(sign | (uint16_t)(e << 10) | (uint16_t)((u >> 13) & 0x3ff));
}

/* element i of the formula, in the dtype's little-endian bytes */
static void expect_value(int dtype, int64_t i, void *out) {
    double f = ((double)i - 11.5) * 0.25;
    switch (dtype) {
    case RR_FLOAT16: { uint16_t v = to_half((float)f); memcpy(out, &v, 2); break; }
    case RR_FLOAT: { float v = (float)f; memcpy(out, &v, 4); break; }
    case RR_DOUBLE: memcpy(out, &f, 8); break;
    case RR_INT8: { int8_t v = (int8_t)(i * 5 - 60); memcpy(out, &v, 1); break; }
    case RR_INT16: { int16_t v = (int16_t)((i - 12) * 1001); memcpy(out, &v, 2); break; }
    case RR_INT32: { int32_t v = (int32_t)((i - 12) * 100000007); memcpy(out, &v, 4); break; }
    case RR_INT64: { int64_t v = (i - 12) * INT64_C(1000000000007); memcpy(out, &v, 8); break; }
    case RR_UINT8: { uint8_t v = (uint8_t)(i * 10 + 3); memcpy(out, &v, 1); break; }
    case RR_UINT16: { uint16_t v = (uint16_t)(i * 2731); memcpy(out, &v, 2); break; }
    case RR_UINT32: { uint32_t v = (uint32_t)(i * 170000000 + 7); memcpy(out, &v, 4); break; }
    case RR_UINT64: { uint64_t v = (uint64_t)i * UINT64_C(700000000000000001); memcpy(out, &v, 8); break; }
    case RR_BOOL: { uint8_t v = i % 3 == 0; memcpy(out, &v, 1); break; }
    default: ck_abort_msg("no formula for dtype %d", dtype);
    }
}

/* a malloc'd buffer of n formula elements (at least one byte) */
static void *expect_data(int dtype, int64_t n) {
    size_t es = rr_dtype_size(dtype);
    unsigned char *b = malloc(n ? (size_t)n * es : 1);
    ck_assert_ptr_nonnull(b);
    for (int64_t i = 0; i < n; i++) expect_value(dtype, i, b + (size_t)i * es);
    return b;
}

/* assert t's dtype, exact shape (rank dims) and data bytes */
static void assert_tensor(const rr_tensor *t, int dtype, int rank, const int64_t *dims, const void *data) {
    ck_assert_msg(t->dtype == dtype, "dtype %s, expected %s", rr_dtype_name(t->dtype), rr_dtype_name(dtype));
    char g[200], w[200];
    rr_shape_str(t->dims, t->rank, g, sizeof g);
    rr_shape_str(dims, rank, w, sizeof w);
    ck_assert_msg(t->rank == rank, "rank %d %s, expected %d %s", t->rank, g, rank, w);
    int64_t n = 1;
    for (int d = 0; d < rank; d++) {
        ck_assert_msg(t->dims[d] == dims[d], "shape %s, expected %s", g, w);
        n *= dims[d];
    }
    ck_assert_int_eq(t->numel, n);
    ck_assert_ptr_nonnull(t->data);
    tu_equal_bytes(t->data, data, (size_t)n * rr_dtype_size(dtype));
}

/* assert t holds the formula array of this dtype and shape */
static void assert_formula(const rr_tensor *t, int dtype, int rank, const int64_t *dims) {
    int64_t n = 1;
    for (int d = 0; d < rank; d++) n *= dims[d];
    void *want = expect_data(dtype, n);
    assert_tensor(t, dtype, rank, dims, want);
    free(want);
}

static char *fixture_path(const char *name) {
    static char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/npy/%s", tu_source_root(), name);
    return path;
}

static void read_fixture(const char *name, rr_tensor *t) {
    rr_err err = {0};
    int st = rr_npy_read(fixture_path(name), t, &err);
    ck_assert_msg(st == RNNRUN_OK, "%s: status %d (%s): %s", name, st, rnnrun_status_str(st), err.msg);
    ck_assert_int_eq(err.status, RNNRUN_OK);
}

/* the whole file into a malloc'd buffer */
static unsigned char *slurp(const char *path, size_t *size) {
    unsigned char *b = (unsigned char *)tu_read_file(path, size);
    ck_assert_msg(b != NULL, "cannot read %s", path);
    return b;
}

static void assert_fails(int st, const rr_err *err, const rr_tensor *t, int status, const char *fragment,
                         const char *what) {
    ck_assert_msg(st == status, "%s: status %d (%s), expected %d (%s): %s", what, st, rnnrun_status_str(st), status,
                  rnnrun_status_str(status), err->msg);
    ck_assert_int_eq(err->status, status);
    ck_assert_msg(strstr(err->msg, fragment) != NULL, "%s: message '%s' lacks '%s'", what, err->msg, fragment);
    ck_assert_msg(t->data == NULL, "%s: data left allocated after a failure", what);
}

/* ---- NumPy fixtures ------------------------------------------------------------------------ */

/* every dtype x version 1/2/3 x C/Fortran order, shape (2, 3, 4); one loop iteration each */
START_TEST(fixture_matrix) {
    int k = _i / 6, v = _i % 6 / 2 + 1;
    char order = _i % 2 ? 'f' : 'c';
    char name[64];
    snprintf(name, sizeof name, "%s_v%d_%c.npy", DT[k].code, v, order);
    rr_tensor t;
    read_fixture(name, &t);
    static const int64_t dims[3] = {2, 3, 4};
    assert_formula(&t, DT[k].dtype, 3, dims);
    /* the file is the version its name says, and in the order its name says */
    size_t size;
    unsigned char *raw = slurp(fixture_path(name), &size);
    ck_assert_int_eq(raw[6], v);
    ck_assert_int_eq(raw[7], 0);
    size_t pre = v == 1 ? 10 : 12;
    size_t hlen = v == 1 ? (size_t)(raw[8] | raw[9] << 8) : (size_t)(raw[8] | raw[9] << 8 | raw[10] << 16);
    ck_assert_uint_eq(size, pre + hlen + 24 * DT[k].size);
    const char *want_fo = order == 'f' ? "'fortran_order': True" : "'fortran_order': False";
    char *h = strndup((const char *)raw + pre, hlen);
    ck_assert_msg(strstr(h, want_fo) != NULL, "%s: header %s lacks %s", name, h, want_fo);
    /* a C-order file's data bytes are the formula's bytes as they are; a Fortran-order file's are not
     * (for any dtype whose values differ), so the transposition on read is really exercised */
    int same = memcmp(raw + pre + hlen, t.data, 24 * DT[k].size) == 0;
    ck_assert_int_eq(same, order == 'c');
    free(h);
    free(raw);
    free(t.data);
}
END_TEST

/* spot values written out by hand (independent of expect_value) */
START_TEST(fixture_literal_values) {
    rr_tensor t;
    read_fixture("f4_v1_f.npy", &t);
    const float *f = t.data;
    ck_assert(f[0] == -2.875f && f[1] == -2.625f && f[4] == -1.875f && f[12] == 0.125f && f[23] == 2.875f);
    free(t.data);
    read_fixture("i8_v3_f.npy", &t);
    const int64_t *l = t.data;
    ck_assert_int_eq(l[0], INT64_C(-12000000000084));
    ck_assert_int_eq(l[13], INT64_C(1000000000007));
    ck_assert_int_eq(l[23], INT64_C(11000000000077));
    free(t.data);
    read_fixture("u8_v2_f.npy", &t);
    ck_assert(((const uint64_t *)t.data)[23] == UINT64_C(16100000000000000023));
    free(t.data);
    read_fixture("f2_v1_c.npy", &t);
    ck_assert_uint_eq(((const uint16_t *)t.data)[0], 0xc1c0);  /* -2.875 */
    ck_assert_uint_eq(((const uint16_t *)t.data)[12], 0x3000); /* 0.125 */
    free(t.data);
    read_fixture("b1_v1_f.npy", &t);
    const uint8_t *b = t.data;
    ck_assert(b[0] == 1 && b[1] == 0 && b[2] == 0 && b[3] == 1 && b[22] == 0 && b[21] == 1);
    free(t.data);
}
END_TEST

static const struct {
    const char *name;
    const char *code;
    int rank;
    int64_t dims[8];
} SHAPED[] = {
    {"scalar_f4.npy", "f4", 0, {0}},
    {"scalar_f8.npy", "f8", 0, {0}},
    {"scalar_i8.npy", "i8", 0, {0}},
    {"scalar_i4.npy", "i4", 0, {0}},
    {"scalar_u1.npy", "u1", 0, {0}},
    {"scalar_b1.npy", "b1", 0, {0}},
    {"scalar_f8_v3.npy", "f8", 0, {0}},
    {"empty_f4_0.npy", "f4", 1, {0}},
    {"empty_i8_2x0x3.npy", "i8", 3, {2, 0, 3}},
    {"empty_b1_0_v2.npy", "b1", 1, {0}},
    {"empty_f8_2x0x3_v3.npy", "f8", 3, {2, 0, 3}},
    {"rank8_f4_c.npy", "f4", 8, {2, 1, 2, 1, 2, 1, 3, 1}},
    {"rank8_f4_f.npy", "f4", 8, {2, 1, 2, 1, 2, 1, 3, 1}},
    {"rank8_u2_f_v3.npy", "u2", 8, {2, 1, 2, 1, 2, 1, 3, 1}},
    {"rank1_i8_5.npy", "i8", 1, {5}},
    {"rank2_f8_4x6_f.npy", "f8", 2, {4, 6}},
    {"rank2_b1_6x4_f.npy", "b1", 2, {6, 4}},
    {"save_f4_2x3x4.npy", "f4", 3, {2, 3, 4}},
};

START_TEST(fixture_shapes) {
    rr_tensor t;
    read_fixture(SHAPED[_i].name, &t);
    assert_formula(&t, DT[dt_index(SHAPED[_i].code)].dtype, SHAPED[_i].rank, SHAPED[_i].dims);
    free(t.data);
}
END_TEST

/* np.save(arange(24).reshape(4, 3, 2).T): Fortran order, element [a, b, c] = c*6 + b*2 + a */
START_TEST(fixture_transposed_view) {
    rr_tensor t;
    read_fixture("save_transposed_i4.npy", &t);
    int32_t want[24];
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 3; b++)
            for (int c = 0; c < 4; c++) want[(a * 3 + b) * 4 + c] = c * 6 + b * 2 + a;
    static const int64_t dims[3] = {2, 3, 4};
    assert_tensor(&t, RR_INT32, 3, dims, want);
    free(t.data);
}
END_TEST

static const struct {
    const char *name;
    int status;
    const char *fragment;
} INVALID[] = {
    {"bad_bigendian.npy", RNNRUN_ERR_UNSUPPORTED, "dtype '>f4' is big-endian"},
    {"bad_complex.npy", RNNRUN_ERR_UNSUPPORTED, "dtype '<c8' is not supported"},
    {"bad_unicode.npy", RNNRUN_ERR_UNSUPPORTED, "dtype '<U2' is not supported"},
    {"bad_object.npy", RNNRUN_ERR_UNSUPPORTED, "dtype '|O' is not supported"},
    {"bad_structured.npy", RNNRUN_ERR_UNSUPPORTED, "structured dtypes are not supported"},
    {"bad_rank9.npy", RNNRUN_ERR_LIMIT, "rank is above the maximum of 8"},
    {"bad_truncated.npy", RNNRUN_ERR_FORMAT, "shape (2, 3, 4) of float32 needs 96 data bytes, the file has 92"},
    {"bad_trailing.npy", RNNRUN_ERR_FORMAT, "needs 96 data bytes, the file has 100"},
    {"bad_header_only.npy", RNNRUN_ERR_FORMAT, "needs 96 data bytes, the file has 0"},
    {"bad_magic.npy", RNNRUN_ERR_FORMAT, "not a .npy file (bad magic)"},
    {"bad_empty.npy", RNNRUN_ERR_FORMAT, "not a .npy file (bad magic)"},
    {"bad_hlen.npy", RNNRUN_ERR_FORMAT, "truncated .npy header (224 bytes announced, 214 in the file)"},
    {"bad_version4.npy", RNNRUN_ERR_UNSUPPORTED, ".npy version 4.0 is not supported"},
    {"bad_version1_1.npy", RNNRUN_ERR_UNSUPPORTED, ".npy version 1.1 is not supported"},
    {"bad_noshape.npy", RNNRUN_ERR_FORMAT, "missing 'shape'"},
    {"bad_nodescr.npy", RNNRUN_ERR_FORMAT, "missing 'descr'"},
    {"bad_fortran_maybe.npy", RNNRUN_ERR_FORMAT, "fortran_order is not True or False"},
    {"bad_shape_neg.npy", RNNRUN_ERR_FORMAT, "expected a non-negative integer in the shape"},
};

START_TEST(fixture_invalid) {
    rr_tensor t;
    rr_err err = {0};
    int st = rr_npy_read(fixture_path(INVALID[_i].name), &t, &err);
    assert_fails(st, &err, &t, INVALID[_i].status, INVALID[_i].fragment, INVALID[_i].name);
    /* the same bytes through rr_npy_parse give the same answer */
    size_t size;
    unsigned char *raw = slurp(fixture_path(INVALID[_i].name), &size);
    rr_err err2 = {0};
    st = rr_npy_parse(raw, size, &t, &err2);
    assert_fails(st, &err2, &t, INVALID[_i].status, INVALID[_i].fragment, INVALID[_i].name);
    ck_assert_str_eq(err2.msg, err.msg);
    free(raw);
}
END_TEST

/* ---- malformed buffers built here ------------------------------------------------------------ */

/* magic, version (major.0), header length, the header padded with spaces and a newline so the data
 * starts at a multiple of 64 (pad = false: the header as given), then nd data bytes of value fill */
static unsigned char *build(int version, const char *header, bool pad, size_t nd, unsigned char fill, size_t *size) {
    size_t pre = version == 1 ? 10 : 12, k = strlen(header);
    size_t hlen = pad ? (pre + k + 1 + 63) / 64 * 64 - pre : k;
    unsigned char *b = malloc(pre + hlen + nd + 1);
    ck_assert_ptr_nonnull(b);
    memcpy(b, "\x93NUMPY", 6);
    b[6] = (unsigned char)version;
    b[7] = 0;
    for (size_t i = 8; i < pre; i++) b[i] = (unsigned char)(hlen >> (8 * (i - 8)));
    memcpy(b + pre, header, k);
    if (pad) {
        memset(b + pre + k, ' ', hlen - k - 1);
        b[pre + hlen - 1] = '\n';
    }
    memset(b + pre + hlen, fill, nd);
    *size = pre + hlen + nd;
    return b;
}

static int parse_header_case(int version, const char *header, size_t nd, rr_tensor *t, rr_err *err) {
    size_t size;
    unsigned char *b = build(version, header, true, nd, 0x11, &size);
    int st = rr_npy_parse(b, size, t, err);
    free(b);
    return st;
}

#define F4_23 "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"

static const struct {
    const char *header;
    size_t nd;
    int status;
    const char *fragment;
} BAD_HEADERS[] = {
    {"['descr', '<f4']", 24, RNNRUN_ERR_FORMAT, "bad .npy header: not a dict"},
    {"", 24, RNNRUN_ERR_FORMAT, "bad .npy header: not a dict"},
    {"{}", 0, RNNRUN_ERR_FORMAT, "bad .npy header: missing 'descr'"},
    {"{'descr': '<f4', 'shape': (2, 3)}", 24, RNNRUN_ERR_FORMAT, "bad .npy header: missing 'fortran_order'"},
    {"{'descr': '<f4', 'fortran_order': False}", 24, RNNRUN_ERR_FORMAT, "bad .npy header: missing 'shape'"},
    {"{'fortran_order': False, 'shape': (2, 3)}", 24, RNNRUN_ERR_FORMAT, "bad .npy header: missing 'descr'"},
    {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 24, RNNRUN_ERR_FORMAT,
     "unexpected or repeated key 'descr'"},
    {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'shape': (2, 3)}", 24, RNNRUN_ERR_FORMAT,
     "unexpected or repeated key 'shape'"},
    {"{'descr': '<f4', 'fortran_order': False, 'fortran_order': False, 'shape': (2, 3)}", 24, RNNRUN_ERR_FORMAT,
     "unexpected or repeated key 'fortran_order'"},
    {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'extra': 1, }", 24, RNNRUN_ERR_FORMAT,
     "unexpected or repeated key 'extra'"},
    {"{'descr': '<f4', 'fortran_order': False, 'shape': (-2, 3), }", 24, RNNRUN_ERR_FORMAT,
     "expected a non-negative integer in the shape"},
    {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3), }", 24, RNNRUN_ERR_FORMAT,
     "expected a non-negative integer in the shape"},
    /* 2^32 * 2^32 overflows int64 */
    {"{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", 0, RNNRUN_ERR_LIMIT,
     "shape (4294967296, 4294967296) has too many elements"},
    /* 2^61 float32 elements: the element count fits, the bytes do not */
    {"{'descr': '<f4', 'fortran_order': False, 'shape': (2305843009213693952,), }", 0, RNNRUN_ERR_LIMIT,
     "exceeds the limit"},
    /* one dimension beyond int64 */
    {"{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", 0, RNNRUN_ERR_LIMIT,
     "a dimension is too large"},
    /* a large but representable size is checked against the data */
    {"{'descr': '|u1', 'fortran_order': False, 'shape': (1099511627776,), }", 0, RNNRUN_ERR_FORMAT,
     "needs 1099511627776 data bytes, the file has 0"},
    {F4_23, 23, RNNRUN_ERR_FORMAT, "shape (2, 3) of float32 needs 24 data bytes, the file has 23"},
    {F4_23, 25, RNNRUN_ERR_FORMAT, "shape (2, 3) of float32 needs 24 data bytes, the file has 25"},
    {F4_23, 0, RNNRUN_ERR_FORMAT, "needs 24 data bytes, the file has 0"},
    {"{'descr': '<f4', 'fortran_order': maybe, 'shape': (2, 3), }", 24, RNNRUN_ERR_FORMAT,
     "fortran_order is not True or False"},
    {"{'descr': '<f4', 'fortran_order': 1, 'shape': (2, 3), }", 24, RNNRUN_ERR_FORMAT,
     "fortran_order is not True or False"},
    {"{'descr': '<f4', 'fortran_order': 'False', 'shape': (2, 3), }", 24, RNNRUN_ERR_FORMAT,
     "fortran_order is not True or False"},
    {"{'descr': '<f4', 'fortran_order': Falsey, 'shape': (2, 3), }", 24, RNNRUN_ERR_FORMAT, "expected ',' or '}'"},
    {"{'descr': '<f4' 'fortran_order': False, 'shape': (2, 3), }", 24, RNNRUN_ERR_FORMAT, "expected ',' or '}'"},
    {"{'descr' '<f4', 'fortran_order': False, 'shape': (2, 3), }", 24, RNNRUN_ERR_FORMAT,
     "expected ':' after 'descr'"},
    {"{descr: '<f4', 'fortran_order': False, 'shape': (2, 3), }", 24, RNNRUN_ERR_FORMAT,
     "expected a quoted string"},
    {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } x", 24, RNNRUN_ERR_FORMAT, "text after the dict"},
    {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }}", 24, RNNRUN_ERR_FORMAT, "text after the dict"},
    {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), ", 24, RNNRUN_ERR_FORMAT,
     "expected a quoted string"},
    /* padded, the string runs into the key length limit; unpadded see buffer_header_bytes */
    {"{'descr", 24, RNNRUN_ERR_FORMAT, "unexpected string"},
    {"{'de\\'scr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 24, RNNRUN_ERR_FORMAT, "unexpected string"},
    {"{'a_key_that_is_much_longer_than_any_real_key': 1}", 24, RNNRUN_ERR_FORMAT, "unexpected string"},
    {"{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3], }", 24, RNNRUN_ERR_FORMAT, "shape is not a tuple"},
    {"{'descr': '<f4', 'fortran_order': False, 'shape': 6, }", 24, RNNRUN_ERR_FORMAT, "shape is not a tuple"},
    /* (6) is the int 6 in Python, not a tuple: NumPy refuses it */
    {"{'descr': '<f4', 'fortran_order': False, 'shape': (6), }", 24, RNNRUN_ERR_FORMAT, "shape is not a tuple"},
    {"{'descr': '<f4', 'fortran_order': False, 'shape': (2 3), }", 24, RNNRUN_ERR_FORMAT, "malformed shape tuple"},
    {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3,, ), }", 24, RNNRUN_ERR_FORMAT,
     "expected a non-negative integer"},
    {"{'descr': '<f4', 'fortran_order': False, 'shape': (,), }", 4, RNNRUN_ERR_FORMAT,
     "expected a non-negative integer"},
    {"{'descr': '<f4', 'fortran_order': False, 'shape': (2.0, 3), }", 24, RNNRUN_ERR_FORMAT,
     "malformed shape tuple"},
    {"{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1, 1, 1, 1, 1), }", 4, RNNRUN_ERR_LIMIT,
     "rank is above the maximum of 8"},
    {"{'descr': '>f8', 'fortran_order': False, 'shape': (3,), }", 24, RNNRUN_ERR_UNSUPPORTED,
     "dtype '>f8' is big-endian"},
    {"{'descr': '=f4', 'fortran_order': False, 'shape': (2, 3), }", 24, RNNRUN_ERR_UNSUPPORTED,
     "dtype '=f4' has byte order '='"},
    {"{'descr': '<c16', 'fortran_order': False, 'shape': (3,), }", 48, RNNRUN_ERR_UNSUPPORTED,
     "dtype '<c16' is not supported"},
    {"{'descr': '<M8[s]', 'fortran_order': False, 'shape': (3,), }", 24, RNNRUN_ERR_UNSUPPORTED,
     "dtype '<M8[s]' is not supported"},
    {"{'descr': '', 'fortran_order': False, 'shape': (3,), }", 24, RNNRUN_ERR_UNSUPPORTED,
     "dtype '' is not supported"},
    {"{'descr': '<f4 ', 'fortran_order': False, 'shape': (2, 3), }", 24, RNNRUN_ERR_UNSUPPORTED,
     "dtype '<f4 ' is not supported"},
    {"{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (3,), }", 12, RNNRUN_ERR_UNSUPPORTED,
     "structured dtypes are not supported"},
    {"{'descr': {'names': ['x'], 'formats': ['<f4']}, 'fortran_order': False, 'shape': (3,), }", 12,
     RNNRUN_ERR_UNSUPPORTED, "structured dtypes are not supported"},
};

START_TEST(buffer_bad_header) {
    for (int version = 1; version <= 3; version++) {
        rr_tensor t;
        rr_err err = {0};
        int st = parse_header_case(version, BAD_HEADERS[_i].header, BAD_HEADERS[_i].nd, &t, &err);
        char what[300];
        snprintf(what, sizeof what, "v%d header %s", version, BAD_HEADERS[_i].header);
        assert_fails(st, &err, &t, BAD_HEADERS[_i].status, BAD_HEADERS[_i].fragment, what);
    }
}
END_TEST

/* headers NumPy would read the same way as its own (Python literal syntax), and data that is valid */
static const struct {
    const char *header;
    int dtype;
    int rank;
    int64_t dims[8];
} ODD_HEADERS[] = {
    {F4_23, RR_FLOAT, 2, {2, 3}},
    {"{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2, 3)}", RR_FLOAT, 2, {2, 3}},
    {"{'shape':(2,3),'fortran_order':False,'descr':'<f4'}", RR_FLOAT, 2, {2, 3}},
    {"  {\n\t'descr' : '<f4' ,\r\n 'fortran_order' : False ,\n 'shape' : ( 2 , 3 , ) , }  \n", RR_FLOAT, 2, {2, 3}},
    {"{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }", RR_FLOAT, 2, {2, 3}},
    {"{'descr': '<i8', 'fortran_order': False, 'shape': (), }", RR_INT64, 0, {0}},
    {"{'descr': '<i8', 'fortran_order': False, 'shape': ( ), }", RR_INT64, 0, {0}},
    {"{'descr': '<i8', 'fortran_order': True, 'shape': (), }", RR_INT64, 0, {0}},
    {"{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", RR_INT64, 1, {3}},
    {"{'descr': '<i8', 'fortran_order': True, 'shape': (3,), }", RR_INT64, 1, {3}},
    {"{'descr': '<u2', 'fortran_order': False, 'shape': (0,), }", RR_UINT16, 1, {0}},
    {"{'descr': '<f8', 'fortran_order': True, 'shape': (2, 0, 3), }", RR_DOUBLE, 3, {2, 0, 3}},
    {"{'descr': '|b1', 'fortran_order': False, 'shape': (4,), }", RR_BOOL, 1, {4}},
    {"{'descr': '>u1', 'fortran_order': False, 'shape': (4,), }", RR_UINT8, 1, {4}},
    {"{'descr': '=i1', 'fortran_order': False, 'shape': (4,), }", RR_INT8, 1, {4}},
    {"{'descr': '<u1', 'fortran_order': False, 'shape': (4,), }", RR_UINT8, 1, {4}},
    {"{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1, 1, 1, 2), }", RR_FLOAT, 8,
     {1, 1, 1, 1, 1, 1, 1, 2}},
};

/* data bytes 0x11: every element reads back as the same bytes (bool normalises to 1) */
START_TEST(buffer_odd_headers) {
    for (int version = 1; version <= 3; version++)
        for (int pad = 0; pad <= 1; pad++) {
            int64_t n = 1;
            for (int d = 0; d < ODD_HEADERS[_i].rank; d++) n *= ODD_HEADERS[_i].dims[d];
            size_t nb = (size_t)n * rr_dtype_size(ODD_HEADERS[_i].dtype), size;
            unsigned char *b = build(version, ODD_HEADERS[_i].header, pad, nb, 0x11, &size);
            rr_tensor t;
            rr_err err = {0};
            int st = rr_npy_parse(b, size, &t, &err);
            ck_assert_msg(st == RNNRUN_OK, "v%d pad %d header %s: %s", version, pad, ODD_HEADERS[_i].header, err.msg);
            unsigned char want[64];
            memset(want, ODD_HEADERS[_i].dtype == RR_BOOL ? 1 : 0x11, sizeof want);
            assert_tensor(&t, ODD_HEADERS[_i].dtype, ODD_HEADERS[_i].rank, ODD_HEADERS[_i].dims, want);
            free(t.data);
            free(b);
        }
}
END_TEST

START_TEST(buffer_prefix) {
    rr_tensor t;
    rr_err err = {0};
    /* empty, with and without a pointer */
    assert_fails(rr_npy_parse(NULL, 0, &t, &err), &err, &t, RNNRUN_ERR_FORMAT, "bad magic", "NULL, 0");
    err = (rr_err){0};
    assert_fails(rr_npy_parse("", 0, &t, &err), &err, &t, RNNRUN_ERR_FORMAT, "bad magic", "empty");
    /* 9 bytes of a good v1 prefix: truncated, not "bad magic" */
    size_t size;
    unsigned char *good = build(1, F4_23, true, 24, 0, &size);
    for (size_t n = 6; n < 10; n++) {
        err = (rr_err){0};
        assert_fails(rr_npy_parse(good, n, &t, &err), &err, &t, RNNRUN_ERR_FORMAT, "truncated .npy header",
                     "short v1 prefix");
    }
    for (size_t n = 1; n < 6; n++) {
        err = (rr_err){0};
        assert_fails(rr_npy_parse(good, n, &t, &err), &err, &t, RNNRUN_ERR_FORMAT, "bad magic", "short magic");
    }
    /* every prefix of a good file, short of the whole, fails cleanly */
    for (size_t n = 0; n < size; n++) {
        err = (rr_err){0};
        ck_assert_int_eq(rr_npy_parse(good, n, &t, &err), RNNRUN_ERR_FORMAT);
        ck_assert_ptr_null(t.data);
    }
    err = (rr_err){0};
    ck_assert_int_eq(rr_npy_parse(good, size, &t, &err), RNNRUN_OK);
    free(t.data);
    /* each magic byte matters */
    for (int i = 0; i < 6; i++) {
        good[i] ^= 0x20;
        err = (rr_err){0};
        assert_fails(rr_npy_parse(good, size, &t, &err), &err, &t, RNNRUN_ERR_FORMAT, "bad magic", "magic byte");
        good[i] ^= 0x20;
    }
    /* v1 header length one past the buffer; and the maximum 0xffff */
    ck_assert_uint_eq(size, 128 + 24);
    good[8] = 128 + 24 - 10 + 1;
    good[9] = 0;
    err = (rr_err){0};
    assert_fails(rr_npy_parse(good, size, &t, &err), &err, &t, RNNRUN_ERR_FORMAT,
                 "truncated .npy header (143 bytes announced, 142 in the file)", "hlen + 1");
    good[8] = good[9] = 0xff;
    err = (rr_err){0};
    assert_fails(rr_npy_parse(good, size, &t, &err), &err, &t, RNNRUN_ERR_FORMAT, "65535 bytes announced",
                 "hlen 0xffff");
    free(good);
    /* v2/v3: the 4-byte length, up to 0xffffffff; and an 11-byte prefix */
    for (int v = 2; v <= 3; v++) {
        good = build(v, F4_23, true, 24, 0, &size);
        err = (rr_err){0};
        assert_fails(rr_npy_parse(good, 11, &t, &err), &err, &t, RNNRUN_ERR_FORMAT, "truncated .npy header",
                     "11 bytes");
        memset(good + 8, 0xff, 4);
        err = (rr_err){0};
        assert_fails(rr_npy_parse(good, size, &t, &err), &err, &t, RNNRUN_ERR_FORMAT, "4294967295 bytes announced",
                     "hlen 0xffffffff");
        good[11] = 0;
        good[10] = 1; /* 0x01ffff */
        err = (rr_err){0};
        assert_fails(rr_npy_parse(good, size, &t, &err), &err, &t, RNNRUN_ERR_FORMAT, "131071 bytes announced",
                     "hlen 0x1ffff");
        free(good);
    }
    /* versions */
    good = build(1, F4_23, true, 24, 0, &size);
    static const unsigned char bad_versions[][2] = {{0, 0}, {1, 1}, {2, 1}, {3, 1}, {4, 0}, {255, 0}};
    for (size_t i = 0; i < sizeof bad_versions / sizeof bad_versions[0]; i++) {
        good[6] = bad_versions[i][0];
        good[7] = bad_versions[i][1];
        char frag[64];
        snprintf(frag, sizeof frag, ".npy version %d.%d is not supported", bad_versions[i][0], bad_versions[i][1]);
        err = (rr_err){0};
        assert_fails(rr_npy_parse(good, size, &t, &err), &err, &t, RNNRUN_ERR_UNSUPPORTED, frag, "version");
    }
    free(good);
}
END_TEST

/* a NUL inside the header, and 8-bit bytes, are errors rather than string ends; a header that
 * ends inside a string */
START_TEST(buffer_header_bytes) {
    char h[] = F4_23;
    size_t size;
    unsigned char *b = build(1, h, true, 24, 0, &size);
    b[10 + 20] = 0; /* 'fo\0tran_order' */
    rr_tensor t;
    rr_err err = {0};
    assert_fails(rr_npy_parse(b, size, &t, &err), &err, &t, RNNRUN_ERR_FORMAT, "unexpected or repeated key 'fo'",
                 "NUL");
    free(b);
    b = build(1, h, true, 24, 0, &size);
    b[10 + strlen(h)] = 0xff; /* in the padding */
    err = (rr_err){0};
    assert_fails(rr_npy_parse(b, size, &t, &err), &err, &t, RNNRUN_ERR_FORMAT, "text after the dict", "0xff");
    free(b);
    for (int v = 1; v <= 3; v++) {
        b = build(v, "{'descr", false, 0, 0, &size);
        err = (rr_err){0};
        assert_fails(rr_npy_parse(b, size, &t, &err), &err, &t, RNNRUN_ERR_FORMAT, "unterminated string", "{'descr");
        free(b);
    }
}
END_TEST

/* bool bytes other than 0 and 1 read as 1; C and Fortran order */
START_TEST(buffer_bool_normalised) {
    static const char *hs[] = {"{'descr': '|b1', 'fortran_order': False, 'shape': (2, 3), }",
                               "{'descr': '|b1', 'fortran_order': True, 'shape': (2, 3), }"};
    static const unsigned char raw[6] = {0, 1, 2, 255, 0, 0x80};
    /* Fortran order: file element k is [k % 2, k / 2] */
    static const unsigned char want[2][6] = {{0, 1, 1, 1, 0, 1}, {0, 1, 0, 1, 1, 1}};
    for (int o = 0; o < 2; o++) {
        size_t size;
        unsigned char *b = build(1, hs[o], true, 6, 0, &size);
        memcpy(b + size - 6, raw, 6);
        rr_tensor t;
        rr_err err = {0};
        ck_assert_int_eq(rr_npy_parse(b, size, &t, &err), RNNRUN_OK);
        static const int64_t dims[2] = {2, 3};
        assert_tensor(&t, RR_BOOL, 2, dims, want[o]);
        free(t.data);
        free(b);
    }
}
END_TEST

/* Fortran order for every element size, with a hand-written column-major layout */
START_TEST(buffer_fortran_layout) {
    for (int k = 0; k < N_DT; k++) {
        char h[128];
        snprintf(h, sizeof h, "{'descr': '%c%s', 'fortran_order': True, 'shape': (3, 1, 2, 4), }",
                 DT[k].size == 1 ? '|' : '<', DT[k].code);
        size_t es = DT[k].size, size;
        unsigned char *b = build(2, h, true, 24 * es, 0, &size);
        unsigned char *data = b + size - 24 * es;
        /* C index of [a, 0, c, d] is a*8 + c*4 + d; column-major index is a + 3*(c + 2*d) */
        for (int a = 0; a < 3; a++)
            for (int c = 0; c < 2; c++)
                for (int d = 0; d < 4; d++) expect_value(DT[k].dtype, a * 8 + c * 4 + d, data + (a + 3 * (c + 2 * d)) * es);
        rr_tensor t;
        rr_err err = {0};
        ck_assert_msg(rr_npy_parse(b, size, &t, &err) == RNNRUN_OK, "%s: %s", DT[k].code, err.msg);
        static const int64_t dims[4] = {3, 1, 2, 4};
        assert_formula(&t, DT[k].dtype, 4, dims);
        free(t.data);
        free(b);
    }
}
END_TEST

/* ---- encoding and round trips ---------------------------------------------------------------- */

static const struct {
    const char *name; /* for file names: "scalar" or dims joined by 'x' */
    int rank;
    int64_t dims[8];
} SHAPES[] = {
    {"2x3x4", 3, {2, 3, 4}},
    {"scalar", 0, {0}},
    {"0", 1, {0}},
    {"2x0x3", 3, {2, 0, 3}},
    {"2x1x2x1x2x1x3x1", 8, {2, 1, 2, 1, 2, 1, 3, 1}},
    {"5", 1, {5}},
    {"1", 1, {1}},
    {"24", 1, {24}},
    {"4x6", 2, {4, 6}},
};
#define N_SHAPES ((int)(sizeof SHAPES / sizeof SHAPES[0]))

/* a tensor of the formula (data malloc'd) */
static rr_tensor make_tensor(int dtype, int rank, const int64_t *dims) {
    rr_tensor t;
    memset(&t, 0, sizeof t);
    t.dtype = dtype;
    rr_err err = {0};
    ck_assert_msg(rr_tensor_set_shape(&t, rank, dims, INT64_MAX, &err) == RNNRUN_OK, "%s", err.msg);
    t.data = expect_data(dtype, t.numel);
    return t;
}

/* the header dict NumPy writes for a C-order array, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } */
static void numpy_dict(int k, int rank, const int64_t *dims, char *out, size_t size) {
    int n = snprintf(out, size, "{'descr': '%c%s', 'fortran_order': False, 'shape': (", DT[k].size == 1 ? '|' : '<',
                     DT[k].code);
    for (int d = 0; d < rank; d++) n += snprintf(out + n, size - (size_t)n, d ? ", %lld" : "%lld", (long long)dims[d]);
    snprintf(out + n, size - (size_t)n, rank == 1 ? ",), }" : "), }");
}

/* check the layout of an encoded buffer: magic, version, length, dict, padding, '\n', data */
static void assert_encoding(const unsigned char *b, size_t size, int version, int k, int rank, const int64_t *dims,
                            const void *data, size_t nbytes) {
    ck_assert_int_eq(memcmp(b, "\x93NUMPY", 6), 0);
    ck_assert_int_eq(b[6], version);
    ck_assert_int_eq(b[7], 0);
    size_t pre = version == 1 ? 10 : 12;
    size_t hlen = version == 1 ? (size_t)(b[8] | b[9] << 8)
                               : (size_t)b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 | (size_t)b[11] << 24;
    ck_assert_uint_eq((pre + hlen) % 64, 0);
    ck_assert_uint_eq(size, pre + hlen + nbytes);
    ck_assert_int_eq(b[pre + hlen - 1], '\n');
    char dict[512];
    numpy_dict(k, rank, dims, dict, sizeof dict);
    size_t dl = strlen(dict);
    ck_assert_msg(hlen > dl && memcmp(b + pre, dict, dl) == 0, "header '%.*s' does not start with '%s'", (int)hlen,
                  (const char *)b + pre, dict);
    for (size_t i = pre + dl; i < pre + hlen - 1; i++) ck_assert_msg(b[i] == ' ', "header byte %zu is 0x%02x", i, b[i]);
    /* no more padding than needed */
    ck_assert_uint_lt(hlen - dl - 1, 64);
    if (nbytes) tu_equal_bytes(b + pre + hlen, data, nbytes);
}

/* every dtype x shape, versions 1, 2 and 3: encode, check the bytes, parse back */
START_TEST(roundtrip) {
    int k = _i / N_SHAPES, s = _i % N_SHAPES;
    rr_tensor t = make_tensor(DT[k].dtype, SHAPES[s].rank, SHAPES[s].dims);
    size_t nbytes = rr_tensor_bytes(&t);
    for (int v = 1; v <= 3; v++) {
        unsigned char *b = (unsigned char *)1;
        size_t size = 1;
        rr_err err = {0};
        ck_assert_msg(rr_npy_encode(&t, v, &b, &size, &err) == RNNRUN_OK, "%s", err.msg);
        assert_encoding(b, size, v, k, t.rank, t.dims, t.data, nbytes);
        rr_tensor u;
        ck_assert_msg(rr_npy_parse(b, size, &u, &err) == RNNRUN_OK, "%s", err.msg);
        assert_tensor(&u, t.dtype, t.rank, t.dims, t.data);
        free(u.data);
        free(b);
    }
    free(t.data);
}
END_TEST

/* rnnrun's encoding of the formula arrays carries the same dict and data bytes as NumPy's files */
START_TEST(encode_matches_numpy) {
    static const int64_t dims[3] = {2, 3, 4};
    for (int k = 0; k < N_DT; k++)
        for (int v = 1; v <= 3; v++) {
            char name[64];
            snprintf(name, sizeof name, "%s_v%d_c.npy", DT[k].code, v);
            size_t nsize;
            unsigned char *np = slurp(fixture_path(name), &nsize);
            rr_tensor t = make_tensor(DT[k].dtype, 3, dims);
            unsigned char *b;
            size_t size;
            rr_err err = {0};
            ck_assert_int_eq(rr_npy_encode(&t, v, &b, &size, &err), RNNRUN_OK);
            size_t pre = v == 1 ? 10 : 12;
            ck_assert_int_eq(memcmp(b, np, 8), 0); /* magic and version */
            size_t hl = v == 1 ? (size_t)(b[8] | b[9] << 8) : (size_t)(b[8] | b[9] << 8 | b[10] << 16);
            size_t nhl = v == 1 ? (size_t)(np[8] | np[9] << 8) : (size_t)(np[8] | np[9] << 8 | np[10] << 16);
            /* NumPy 1.24 adds spare spaces for growing the shape in place, so compare up to the '}' */
            const char *rc = memchr(b + pre, '}', hl), *nc = memchr(np + pre, '}', nhl);
            ck_assert_ptr_nonnull(rc);
            ck_assert_ptr_nonnull(nc);
            ck_assert_int_eq(rc - (const char *)b, nc - (const char *)np);
            ck_assert_int_eq(memcmp(b + pre, np + pre, (size_t)(rc - (const char *)b) - pre), 0);
            ck_assert_uint_eq(size - pre - hl, nsize - pre - nhl);
            tu_equal_bytes(b + pre + hl, np + pre + nhl, size - pre - hl);
            free(b);
            free(np);
            free(t.data);
        }
}
END_TEST

/* the longest header: rank 8, dimensions of 19 digits (a zero-size array, so it is valid) */
/* The longest header the encoder can meet: eight 19-digit dims. Such a zero-size array cannot
 * exist (NumPy: "array is too big", as the product of its non-zero dims overflows), so the tensor
 * is made by hand, and the parser refuses it as NumPy would. */
START_TEST(roundtrip_long_header) {
    int64_t dims[8] = {0};
    for (int d = 1; d < 8; d++) dims[d] = INT64_MAX - d;
    for (int k = 0; k < N_DT; k++) {
        rr_tensor t = {.dtype = DT[k].dtype, .rank = 8, .numel = 0};
        memcpy(t.dims, dims, sizeof dims);
        for (int v = 1; v <= 3; v++) {
            unsigned char *b;
            size_t size;
            rr_err err = {0};
            ck_assert_msg(rr_npy_encode(&t, v, &b, &size, &err) == RNNRUN_OK, "%s", err.msg);
            assert_encoding(b, size, v, k, 8, dims, NULL, 0);
            ck_assert_uint_eq(size, 256); /* a 203-character dict, padded */
            rr_tensor u;
            ck_assert_int_eq(rr_npy_parse(b, size, &u, &err), RNNRUN_ERR_LIMIT);
            ck_assert_ptr_null(u.data);
            ck_assert_msg(strstr(err.msg, "too many elements"), "%s", err.msg);
            free(b);
        }
    }
}
END_TEST

START_TEST(encode_errors) {
    static const int64_t dims[1] = {3};
    rr_tensor t = make_tensor(RR_FLOAT, 1, dims);
    static const int bad_versions[] = {0, 4, -1, 100};
    for (size_t i = 0; i < sizeof bad_versions / sizeof bad_versions[0]; i++) {
        unsigned char *b = (unsigned char *)1;
        size_t size = 7;
        rr_err err = {0};
        ck_assert_int_eq(rr_npy_encode(&t, bad_versions[i], &b, &size, &err), RNNRUN_ERR_ARG);
        char frag[64];
        snprintf(frag, sizeof frag, ".npy version %d cannot be written", bad_versions[i]);
        ck_assert_msg(strstr(err.msg, frag) != NULL, "message '%s' lacks '%s'", err.msg, frag);
        ck_assert_ptr_null(b);
        ck_assert_uint_eq(size, 0);
    }
    free(t.data);
    /* a dtype .npy cannot hold */
    rr_tensor s;
    memset(&s, 0, sizeof s);
    s.dtype = RR_STRING;
    s.rank = 1;
    s.dims[0] = 0;
    unsigned char *b = (unsigned char *)1;
    size_t size = 7;
    rr_err err = {0};
    ck_assert_int_eq(rr_npy_encode(&s, 1, &b, &size, &err), RNNRUN_ERR_UNSUPPORTED);
    ck_assert_msg(strstr(err.msg, "cannot be written to .npy") != NULL, "%s", err.msg);
    ck_assert_ptr_null(b);
    ck_assert_uint_eq(size, 0);
}
END_TEST

/* ---- files ----------------------------------------------------------------------------------- */

/* every dtype x shape through rr_npy_write and rr_npy_read; the file is the version 1 encoding */
START_TEST(files_write_read) {
    const char *keep = getenv("RNNRUN_NPY_KEEP");
    char *dir = keep && keep[0] ? strdup(keep) : tu_tmpdir();
    for (int k = 0; k < N_DT; k++)
        for (int s = 0; s < N_SHAPES; s++) {
            rr_tensor t = make_tensor(DT[k].dtype, SHAPES[s].rank, SHAPES[s].dims);
            char path[4200];
            snprintf(path, sizeof path, "%s/%s_%s.npy", dir, DT[k].code, SHAPES[s].name);
            rr_err err = {0};
            ck_assert_msg(rr_npy_write(path, &t, &err) == RNNRUN_OK, "%s: %s", path, err.msg);
            rr_tensor u;
            ck_assert_msg(rr_npy_read(path, &u, &err) == RNNRUN_OK, "%s: %s", path, err.msg);
            assert_tensor(&u, t.dtype, t.rank, t.dims, t.data);
            free(u.data);
            size_t fsize, esize;
            unsigned char *f = slurp(path, &fsize), *e;
            ck_assert_int_eq(rr_npy_encode(&t, 1, &e, &esize, &err), RNNRUN_OK);
            ck_assert_uint_eq(fsize, esize);
            tu_equal_bytes(f, e, fsize);
            free(f);
            free(e);
            free(t.data);
        }
    /* writing over an existing file replaces it */
    char path[4200];
    snprintf(path, sizeof path, "%s/f4_2x3x4.npy", dir);
    static const int64_t one[1] = {1};
    rr_tensor t = make_tensor(RR_INT8, 1, one), u;
    rr_err err = {0};
    ck_assert_int_eq(rr_npy_write(path, &t, &err), RNNRUN_OK);
    ck_assert_int_eq(rr_npy_read(path, &u, &err), RNNRUN_OK);
    assert_tensor(&u, RR_INT8, 1, one, t.data);
    free(u.data);
    free(t.data);
    /* put the formula file back for RNNRUN_NPY_KEEP's check */
    static const int64_t d234[3] = {2, 3, 4};
    t = make_tensor(RR_FLOAT, 3, d234);
    ck_assert_int_eq(rr_npy_write(path, &t, &err), RNNRUN_OK);
    free(t.data);
    if (!(keep && keep[0])) tu_rmtree(dir);
    free(dir);
}
END_TEST

START_TEST(files_errors) {
    char *dir = tu_tmpdir();
    char path[4200];
    rr_tensor t;
    rr_err err = {0};
    /* a missing file */
    snprintf(path, sizeof path, "%s/missing.npy", dir);
    assert_fails(rr_npy_read(path, &t, &err), &err, &t, RNNRUN_ERR_IO, "cannot open: No such file or directory",
                 "missing file");
    /* a directory */
    err = (rr_err){0};
    assert_fails(rr_npy_read(dir, &t, &err), &err, &t, RNNRUN_ERR_IO, "not a regular file (a folder, FIFO or device)",
                 "directory");
    /* an empty file */
    snprintf(path, sizeof path, "%s/empty.npy", dir);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    err = (rr_err){0};
    assert_fails(rr_npy_read(path, &t, &err), &err, &t, RNNRUN_ERR_FORMAT, "bad magic", "empty file");
    /* writing into a missing folder, and over a directory */
    static const int64_t dims[1] = {2};
    rr_tensor w = make_tensor(RR_FLOAT, 1, dims);
    snprintf(path, sizeof path, "%s/no/such/dir/x.npy", dir);
    err = (rr_err){0};
    ck_assert_int_eq(rr_npy_write(path, &w, &err), RNNRUN_ERR_IO);
    ck_assert_msg(strstr(err.msg, "cannot create: No such file or directory") != NULL, "%s", err.msg);
    err = (rr_err){0};
    ck_assert_int_eq(rr_npy_write(dir, &w, &err), RNNRUN_ERR_IO);
    ck_assert_msg(strstr(err.msg, "cannot create") != NULL, "%s", err.msg);
    free(w.data);
    /* an unsupported dtype creates no file */
    rr_tensor s;
    memset(&s, 0, sizeof s);
    s.dtype = RR_STRING;
    snprintf(path, sizeof path, "%s/string.npy", dir);
    err = (rr_err){0};
    ck_assert_int_eq(rr_npy_write(path, &s, &err), RNNRUN_ERR_UNSUPPORTED);
    struct stat sb;
    ck_assert_int_ne(stat(path, &sb), 0);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

/* a file bigger than rr_npy_read's first 64 KiB read buffer */
START_TEST(files_large) {
    char *dir = tu_tmpdir();
    char path[4200];
    snprintf(path, sizeof path, "%s/big.npy", dir);
    static const int64_t dims[2] = {300, 257};
    rr_tensor t;
    memset(&t, 0, sizeof t);
    t.dtype = RR_DOUBLE;
    rr_err err = {0};
    ck_assert_int_eq(rr_tensor_set_shape(&t, 2, dims, INT64_MAX, &err), RNNRUN_OK);
    double *d = malloc(sizeof(double) * 300 * 257);
    ck_assert_ptr_nonnull(d);
    for (int i = 0; i < 300 * 257; i++) d[i] = i * 0.5 - 7;
    t.data = d;
    ck_assert_int_eq(rr_npy_write(path, &t, &err), RNNRUN_OK);
    rr_tensor u;
    ck_assert_msg(rr_npy_read(path, &u, &err) == RNNRUN_OK, "%s", err.msg);
    assert_tensor(&u, RR_DOUBLE, 2, dims, d);
    free(u.data);
    free(d);
    tu_rmtree(dir);
    free(dir);
}
END_TEST

int main(void) {
    Suite *s = suite_create("npy");
    TCase *tc = tcase_create("fixtures");
    tcase_add_loop_test(tc, fixture_matrix, 0, N_DT * 6);
    tcase_add_test(tc, fixture_literal_values);
    tcase_add_loop_test(tc, fixture_shapes, 0, (int)(sizeof SHAPED / sizeof SHAPED[0]));
    tcase_add_test(tc, fixture_transposed_view);
    tcase_add_loop_test(tc, fixture_invalid, 0, (int)(sizeof INVALID / sizeof INVALID[0]));
    suite_add_tcase(s, tc);
    tc = tcase_create("buffers");
    tcase_add_loop_test(tc, buffer_bad_header, 0, (int)(sizeof BAD_HEADERS / sizeof BAD_HEADERS[0]));
    tcase_add_loop_test(tc, buffer_odd_headers, 0, (int)(sizeof ODD_HEADERS / sizeof ODD_HEADERS[0]));
    tcase_add_test(tc, buffer_prefix);
    tcase_add_test(tc, buffer_header_bytes);
    tcase_add_test(tc, buffer_bool_normalised);
    tcase_add_test(tc, buffer_fortran_layout);
    suite_add_tcase(s, tc);
    tc = tcase_create("encode");
    tcase_add_loop_test(tc, roundtrip, 0, N_DT * N_SHAPES);
    tcase_add_test(tc, encode_matches_numpy);
    tcase_add_test(tc, roundtrip_long_header);
    tcase_add_test(tc, encode_errors);
    suite_add_tcase(s, tc);
    tc = tcase_create("files");
    tcase_add_test(tc, files_write_read);
    tcase_add_test(tc, files_errors);
    tcase_add_test(tc, files_large);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}
