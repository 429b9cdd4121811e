/* mb: a model builder for tests. Builds an ONNX ModelProto with the protobuf-c structs generated
 * from the schema and packs it to bytes, so tests state their models in C, exactly, including
 * the malformed ones. Every pointer handed out lives until mb_free. Shapes are strings:
 * "2,3" is (2, 3), "batch,6" has a symbolic first dim, "" is a scalar, NULL is no shape. */
#ifndef RNNRUN_TEST_MB_H
#define RNNRUN_TEST_MB_H

#include <stddef.h>
#include <stdint.h>

#include "onnx.pb-c.h"
#include "rnnrun.h"

typedef struct mb mb;

/* ir_version and the opset of the default domain (opset 0: no import at all). */
mb *mb_new(int64_t ir_version, int64_t opset);
void mb_free(mb *b);
Onnx__ModelProto *mb_model(mb *b);
Onnx__GraphProto *mb_graph(mb *b);
void mb_opset_import(mb *b, const char *domain, int64_t version);

/* graph inputs and outputs with a tensor type (dtype 0: no elem_type) */
Onnx__ValueInfoProto *mb_input(mb *b, const char *name, int dtype, const char *shape);
Onnx__ValueInfoProto *mb_output(mb *b, const char *name, int dtype, const char *shape);

/* Tensors. raw: data goes to raw_data; typed: to the field for its dtype (float_data, int32_data,
 * int64_data, double_data). n is the number of elements in data. */
Onnx__TensorProto *mb_tensor_raw(mb *b, const char *name, int dtype, const char *shape, const void *data,
                                 size_t nbytes);
Onnx__TensorProto *mb_tensor_f(mb *b, const char *name, const char *shape, const float *data, size_t n);
Onnx__TensorProto *mb_tensor_i64(mb *b, const char *name, const char *shape, const int64_t *data, size_t n);
Onnx__TensorProto *mb_tensor_i32(mb *b, const char *name, int dtype, const char *shape, const int32_t *data,
                                 size_t n);
Onnx__TensorProto *mb_tensor_d(mb *b, const char *name, const char *shape, const double *data, size_t n);
/* external data: location, offset (or -1), length (or -1) */
void mb_tensor_external(mb *b, Onnx__TensorProto *t, const char *location, int64_t offset, int64_t length);

/* add a tensor as an initializer */
Onnx__TensorProto *mb_init(mb *b, Onnx__TensorProto *t);
/* shortcuts: float and int64 initializers with typed fields */
Onnx__TensorProto *mb_init_f(mb *b, const char *name, const char *shape, const float *data, size_t n);
Onnx__TensorProto *mb_init_i64(mb *b, const char *name, const char *shape, const int64_t *data, size_t n);

/* A node; inputs and outputs are comma-separated names, empty entries allowed ("x,,h"). */
Onnx__NodeProto *mb_node(mb *b, const char *op, const char *inputs, const char *outputs);
void mb_node_name(mb *b, Onnx__NodeProto *n, const char *name);
void mb_node_domain(mb *b, Onnx__NodeProto *n, const char *domain);
void mb_attr_i(mb *b, Onnx__NodeProto *n, const char *name, int64_t v);
void mb_attr_f(mb *b, Onnx__NodeProto *n, const char *name, float v);
void mb_attr_s(mb *b, Onnx__NodeProto *n, const char *name, const char *v);
void mb_attr_ints(mb *b, Onnx__NodeProto *n, const char *name, size_t count, const int64_t *v);
void mb_attr_floats(mb *b, Onnx__NodeProto *n, const char *name, size_t count, const float *v);
void mb_attr_strings(mb *b, Onnx__NodeProto *n, const char *name, size_t count, const char *const *v);
void mb_attr_t(mb *b, Onnx__NodeProto *n, const char *name, Onnx__TensorProto *t);

/* Pack into malloc'd bytes (caller frees). */
uint8_t *mb_pack(mb *b, size_t *size);
/* Pack and load from the buffer; returns the status, *m is NULL on failure, err gets the message. */
int mb_load(mb *b, rnnrun_model **m, char *err, size_t err_size);
/* Pack and write to a file. Returns 0 on success. */
int mb_write(mb *b, const char *path);

#endif
