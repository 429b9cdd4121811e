/* mb: see mb.h. Allocations are tracked in a list and freed together. */
#include "mb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mb {
    Onnx__ModelProto model;
    Onnx__GraphProto graph;
    void **ptrs;
    size_t n_ptrs, cap_ptrs;
};

static void *keep(mb *b, void *p) {
    if (!p) {
        fprintf(stderr, "mb: out of memory\n");
        abort();
    }
    if (b->n_ptrs == b->cap_ptrs) {
        b->cap_ptrs = b->cap_ptrs ? 2 * b->cap_ptrs : 64;
        b->ptrs = realloc(b->ptrs, b->cap_ptrs * sizeof *b->ptrs);
        if (!b->ptrs) abort();
    }
    b->ptrs[b->n_ptrs++] = p;
    return p;
}

static void *zalloc(mb *b, size_t n) { return keep(b, calloc(1, n ? n : 1)); }
static char *sdup(mb *b, const char *s) { return keep(b, strdup(s ? s : "")); }

/* append one pointer to a protobuf-c repeated field (n, array) */
#define PUSH(b, n, arr, item)                                                   \
    do {                                                                        \
        void *na = zalloc(b, ((n) + 1) * sizeof(*(arr)));                       \
        if (n) memcpy(na, (arr), (n) * sizeof(*(arr)));                         \
        (arr) = na;                                                             \
        (arr)[(n)++] = (item);                                                  \
    } while (0)

mb *mb_new(int64_t ir_version, int64_t opset) {
    mb *b = calloc(1, sizeof *b);
    if (!b) abort();
    onnx__model_proto__init(&b->model);
    onnx__graph_proto__init(&b->graph);
    b->model.has_ir_version = 1;
    b->model.ir_version = ir_version;
    b->model.producer_name = sdup(b, "rnnrun-tests");
    b->model.graph = &b->graph;
    b->graph.name = sdup(b, "g");
    if (opset > 0) mb_opset_import(b, "", opset);
    return b;
}

void mb_free(mb *b) {
    if (!b) return;
    for (size_t i = 0; i < b->n_ptrs; i++) free(b->ptrs[i]);
    free(b->ptrs);
    free(b);
}

Onnx__ModelProto *mb_model(mb *b) { return &b->model; }
Onnx__GraphProto *mb_graph(mb *b) { return &b->graph; }

void mb_opset_import(mb *b, const char *domain, int64_t version) {
    Onnx__OperatorSetIdProto *o = zalloc(b, sizeof *o);
    onnx__operator_set_id_proto__init(o);
    o->domain = sdup(b, domain);
    o->has_version = 1;
    o->version = version;
    PUSH(b, b->model.n_opset_import, b->model.opset_import, o);
}

/* parse "2,batch,3" into dims (-1 for a symbolic entry) and params */
static int parse_shape(const char *shape, int64_t *dims, char params[][32], int max) {
    int n = 0;
    if (!shape || !shape[0]) return 0;
    const char *p = shape;
    while (n < max) {
        const char *q = strchr(p, ',');
        size_t len = q ? (size_t)(q - p) : strlen(p);
        char tok[32] = {0};
        memcpy(tok, p, len < 31 ? len : 31);
        char *end;
        long long v = strtoll(tok, &end, 10);
        if (*tok && !*end) {
            dims[n] = v;
            params[n][0] = 0;
        } else {
            dims[n] = -1;
            snprintf(params[n], 32, "%s", tok);
        }
        n++;
        if (!q) break;
        p = q + 1;
    }
    return n;
}

static Onnx__ValueInfoProto *value_info(mb *b, const char *name, int dtype, const char *shape) {
    Onnx__ValueInfoProto *vi = zalloc(b, sizeof *vi);
    onnx__value_info_proto__init(vi);
    vi->name = sdup(b, name);
    Onnx__TypeProto *tp = zalloc(b, sizeof *tp);
    onnx__type_proto__init(tp);
    Onnx__TypeProto__Tensor *tt = zalloc(b, sizeof *tt);
    onnx__type_proto__tensor__init(tt);
    if (dtype) {
        tt->has_elem_type = 1;
        tt->elem_type = dtype;
    }
    if (shape) {
        int64_t dims[16];
        char params[16][32];
        int n = parse_shape(shape, dims, params, 16);
        Onnx__TensorShapeProto *sp = zalloc(b, sizeof *sp);
        onnx__tensor_shape_proto__init(sp);
        for (int i = 0; i < n; i++) {
            Onnx__TensorShapeProto__Dimension *d = zalloc(b, sizeof *d);
            onnx__tensor_shape_proto__dimension__init(d);
            if (dims[i] >= 0 || !params[i][0]) {
                d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
                d->dim_value = dims[i];
            } else if (strcmp(params[i], "?") != 0) {
                d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
                d->dim_param = sdup(b, params[i]);
            }
            PUSH(b, sp->n_dim, sp->dim, d);
        }
        tt->shape = sp;
    }
    tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    tp->tensor_type = tt;
    vi->type = tp;
    return vi;
}

