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
RR_DECLARE_OP(unary);
RR_DECLARE_OP(clip);
RR_DECLARE_OP(pow);
RR_DECLARE_OP(variadic);
RR_DECLARE_OP(compare);
RR_DECLARE_OP(not);
RR_DECLARE_OP(where);
RR_DECLARE_OP(reduce);
RR_DECLARE_OP(arg);
RR_DECLARE_OP(softmax);
RR_DECLARE_OP(cast);
RR_DECLARE_OP(castlike);
RR_DECLARE_OP(constantofshape);
RR_DECLARE_OP(range);
RR_DECLARE_OP(split);
RR_DECLARE_OP(expand);
RR_DECLARE_OP(tile);
RR_DECLARE_OP(gatherelements);
RR_DECLARE_OP(scatterelements);
RR_DECLARE_OP(scatternd);
RR_DECLARE_OP(flatten);
RR_DECLARE_OP(dropout);

#define E(op, since, min_in, max_in, min_out, max_out, flags, fn) \
    {op, since, min_in, max_in, min_out, max_out, flags, rr_infer_##fn, rr_run_##fn}
#define BIN(op, since) E(op, since, 2, 2, 1, 1, 0, binary)
#define ALIAS RR_OP_ALIAS
#define STATEFUL RR_OP_STATEFUL

const rr_op rr_ops[] = {
    E("Abs", 6, 1, 1, 1, 1, 0, unary), E("Abs", 13, 1, 1, 1, 1, 0, unary),
    BIN("Add", 7), BIN("Add", 13), BIN("Add", 14),
    E("And", 7, 2, 2, 1, 1, 0, compare),
    E("ArgMax", 1, 1, 1, 1, 1, 0, arg), E("ArgMax", 11, 1, 1, 1, 1, 0, arg), E("ArgMax", 12, 1, 1, 1, 1, 0, arg),
    E("ArgMax", 13, 1, 1, 1, 1, 0, arg),
    E("ArgMin", 1, 1, 1, 1, 1, 0, arg), E("ArgMin", 11, 1, 1, 1, 1, 0, arg), E("ArgMin", 12, 1, 1, 1, 1, 0, arg),
    E("ArgMin", 13, 1, 1, 1, 1, 0, arg),
    E("Cast", 6, 1, 1, 1, 1, 0, cast), E("Cast", 9, 1, 1, 1, 1, 0, cast), E("Cast", 13, 1, 1, 1, 1, 0, cast),
    E("Cast", 19, 1, 1, 1, 1, 0, cast), E("Cast", 21, 1, 1, 1, 1, 0, cast), E("Cast", 23, 1, 1, 1, 1, 0, cast),
    E("Cast", 24, 1, 1, 1, 1, 0, cast), E("Cast", 25, 1, 1, 1, 1, 0, cast),
    E("CastLike", 15, 2, 2, 1, 1, 0, castlike), E("CastLike", 19, 2, 2, 1, 1, 0, castlike),
    E("CastLike", 21, 2, 2, 1, 1, 0, castlike), E("CastLike", 23, 2, 2, 1, 1, 0, castlike),
    E("CastLike", 24, 2, 2, 1, 1, 0, castlike), E("CastLike", 25, 2, 2, 1, 1, 0, castlike),
    E("Ceil", 6, 1, 1, 1, 1, 0, unary), E("Ceil", 13, 1, 1, 1, 1, 0, unary),
    E("Clip", 6, 1, 3, 1, 1, 0, clip), E("Clip", 11, 1, 3, 1, 1, 0, clip), E("Clip", 12, 1, 3, 1, 1, 0, clip),
    E("Clip", 13, 1, 3, 1, 1, 0, clip),
    E("Concat", 1, 1, -1, 1, 1, 0, concat), E("Concat", 4, 1, -1, 1, 1, 0, concat),
    E("Concat", 11, 1, -1, 1, 1, 0, concat), E("Concat", 13, 1, -1, 1, 1, 0, concat),
    E("Constant", 1, 0, 0, 1, 1, 0, constant), E("Constant", 9, 0, 0, 1, 1, 0, constant),
    E("Constant", 11, 0, 0, 1, 1, 0, constant), E("Constant", 12, 0, 0, 1, 1, 0, constant),
    E("Constant", 13, 0, 0, 1, 1, 0, constant), E("Constant", 19, 0, 0, 1, 1, 0, constant),
    E("Constant", 21, 0, 0, 1, 1, 0, constant), E("Constant", 23, 0, 0, 1, 1, 0, constant),
    E("Constant", 24, 0, 0, 1, 1, 0, constant), E("Constant", 25, 0, 0, 1, 1, 0, constant),
    E("ConstantOfShape", 9, 1, 1, 1, 1, 0, constantofshape), E("ConstantOfShape", 20, 1, 1, 1, 1, 0, constantofshape),
    E("ConstantOfShape", 21, 1, 1, 1, 1, 0, constantofshape),
    E("ConstantOfShape", 23, 1, 1, 1, 1, 0, constantofshape),
    E("ConstantOfShape", 24, 1, 1, 1, 1, 0, constantofshape),
    E("ConstantOfShape", 25, 1, 1, 1, 1, 0, constantofshape),
    BIN("Div", 7), BIN("Div", 13), BIN("Div", 14),
    E("Dropout", 7, 1, 3, 1, 2, ALIAS, dropout), E("Dropout", 10, 1, 3, 1, 2, ALIAS, dropout),
    E("Dropout", 12, 1, 3, 1, 2, ALIAS, dropout), E("Dropout", 13, 1, 3, 1, 2, ALIAS, dropout),
    E("Dropout", 22, 1, 3, 1, 2, ALIAS, dropout),
    E("Elu", 6, 1, 1, 1, 1, 0, unary), E("Elu", 22, 1, 1, 1, 1, 0, unary),
    E("Equal", 7, 2, 2, 1, 1, 0, compare), E("Equal", 11, 2, 2, 1, 1, 0, compare),
    E("Equal", 13, 2, 2, 1, 1, 0, compare), E("Equal", 19, 2, 2, 1, 1, 0, compare),
    E("Exp", 6, 1, 1, 1, 1, 0, unary), E("Exp", 13, 1, 1, 1, 1, 0, unary),
    E("Expand", 8, 2, 2, 1, 1, 0, expand), E("Expand", 13, 2, 2, 1, 1, 0, expand),
    E("Flatten", 1, 1, 1, 1, 1, ALIAS, flatten), E("Flatten", 9, 1, 1, 1, 1, ALIAS, flatten),
    E("Flatten", 11, 1, 1, 1, 1, ALIAS, flatten), E("Flatten", 13, 1, 1, 1, 1, ALIAS, flatten),
    E("Flatten", 21, 1, 1, 1, 1, ALIAS, flatten), E("Flatten", 23, 1, 1, 1, 1, ALIAS, flatten),
    E("Flatten", 24, 1, 1, 1, 1, ALIAS, flatten), E("Flatten", 25, 1, 1, 1, 1, ALIAS, flatten),
    E("Floor", 6, 1, 1, 1, 1, 0, unary), E("Floor", 13, 1, 1, 1, 1, 0, unary),
    E("GRU", 1, 3, 6, 0, 2, STATEFUL, gru), E("GRU", 3, 3, 6, 0, 2, STATEFUL, gru), E("GRU", 7, 3, 6, 0, 2, STATEFUL, gru),
    E("GRU", 14, 3, 6, 0, 2, STATEFUL, gru), E("GRU", 22, 3, 6, 0, 2, STATEFUL, gru),
    E("Gather", 1, 2, 2, 1, 1, 0, gather), E("Gather", 11, 2, 2, 1, 1, 0, gather),
    E("Gather", 13, 2, 2, 1, 1, 0, gather),
    E("GatherElements", 11, 2, 2, 1, 1, 0, gatherelements), E("GatherElements", 13, 2, 2, 1, 1, 0, gatherelements),
    E("Gemm", 7, 3, 3, 1, 1, 0, gemm), E("Gemm", 9, 3, 3, 1, 1, 0, gemm),
    E("Gemm", 11, 2, 3, 1, 1, 0, gemm), E("Gemm", 13, 2, 3, 1, 1, 0, gemm),
    E("Greater", 7, 2, 2, 1, 1, 0, compare), E("Greater", 9, 2, 2, 1, 1, 0, compare),
    E("Greater", 13, 2, 2, 1, 1, 0, compare),
    E("GreaterOrEqual", 12, 2, 2, 1, 1, 0, compare), E("GreaterOrEqual", 16, 2, 2, 1, 1, 0, compare),
    E("HardSigmoid", 6, 1, 1, 1, 1, 0, unary), E("HardSigmoid", 22, 1, 1, 1, 1, 0, unary),
    E("Identity", 1, 1, 1, 1, 1, ALIAS, identity), E("Identity", 13, 1, 1, 1, 1, ALIAS, identity),
    E("Identity", 14, 1, 1, 1, 1, ALIAS, identity), E("Identity", 16, 1, 1, 1, 1, ALIAS, identity),
    E("Identity", 19, 1, 1, 1, 1, ALIAS, identity), E("Identity", 21, 1, 1, 1, 1, ALIAS, identity),
    E("Identity", 23, 1, 1, 1, 1, ALIAS, identity), E("Identity", 24, 1, 1, 1, 1, ALIAS, identity),
    E("Identity", 25, 1, 1, 1, 1, ALIAS, identity),
    E("LSTM", 1, 3, 8, 0, 3, STATEFUL, lstm), E("LSTM", 7, 3, 8, 0, 3, STATEFUL, lstm), E("LSTM", 14, 3, 8, 0, 3, STATEFUL, lstm),
    E("LSTM", 22, 3, 8, 0, 3, STATEFUL, lstm),
    E("LeakyRelu", 6, 1, 1, 1, 1, 0, unary), E("LeakyRelu", 16, 1, 1, 1, 1, 0, unary),
    E("Less", 7, 2, 2, 1, 1, 0, compare), E("Less", 9, 2, 2, 1, 1, 0, compare), E("Less", 13, 2, 2, 1, 1, 0, compare),
    E("LessOrEqual", 12, 2, 2, 1, 1, 0, compare), E("LessOrEqual", 16, 2, 2, 1, 1, 0, compare),
    E("Log", 6, 1, 1, 1, 1, 0, unary), E("Log", 13, 1, 1, 1, 1, 0, unary),
    E("LogSoftmax", 1, 1, 1, 1, 1, 0, softmax), E("LogSoftmax", 11, 1, 1, 1, 1, 0, softmax),
    E("LogSoftmax", 13, 1, 1, 1, 1, 0, softmax),
    E("MatMul", 1, 2, 2, 1, 1, 0, matmul), E("MatMul", 9, 2, 2, 1, 1, 0, matmul),
    E("MatMul", 13, 2, 2, 1, 1, 0, matmul),
    E("Max", 6, 1, -1, 1, 1, 0, variadic), E("Max", 8, 1, -1, 1, 1, 0, variadic),
    E("Max", 12, 1, -1, 1, 1, 0, variadic), E("Max", 13, 1, -1, 1, 1, 0, variadic),
    E("Mean", 6, 1, -1, 1, 1, 0, variadic), E("Mean", 8, 1, -1, 1, 1, 0, variadic),
    E("Mean", 13, 1, -1, 1, 1, 0, variadic),
    E("Min", 6, 1, -1, 1, 1, 0, variadic), E("Min", 8, 1, -1, 1, 1, 0, variadic),
    E("Min", 12, 1, -1, 1, 1, 0, variadic), E("Min", 13, 1, -1, 1, 1, 0, variadic),
    BIN("Mul", 7), BIN("Mul", 13), BIN("Mul", 14),
    E("Neg", 6, 1, 1, 1, 1, 0, unary), E("Neg", 13, 1, 1, 1, 1, 0, unary),
    E("Not", 1, 1, 1, 1, 1, 0, not),
    E("Or", 7, 2, 2, 1, 1, 0, compare),
    E("Pow", 7, 2, 2, 1, 1, 0, pow), E("Pow", 12, 2, 2, 1, 1, 0, pow), E("Pow", 13, 2, 2, 1, 1, 0, pow),
    E("Pow", 15, 2, 2, 1, 1, 0, pow),
    E("RNN", 1, 3, 6, 0, 2, STATEFUL, rnn), E("RNN", 7, 3, 6, 0, 2, STATEFUL, rnn), E("RNN", 14, 3, 6, 0, 2, STATEFUL, rnn),
    E("RNN", 22, 3, 6, 0, 2, STATEFUL, rnn),
    E("Range", 11, 3, 3, 1, 1, 0, range), E("Range", 27, 3, 3, 1, 1, 0, range),
    E("Reciprocal", 6, 1, 1, 1, 1, 0, unary), E("Reciprocal", 13, 1, 1, 1, 1, 0, unary),
    E("ReduceMax", 1, 1, 2, 1, 1, 0, reduce), E("ReduceMax", 11, 1, 2, 1, 1, 0, reduce),
    E("ReduceMax", 12, 1, 2, 1, 1, 0, reduce), E("ReduceMax", 13, 1, 2, 1, 1, 0, reduce),
    E("ReduceMax", 18, 1, 2, 1, 1, 0, reduce), E("ReduceMax", 20, 1, 2, 1, 1, 0, reduce),
    E("ReduceMean", 1, 1, 2, 1, 1, 0, reduce), E("ReduceMean", 11, 1, 2, 1, 1, 0, reduce),
    E("ReduceMean", 13, 1, 2, 1, 1, 0, reduce), E("ReduceMean", 18, 1, 2, 1, 1, 0, reduce),
    E("ReduceMin", 1, 1, 2, 1, 1, 0, reduce), E("ReduceMin", 11, 1, 2, 1, 1, 0, reduce),
    E("ReduceMin", 12, 1, 2, 1, 1, 0, reduce), E("ReduceMin", 13, 1, 2, 1, 1, 0, reduce),
    E("ReduceMin", 18, 1, 2, 1, 1, 0, reduce), E("ReduceMin", 20, 1, 2, 1, 1, 0, reduce),
    E("ReduceSum", 1, 1, 2, 1, 1, 0, reduce), E("ReduceSum", 11, 1, 2, 1, 1, 0, reduce),
    E("ReduceSum", 13, 1, 2, 1, 1, 0, reduce),
    E("ReduceSumSquare", 1, 1, 2, 1, 1, 0, reduce), E("ReduceSumSquare", 11, 1, 2, 1, 1, 0, reduce),
    E("ReduceSumSquare", 13, 1, 2, 1, 1, 0, reduce), E("ReduceSumSquare", 18, 1, 2, 1, 1, 0, reduce),
    E("Relu", 6, 1, 1, 1, 1, 0, relu), E("Relu", 13, 1, 1, 1, 1, 0, relu), E("Relu", 14, 1, 1, 1, 1, 0, relu),
    E("Reshape", 5, 2, 2, 1, 1, ALIAS, reshape), E("Reshape", 13, 2, 2, 1, 1, ALIAS, reshape),
    E("Reshape", 14, 2, 2, 1, 1, ALIAS, reshape), E("Reshape", 19, 2, 2, 1, 1, ALIAS, reshape),
    E("Reshape", 21, 2, 2, 1, 1, ALIAS, reshape), E("Reshape", 23, 2, 2, 1, 1, ALIAS, reshape),
    E("Reshape", 24, 2, 2, 1, 1, ALIAS, reshape), E("Reshape", 25, 2, 2, 1, 1, ALIAS, reshape),
    E("ScatterElements", 11, 3, 3, 1, 1, 0, scatterelements),
    E("ScatterElements", 13, 3, 3, 1, 1, 0, scatterelements),
    E("ScatterElements", 16, 3, 3, 1, 1, 0, scatterelements),
    E("ScatterElements", 18, 3, 3, 1, 1, 0, scatterelements),
    E("ScatterND", 11, 3, 3, 1, 1, 0, scatternd), E("ScatterND", 13, 3, 3, 1, 1, 0, scatternd),
    E("ScatterND", 16, 3, 3, 1, 1, 0, scatternd), E("ScatterND", 18, 3, 3, 1, 1, 0, scatternd),
    E("Shape", 1, 1, 1, 1, 1, RR_OP_SHAPE_ONLY, shape), E("Shape", 13, 1, 1, 1, 1, RR_OP_SHAPE_ONLY, shape),
    E("Shape", 15, 1, 1, 1, 1, RR_OP_SHAPE_ONLY, shape), E("Shape", 19, 1, 1, 1, 1, RR_OP_SHAPE_ONLY, shape),
    E("Shape", 21, 1, 1, 1, 1, RR_OP_SHAPE_ONLY, shape), E("Shape", 23, 1, 1, 1, 1, RR_OP_SHAPE_ONLY, shape),
    E("Shape", 24, 1, 1, 1, 1, RR_OP_SHAPE_ONLY, shape), E("Shape", 25, 1, 1, 1, 1, RR_OP_SHAPE_ONLY, shape),
    E("Sigmoid", 6, 1, 1, 1, 1, 0, sigmoid), E("Sigmoid", 13, 1, 1, 1, 1, 0, sigmoid),
    E("Slice", 1, 1, 1, 1, 1, 0, slice), E("Slice", 10, 3, 5, 1, 1, 0, slice),
    E("Slice", 11, 3, 5, 1, 1, 0, slice), E("Slice", 13, 3, 5, 1, 1, 0, slice),
    E("Softmax", 1, 1, 1, 1, 1, 0, softmax), E("Softmax", 11, 1, 1, 1, 1, 0, softmax),
    E("Softmax", 13, 1, 1, 1, 1, 0, softmax),
    E("Softplus", 1, 1, 1, 1, 1, 0, unary), E("Softplus", 22, 1, 1, 1, 1, 0, unary),
    E("Softsign", 1, 1, 1, 1, 1, 0, unary), E("Softsign", 22, 1, 1, 1, 1, 0, unary),
    E("Split", 1, 1, 2, 1, -1, 0, split), E("Split", 2, 1, 2, 1, -1, 0, split), E("Split", 11, 1, 2, 1, -1, 0, split),
    E("Split", 13, 1, 2, 1, -1, 0, split), E("Split", 18, 1, 2, 1, -1, 0, split),
    E("Sqrt", 6, 1, 1, 1, 1, 0, unary), E("Sqrt", 13, 1, 1, 1, 1, 0, unary),
    E("Squeeze", 1, 1, 1, 1, 1, ALIAS, squeeze), E("Squeeze", 11, 1, 1, 1, 1, ALIAS, squeeze),
    E("Squeeze", 13, 1, 2, 1, 1, ALIAS, squeeze), E("Squeeze", 21, 1, 2, 1, 1, ALIAS, squeeze),
    E("Squeeze", 23, 1, 2, 1, 1, ALIAS, squeeze), E("Squeeze", 24, 1, 2, 1, 1, ALIAS, squeeze),
    E("Squeeze", 25, 1, 2, 1, 1, ALIAS, squeeze),
    BIN("Sub", 7), BIN("Sub", 13), BIN("Sub", 14),
    E("Sum", 6, 1, -1, 1, 1, 0, variadic), E("Sum", 8, 1, -1, 1, 1, 0, variadic),
    E("Sum", 13, 1, -1, 1, 1, 0, variadic),
    E("Tanh", 6, 1, 1, 1, 1, 0, tanh), E("Tanh", 13, 1, 1, 1, 1, 0, tanh),
    E("Tile", 6, 2, 2, 1, 1, 0, tile), E("Tile", 13, 2, 2, 1, 1, 0, tile),
    E("Transpose", 1, 1, 1, 1, 1, 0, transpose), E("Transpose", 13, 1, 1, 1, 1, 0, transpose),
    E("Transpose", 21, 1, 1, 1, 1, 0, transpose), E("Transpose", 23, 1, 1, 1, 1, 0, transpose),
    E("Transpose", 24, 1, 1, 1, 1, 0, transpose), E("Transpose", 25, 1, 1, 1, 1, 0, transpose),
    E("Unsqueeze", 1, 1, 1, 1, 1, ALIAS, unsqueeze), E("Unsqueeze", 11, 1, 1, 1, 1, ALIAS, unsqueeze),
    E("Unsqueeze", 13, 2, 2, 1, 1, ALIAS, unsqueeze), E("Unsqueeze", 21, 2, 2, 1, 1, ALIAS, unsqueeze),
    E("Unsqueeze", 23, 2, 2, 1, 1, ALIAS, unsqueeze), E("Unsqueeze", 24, 2, 2, 1, 1, ALIAS, unsqueeze),
    E("Unsqueeze", 25, 2, 2, 1, 1, ALIAS, unsqueeze),
    E("Where", 9, 3, 3, 1, 1, 0, where), E("Where", 16, 3, 3, 1, 1, 0, where),
    E("Xor", 7, 2, 2, 1, 1, 0, compare),
};

const int rr_n_ops = (int)(sizeof rr_ops / sizeof rr_ops[0]);

const rr_op *rr_op_find(const char *op_type, int opset, bool *known) {
    /* binary search for the first entry of op_type (the table is sorted by strcmp of op_type,
     * then since: test_ops checks it), then its versions in ascending order */
    int lo = 0, hi = rr_n_ops;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (strcmp(rr_ops[mid].op_type, op_type) < 0) lo = mid + 1;
        else hi = mid;
    }
    const rr_op *best = NULL;
    if (known) *known = lo < rr_n_ops && strcmp(rr_ops[lo].op_type, op_type) == 0;
    for (int i = lo; i < rr_n_ops && strcmp(rr_ops[i].op_type, op_type) == 0 && rr_ops[i].since <= opset; i++)
        best = &rr_ops[i];
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
