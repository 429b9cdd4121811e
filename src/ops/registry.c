/* The one dispatch table: (op_type, since_version) -> kernel. A node runs the entry with the
 * highest since_version not above the model's opset. Every since_version that ONNX defines for a
 * supported op from its first supported version up to opset 27 is listed, so that a version whose
 * meaning changed can never fall back silently to an older entry. */
#include <string.h>

#include "ops.h"

RR_DECLARE_OP(binary);
RR_DECLARE_OP(sigmoid);
RR_DECLARE_OP(tanh);
RR_DECLARE_OP(relu);
RR_DECLARE_OP(gemm);
RR_DECLARE_OP(matmul);
RR_DECLARE_OP(constant);
RR_DECLARE_OP(shape);
RR_DECLARE_OP(reshape);
RR_DECLARE_OP(squeeze);
RR_DECLARE_OP(unsqueeze);
RR_DECLARE_OP(identity);
RR_DECLARE_OP(transpose);
RR_DECLARE_OP(concat);
RR_DECLARE_OP(slice);
RR_DECLARE_OP(gather);
RR_DECLARE_OP(rnn);
RR_DECLARE_OP(gru);
RR_DECLARE_OP(lstm);

#define E(op, since, min_in, max_in, min_out, max_out, flags, fn) \
    {op, since, min_in, max_in, min_out, max_out, flags, rr_infer_##fn, rr_run_##fn}
#define BIN(op, since) E(op, since, 2, 2, 1, 1, 0, binary)
#define ALIAS RR_OP_ALIAS

const rr_op rr_ops[] = {
    BIN("Add", 7), BIN("Add", 13), BIN("Add", 14),
    E("Concat", 1, 1, -1, 1, 1, 0, concat), E("Concat", 4, 1, -1, 1, 1, 0, concat),
    E("Concat", 11, 1, -1, 1, 1, 0, concat), E("Concat", 13, 1, -1, 1, 1, 0, concat),
    E("Constant", 1, 0, 0, 1, 1, 0, constant), E("Constant", 9, 0, 0, 1, 1, 0, constant),
    E("Constant", 11, 0, 0, 1, 1, 0, constant), E("Constant", 12, 0, 0, 1, 1, 0, constant),
    E("Constant", 13, 0, 0, 1, 1, 0, constant), E("Constant", 19, 0, 0, 1, 1, 0, constant),
    E("Constant", 21, 0, 0, 1, 1, 0, constant), E("Constant", 23, 0, 0, 1, 1, 0, constant),
    E("Constant", 24, 0, 0, 1, 1, 0, constant), E("Constant", 25, 0, 0, 1, 1, 0, constant),
    BIN("Div", 7), BIN("Div", 13), BIN("Div", 14),
    E("GRU", 1, 3, 6, 0, 2, 0, gru), E("GRU", 3, 3, 6, 0, 2, 0, gru), E("GRU", 7, 3, 6, 0, 2, 0, gru),
    E("GRU", 14, 3, 6, 0, 2, 0, gru), E("GRU", 22, 3, 6, 0, 2, 0, gru),
    E("Gather", 1, 2, 2, 1, 1, 0, gather), E("Gather", 11, 2, 2, 1, 1, 0, gather),
    E("Gather", 13, 2, 2, 1, 1, 0, gather),
    E("Gemm", 7, 3, 3, 1, 1, 0, gemm), E("Gemm", 9, 3, 3, 1, 1, 0, gemm),
    E("Gemm", 11, 2, 3, 1, 1, 0, gemm), E("Gemm", 13, 2, 3, 1, 1, 0, gemm),
    E("Identity", 1, 1, 1, 1, 1, ALIAS, identity), E("Identity", 13, 1, 1, 1, 1, ALIAS, identity),
    E("Identity", 14, 1, 1, 1, 1, ALIAS, identity), E("Identity", 16, 1, 1, 1, 1, ALIAS, identity),
    E("Identity", 19, 1, 1, 1, 1, ALIAS, identity), E("Identity", 21, 1, 1, 1, 1, ALIAS, identity),
    E("Identity", 23, 1, 1, 1, 1, ALIAS, identity), E("Identity", 24, 1, 1, 1, 1, ALIAS, identity),
    E("Identity", 25, 1, 1, 1, 1, ALIAS, identity),
    E("LSTM", 1, 3, 8, 0, 3, 0, lstm), E("LSTM", 7, 3, 8, 0, 3, 0, lstm), E("LSTM", 14, 3, 8, 0, 3, 0, lstm),
    E("LSTM", 22, 3, 8, 0, 3, 0, lstm),
    E("MatMul", 1, 2, 2, 1, 1, 0, matmul), E("MatMul", 9, 2, 2, 1, 1, 0, matmul),
    E("MatMul", 13, 2, 2, 1, 1, 0, matmul),
    BIN("Mul", 7), BIN("Mul", 13), BIN("Mul", 14),
    E("RNN", 1, 3, 6, 0, 2, 0, rnn), E("RNN", 7, 3, 6, 0, 2, 0, rnn), E("RNN", 14, 3, 6, 0, 2, 0, rnn),
    E("RNN", 22, 3, 6, 0, 2, 0, rnn),
    E("Relu", 6, 1, 1, 1, 1, 0, relu), E("Relu", 13, 1, 1, 1, 1, 0, relu), E("Relu", 14, 1, 1, 1, 1, 0, relu),
    E("Reshape", 5, 2, 2, 1, 1, ALIAS, reshape), E("Reshape", 13, 2, 2, 1, 1, ALIAS, reshape),
    E("Reshape", 14, 2, 2, 1, 1, ALIAS, reshape), E("Reshape", 19, 2, 2, 1, 1, ALIAS, reshape),
    E("Reshape", 21, 2, 2, 1, 1, ALIAS, reshape), E("Reshape", 23, 2, 2, 1, 1, ALIAS, reshape),
    E("Reshape", 24, 2, 2, 1, 1, ALIAS, reshape), E("Reshape", 25, 2, 2, 1, 1, ALIAS, reshape),
    E("Shape", 1, 1, 1, 1, 1, RR_OP_SHAPE_ONLY, shape), E("Shape", 13, 1, 1, 1, 1, RR_OP_SHAPE_ONLY, shape),
    E("Shape", 15, 1, 1, 1, 1, RR_OP_SHAPE_ONLY, shape), E("Shape", 19, 1, 1, 1, 1, RR_OP_SHAPE_ONLY, shape),
    E("Shape", 21, 1, 1, 1, 1, RR_OP_SHAPE_ONLY, shape), E("Shape", 23, 1, 1, 1, 1, RR_OP_SHAPE_ONLY, shape),
    E("Shape", 24, 1, 1, 1, 1, RR_OP_SHAPE_ONLY, shape), E("Shape", 25, 1, 1, 1, 1, RR_OP_SHAPE_ONLY, shape),
    E("Sigmoid", 6, 1, 1, 1, 1, 0, sigmoid), E("Sigmoid", 13, 1, 1, 1, 1, 0, sigmoid),
    E("Slice", 1, 1, 1, 1, 1, 0, slice), E("Slice", 10, 3, 5, 1, 1, 0, slice),
    E("Slice", 11, 3, 5, 1, 1, 0, slice), E("Slice", 13, 3, 5, 1, 1, 0, slice),
    E("Squeeze", 1, 1, 1, 1, 1, ALIAS, squeeze), E("Squeeze", 11, 1, 1, 1, 1, ALIAS, squeeze),
    E("Squeeze", 13, 1, 2, 1, 1, ALIAS, squeeze), E("Squeeze", 21, 1, 2, 1, 1, ALIAS, squeeze),
    E("Squeeze", 23, 1, 2, 1, 1, ALIAS, squeeze), E("Squeeze", 24, 1, 2, 1, 1, ALIAS, squeeze),
    E("Squeeze", 25, 1, 2, 1, 1, ALIAS, squeeze),
    BIN("Sub", 7), BIN("Sub", 13), BIN("Sub", 14),
    E("Tanh", 6, 1, 1, 1, 1, 0, tanh), E("Tanh", 13, 1, 1, 1, 1, 0, tanh),
    E("Transpose", 1, 1, 1, 1, 1, 0, transpose), E("Transpose", 13, 1, 1, 1, 1, 0, transpose),
    E("Transpose", 21, 1, 1, 1, 1, 0, transpose), E("Transpose", 23, 1, 1, 1, 1, 0, transpose),
    E("Transpose", 24, 1, 1, 1, 1, 0, transpose), E("Transpose", 25, 1, 1, 1, 1, 0, transpose),
    E("Unsqueeze", 1, 1, 1, 1, 1, ALIAS, unsqueeze), E("Unsqueeze", 11, 1, 1, 1, 1, ALIAS, unsqueeze),
    E("Unsqueeze", 13, 2, 2, 1, 1, ALIAS, unsqueeze), E("Unsqueeze", 21, 2, 2, 1, 1, ALIAS, unsqueeze),
    E("Unsqueeze", 23, 2, 2, 1, 1, ALIAS, unsqueeze), E("Unsqueeze", 24, 2, 2, 1, 1, ALIAS, unsqueeze),
    E("Unsqueeze", 25, 2, 2, 1, 1, ALIAS, unsqueeze),
};

const int rr_n_ops = (int)(sizeof rr_ops / sizeof rr_ops[0]);

const rr_op *rr_op_find(const char *op_type, int opset, bool *known) {
    const rr_op *best = NULL;
    if (known) *known = false;
    for (int i = 0; i < rr_n_ops; i++) {
        if (strcmp(rr_ops[i].op_type, op_type) != 0) continue;
        if (known) *known = true;
        if (rr_ops[i].since <= opset && (!best || rr_ops[i].since > best->since)) best = &rr_ops[i];
    }
    return best;
}

void rr_ops_markdown(FILE *f) {
    fprintf(f, "| op | since versions | opsets |\n|---|---|---|\n");
    for (int i = 0; i < rr_n_ops;) {
        int j = i;
        fprintf(f, "| %s | ", rr_ops[i].op_type);
        for (; j < rr_n_ops && strcmp(rr_ops[j].op_type, rr_ops[i].op_type) == 0; j++)
            fprintf(f, "%s%d", j > i ? ", " : "", rr_ops[j].since);
        fprintf(f, " | %d-%d |\n", rr_ops[i].since, RR_MAX_OPSET);
        i = j;
    }
}