Onnx__ValueInfoProto *mb_input(mb *b, const char *name, int dtype, const char *shape) {
    Onnx__ValueInfoProto *vi = value_info(b, name, dtype, shape);
    PUSH(b, b->graph.n_input, b->graph.input, vi);
    return vi;
}

Onnx__ValueInfoProto *mb_output(mb *b, const char *name, int dtype, const char *shape) {
    Onnx__ValueInfoProto *vi = value_info(b, name, dtype, shape);
    PUSH(b, b->graph.n_output, b->graph.output, vi);
    return vi;
}

static Onnx__TensorProto *tensor(mb *b, const char *name, int dtype, const char *shape) {
    Onnx__TensorProto *t = zalloc(b, sizeof *t);
    onnx__tensor_proto__init(t);
    t->name = sdup(b, name);
    t->has_data_type = 1;
    t->data_type = dtype;
    int64_t dims[16];
    char params[16][32];
    int n = parse_shape(shape, dims, params, 16);
    t->n_dims = (size_t)n;
    t->dims = zalloc(b, (size_t)(n + 1) * sizeof(int64_t));
    memcpy(t->dims, dims, (size_t)n * sizeof(int64_t));
    return t;
}

Onnx__TensorProto *mb_tensor_raw(mb *b, const char *name, int dtype, const char *shape, const void *data,
                                 size_t nbytes) {
    Onnx__TensorProto *t = tensor(b, name, dtype, shape);
    t->has_raw_data = 1;
    t->raw_data.len = nbytes;
    t->raw_data.data = zalloc(b, nbytes);
    if (nbytes) memcpy(t->raw_data.data, data, nbytes);
    return t;
}

#define TYPED(fn, T, field, code)                                                                        \
    Onnx__TensorProto *fn(mb *b, const char *name, const char *shape, const T *data, size_t n) {        \
        Onnx__TensorProto *t = tensor(b, name, code, shape);                                             \
        t->n_##field = n;                                                                                \
        t->field = zalloc(b, (n + 1) * sizeof(T));                                                       \
        if (n) memcpy(t->field, data, n * sizeof(T));                                                    \
        return t;                                                                                        \
    }
TYPED(mb_tensor_f, float, float_data, 1)
TYPED(mb_tensor_i64, int64_t, int64_data, 7)
TYPED(mb_tensor_d, double, double_data, 11)

Onnx__TensorProto *mb_tensor_i32(mb *b, const char *name, int dtype, const char *shape, const int32_t *data,
                                 size_t n) {
    Onnx__TensorProto *t = tensor(b, name, dtype, shape);
    t->n_int32_data = n;
    t->int32_data = zalloc(b, (n + 1) * sizeof(int32_t));
    if (n) memcpy(t->int32_data, data, n * sizeof(int32_t));
    return t;
}

void mb_tensor_external(mb *b, Onnx__TensorProto *t, const char *location, int64_t offset, int64_t length) {
    t->has_data_location = 1;
    t->data_location = ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
    const char *keys[3] = {"location", "offset", "length"};
    char vals[3][64];
    snprintf(vals[0], sizeof vals[0], "%s", location);
    snprintf(vals[1], sizeof vals[1], "%lld", (long long)offset);
    snprintf(vals[2], sizeof vals[2], "%lld", (long long)length);
    for (int i = 0; i < 3; i++) {
        if (i > 0 && (i == 1 ? offset : length) < 0) continue;
        Onnx__StringStringEntryProto *e = zalloc(b, sizeof *e);
        onnx__string_string_entry_proto__init(e);
        e->key = sdup(b, keys[i]);
        e->value = sdup(b, i == 0 ? location : vals[i]);
        PUSH(b, t->n_external_data, t->external_data, e);
    }
}

Onnx__TensorProto *mb_init(mb *b, Onnx__TensorProto *t) {
    PUSH(b, b->graph.n_initializer, b->graph.initializer, t);
    return t;
}

Onnx__TensorProto *mb_init_f(mb *b, const char *name, const char *shape, const float *data, size_t n) {
    return mb_init(b, mb_tensor_f(b, name, shape, data, n));
}

Onnx__TensorProto *mb_init_i64(mb *b, const char *name, const char *shape, const int64_t *data, size_t n) {
    return mb_init(b, mb_tensor_i64(b, name, shape, data, n));
}

static void split_names(mb *b, const char *list, size_t *n, char ***out) {
    *n = 0;
    *out = NULL;
    if (!list) return;
    const char *p = list;
    for (;;) {
        const char *q = strchr(p, ',');
        size_t len = q ? (size_t)(q - p) : strlen(p);
        char *name = keep(b, strndup(p, len));
        PUSH(b, *n, *out, name);
        if (!q) break;
        p = q + 1;
    }
    if (*n == 1 && !(*out)[0][0] && !list[0]) *n = 0; /* "" means no names */
}

Onnx__NodeProto *mb_node(mb *b, const char *op, const char *inputs, const char *outputs) {
    Onnx__NodeProto *n = zalloc(b, sizeof *n);
    onnx__node_proto__init(n);
    n->op_type = sdup(b, op);
    split_names(b, inputs, &n->n_input, &n->input);
    split_names(b, outputs, &n->n_output, &n->output);
    PUSH(b, b->graph.n_node, b->graph.node, n);
    return n;
}

void mb_node_name(mb *b, Onnx__NodeProto *n, const char *name) { n->name = sdup(b, name); }
void mb_node_domain(mb *b, Onnx__NodeProto *n, const char *domain) { n->domain = sdup(b, domain); }

static Onnx__AttributeProto *attr(mb *b, Onnx__NodeProto *n, const char *name, Onnx__AttributeProto__AttributeType type) {
    Onnx__AttributeProto *a = zalloc(b, sizeof *a);
    onnx__attribute_proto__init(a);
    a->name = sdup(b, name);
    a->has_type = 1;
    a->type = type;
    PUSH(b, n->n_attribute, n->attribute, a);
    return a;
}

void mb_attr_i(mb *b, Onnx__NodeProto *n, const char *name, int64_t v) {
    Onnx__AttributeProto *a = attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
    a->has_i = 1;
    a->i = v;
}

void mb_attr_f(mb *b, Onnx__NodeProto *n, const char *name, float v) {
    Onnx__AttributeProto *a = attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
    a->has_f = 1;
    a->f = v;
}

void mb_attr_s(mb *b, Onnx__NodeProto *n, const char *name, const char *v) {
    Onnx__AttributeProto *a = attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING);
    a->has_s = 1;
    a->s.len = strlen(v);
    a->s.data = (uint8_t *)sdup(b, v);
}

void mb_attr_ints(mb *b, Onnx__NodeProto *n, const char *name, size_t count, const int64_t *v) {
    Onnx__AttributeProto *a = attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
    a->n_ints = count;
    a->ints = zalloc(b, (count + 1) * sizeof(int64_t));
    if (count) memcpy(a->ints, v, count * sizeof(int64_t));
}

void mb_attr_floats(mb *b, Onnx__NodeProto *n, const char *name, size_t count, const float *v) {
    Onnx__AttributeProto *a = attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS);
    a->n_floats = count;
    a->floats = zalloc(b, (count + 1) * sizeof(float));
    if (count) memcpy(a->floats, v, count * sizeof(float));
}

void mb_attr_strings(mb *b, Onnx__NodeProto *n, const char *name, size_t count, const char *const *v) {
    Onnx__AttributeProto *a = attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS);
    a->n_strings = count;
    a->strings = zalloc(b, (count + 1) * sizeof(ProtobufCBinaryData));
    for (size_t i = 0; i < count; i++) {
        a->strings[i].len = strlen(v[i]);
        a->strings[i].data = (uint8_t *)sdup(b, v[i]);
    }
}

void mb_attr_t(mb *b, Onnx__NodeProto *n, const char *name, Onnx__TensorProto *t) {
    Onnx__AttributeProto *a = attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR);
    a->t = t;
}

uint8_t *mb_pack(mb *b, size_t *size) {
    size_t n = onnx__model_proto__get_packed_size(&b->model);
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf) abort();
    *size = onnx__model_proto__pack(&b->model, buf);
    return buf;
}

int mb_load(mb *b, rnnrun_model **m, char *err, size_t err_size) {
    size_t n;
    uint8_t *buf = mb_pack(b, &n);
    int st = rnnrun_model_load_buffer(buf, n, m, err, err_size);
    free(buf);
    return st;
}

int mb_write(mb *b, const char *path) {
    size_t n;
    uint8_t *buf = mb_pack(b, &n);
    FILE *f = fopen(path, "wb");
    int rc = !f || fwrite(buf, 1, n, f) != n;
    if (f) rc |= fclose(f) != 0;
    free(buf);
    return rc;
}
