#!/usr/bin/python3
"""Write the hostile-input corpus tests/corpus/ and its manifest (tests/corpus/MANIFEST); the
files are committed, so the tests run without Python. Needs ONNX and NumPy (Debian's
/usr/bin/python3):

    /usr/bin/python3 tools/gen_corpus.py

Every case is one line of MANIFEST, tab-separated:

    case  model  inputs  status  expect

model is a file in tests/corpus/; inputs are comma-separated .npy files there ("-" for none);
status is the rnnrun_status name the library must return at the first failing step (load, read of
an input, bind, run), without the RNNRUN_ERR_ prefix; expect is a fragment of the message, which
the CLI must print as its single stderr line (exit 1). A case with status OK must run, and expect
then names the .npy file output 0 must equal. tests/test_corpus.c runs every line through the
library and through the CLI. Fuzzer findings are added here as cases too (see FINDINGS below).
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "corpus")
CASES = []


def path(name):
    return os.path.join(OUT, name)


def case(name, model, inputs, status, expect):
    CASES.append((name, model, ",".join(inputs) if inputs else "-", status, expect))


def write_bytes(name, data):
    with open(path(name), "wb") as f:
        f.write(data)


def save(name, model):
    write_bytes(name, model.SerializeToString())


def graph(nodes, inputs, outputs, inits=(), name="g"):
    return helper.make_graph(nodes, name, inputs, outputs, initializer=list(inits))


def model(g, opset=13, ir=8):
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)], ir_version=ir,
                             producer_name="gen_corpus")


F = TensorProto.FLOAT
X = helper.make_tensor_value_info("x", F, ["batch", 3])
Y = helper.make_tensor_value_info("y", F, ["batch", 3])
W = np.array([[0.5, -1.0, 2.0]], dtype=np.float32)


def base():
    """The valid model every malformed one starts from: y = tanh(x + w), x (batch, 3), w (1, 3)."""
    return model(graph([helper.make_node("Add", ["x", "w"], ["s"], name="add"),
                        helper.make_node("Tanh", ["s"], ["y"], name="tanh")],
                       [X], [Y], [numpy_helper.from_array(W, "w")]))


def tensor_proto(name, dtype, dims, raw=None, **typed):
    t = TensorProto()
    t.name = name
    t.data_type = dtype
    t.dims.extend(dims)
    if raw is not None:
        t.raw_data = raw
    for k, v in typed.items():
        getattr(t, k).extend(v)
    return t


def with_init(t, op_inputs=("x", "w")):
    """base() with initializer w replaced by t."""
    m = base()
    del m.graph.initializer[:]
    m.graph.initializer.append(t)
    return m


def npy_bytes(arr):
    import io
    b = io.BytesIO()
    np.save(b, arr)
    return b.getvalue()


def npy_raw(header, data):
    """A version 1.0 .npy file with this header dict, padded as NumPy pads it."""
    h = header.encode()
    n = 10 + len(h) + 1
    h += b" " * ((-n) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(h).to_bytes(2, "little") + h + data


def main():
    # everything but findings/ (reproducers kept by hand) is rewritten
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f != "findings":
            os.remove(path(f))
    good = base()
    save("ok.onnx", good)
    gb = good.SerializeToString()
    x = np.arange(6, dtype=np.float32).reshape(2, 3) * 0.25 - 0.5
    np.save(path("x_2x3.npy"), x)
    np.save(path("y_2x3.npy"), np.tanh(x + W))
    case("ok", "ok.onnx", ["x_2x3.npy"], "OK", "y_2x3.npy")

    # ---- files that are not (whole) protobufs
    write_bytes("empty.onnx", b"")
    case("empty_file", "empty.onnx", [], "FORMAT", "the file is empty")
    write_bytes("text.onnx", b"hello, this is not a model\n")
    case("text_file", "text.onnx", [], "FORMAT", "not an ONNX model")
    write_bytes("trunc_half.onnx", gb[: len(gb) // 2])
    case("truncated_half", "trunc_half.onnx", [], "FORMAT", "longer than what holds it")
    write_bytes("trunc_last_byte.onnx", gb[:-1])
    case("truncated_last_byte", "trunc_last_byte.onnx", [], "FORMAT", "not an ONNX model")
    # flipped bits: the graph field's key 0x3a (field 7, length-delimited) becomes wire type 7
    k = gb.index(b"\x3a")
    write_bytes("flip_wiretype.onnx", gb[:k] + b"\x3f" + gb[k + 1:])
    case("flipped_bit_wire_type", "flip_wiretype.onnx", [], "FORMAT", "wire type 7")
    # ... one bit of the op type: Tanh -> Tanj
    k = gb.index(b"Tanh")
    write_bytes("flip_optype.onnx", gb[:k] + b"Tanj" + gb[k + 4:])
    case("flipped_bit_op_type", "flip_optype.onnx", [], "UNSUPPORTED", "op Tanj is not supported")
    # ... one bit of w's first dim: (1, 3) -> (3, 3), so raw_data is too short
    wt = numpy_helper.from_array(W, "w").SerializeToString()
    k = gb.index(wt)
    fl = bytearray(gb)
    fl[k + 1] ^= 0x02  # dims: 08 01 -> 08 03 ... (first byte is the key 0x08)
    assert gb[k] == 0x08 and gb[k + 1] == 0x01
    write_bytes("flip_dim.onnx", bytes(fl))
    case("flipped_bit_dim", "flip_dim.onnx", [], "MODEL", "raw_data has 12 bytes, the shape (3, 3)")
    # ... the length of the graph field grows by 64: longer than the file
    k = gb.index(b"\x3a")
    fl = bytearray(gb)
    fl[k + 1] ^= 0x40
    write_bytes("flip_length.onnx", bytes(fl))
    case("flipped_bit_length", "flip_length.onnx", [], "FORMAT", "not an ONNX model")

    # nesting: Model.graph > (Graph.node > Node.attribute > Attribute.g) x 200
    def hdr(field, n):
        out = bytearray([field << 3 | 2])
        while True:
            b = n & 0x7F
            n >>= 7
            out.append(b | 0x80 if n else b)
            if not n:
                return bytes(out)
    heads, n = [], 0
    for _ in range(200):
        for f in (6, 5, 1):
            h = hdr(f, n)
            heads.append(h)
            n += len(h)
    write_bytes("deep_nesting.onnx", b"\x08\x08" + hdr(7, n) + b"".join(reversed(heads)))
    case("deep_nesting", "deep_nesting.onnx", [], "LIMIT", "nested more than 100 deep")

    # ---- tensors whose shape or data is wrong
    save("huge_dims.onnx", with_init(tensor_proto("w", F, [1 << 40, 1 << 40])))
    case("huge_dims", "huge_dims.onnx", [], "LIMIT", "has too many elements")
    save("big_tensor.onnx", with_init(tensor_proto("w", F, [1 << 31])))
    case("tensor_over_4gib", "big_tensor.onnx", [], "LIMIT", "exceeds the limit of 4294967296 bytes")
    save("zero_size_huge_dims.onnx", with_init(tensor_proto("w", F, [0, 1 << 62])))
    case("zero_size_huge_dims", "zero_size_huge_dims.onnx", [], "LIMIT", "zero-size tensor of shape (0, 4611686018427387904)")
    save("negative_dim_init.onnx", with_init(tensor_proto("w", F, [-1, 3])))
    case("negative_dim_initializer", "negative_dim_init.onnx", [], "MODEL", "negative dimension -1")
    m = base()
    m.graph.input[0].type.tensor_type.shape.dim[1].dim_value = -3
    save("negative_dim_input.onnx", m)
    case("negative_dim_input", "negative_dim_input.onnx", [], "MODEL", "dimension 1 is negative (-3)")
    save("rank9.onnx", with_init(tensor_proto("w", F, [1] * 9)))
    case("rank_9", "rank9.onnx", [], "LIMIT", "rank 9 is above the maximum of 8")
    save("short_raw.onnx", with_init(tensor_proto("w", F, [1, 3], raw=b"\0" * 8)))
    case("short_raw_data", "short_raw.onnx", [], "MODEL", "raw_data has 8 bytes, the shape (1, 3) of float32 needs 12")
    save("long_raw.onnx", with_init(tensor_proto("w", F, [1, 3], raw=b"\0" * 16)))
    case("long_raw_data", "long_raw.onnx", [], "MODEL", "raw_data has 16 bytes")
    save("short_typed.onnx", with_init(tensor_proto("w", F, [1, 3], float_data=[1.0, 2.0])))
    case("short_float_data", "short_typed.onnx", [], "MODEL", "float_data holds 2 values, the shape needs 3")
    save("no_data.onnx", with_init(tensor_proto("w", F, [1, 3])))
    case("initializer_without_data", "no_data.onnx", [], "MODEL", "float_data holds 0 values, the shape needs 3")
    save("dtype_99.onnx", with_init(tensor_proto("w", 99, [1, 3], raw=b"\0" * 12)))
    case("unknown_dtype_99", "dtype_99.onnx", [], "UNSUPPORTED", "dtype unknown dtype (99) is not supported")
    save("dtype_string.onnx", with_init(tensor_proto("w", TensorProto.STRING, [1], string_data=[b"a"])))
    case("string_dtype", "dtype_string.onnx", [], "UNSUPPORTED", "dtype string (8) is not supported")
    m = base()
    m.graph.input[0].type.tensor_type.elem_type = 42
    save("input_dtype_42.onnx", m)
    case("unknown_input_dtype", "input_dtype_42.onnx", [], "UNSUPPORTED", "graph input 'x': dtype unknown dtype (42)")

    # ---- graphs
    m = base()
    m.graph.node[1].input[0] = "nope"
    save("dangling_input.onnx", m)
    case("dangling_input", "dangling_input.onnx", [], "MODEL", "input 'nope' is not produced by any node")
    m = model(graph([helper.make_node("Add", ["x", "b"], ["a"], name="n1"),
                     helper.make_node("Tanh", ["a"], ["b"], name="n2"),
                     helper.make_node("Tanh", ["a"], ["y"], name="n3")], [X], [Y]))
    save("cycle.onnx", m)
    case("cycle", "cycle.onnx", [], "MODEL", "the graph has a cycle")
    m = model(graph([helper.make_node("Add", ["x", "y"], ["y"], name="selfish")], [X], [Y]))
    save("self_reference.onnx", m)
    case("self_reference", "self_reference.onnx", [], "MODEL", "node 'selfish' (Add): reads its own output 'y'")
    m = base()
    m.graph.output[0].name = "zz"
    save("missing_output.onnx", m)
    case("missing_output", "missing_output.onnx", [], "MODEL", "graph output 'zz' is not produced")
    m = base()
    del m.graph.output[:]
    save("no_outputs.onnx", m)
    case("graph_without_outputs", "no_outputs.onnx", [], "MODEL", "the graph has no outputs")
    m = base()
    del m.graph.node[0].input[:]
    save("node_no_inputs.onnx", m)
    case("node_without_inputs", "node_no_inputs.onnx", [], "MODEL", "node 'add' (Add): required input 0 is missing")
    m = base()
    del m.graph.node[0].output[:]
    save("node_no_outputs.onnx", m)
    case("node_without_outputs", "node_no_outputs.onnx", [], "MODEL", "node has no outputs")
    m = base()
    m.graph.node[1].output[0] = "s"
    save("output_twice.onnx", m)
    case("output_defined_twice", "output_twice.onnx", [], "MODEL", "output 's' is already defined")
    m = base()
    m.ClearField("graph")
    save("no_graph.onnx", m)
    case("model_without_graph", "no_graph.onnx", [], "MODEL", "the model has no graph")

    # ---- versions and domains
    m = base()
    del m.opset_import[:]
    save("no_opset.onnx", m)
    case("missing_opset", "no_opset.onnx", [], "MODEL", "imports no opset of the default ONNX domain")
    m = base()
    m.opset_import[0].version = 99
    save("future_opset.onnx", m)
    case("future_opset", "future_opset.onnx", [], "UNSUPPORTED", "opset 99 of the default domain is not supported")
    m = base()
    m.ir_version = 99
    save("future_ir.onnx", m)
    case("future_ir_version", "future_ir.onnx", [], "UNSUPPORTED", "IR version 99 is not supported")
    m = base()
    m.opset_import[0].version = 5
    save("old_opset.onnx", m)
    case("op_older_than_opset", "old_opset.onnx", [], "UNSUPPORTED", "op Add at opset 5 is not supported")
    m = base()
    m.graph.node[0].domain = "com.evil"
    save("custom_domain.onnx", m)
    case("custom_domain", "custom_domain.onnx", [], "UNSUPPORTED", "domain 'com.evil' is not supported")

    # ---- attributes: wrong types and absurd values (found when planning, so with an input)
    def unary(node, opset=13, xin=X, yout=Y, inits=()):
        return model(graph([node], [xin], [yout], inits), opset)
    n = helper.make_node("Transpose", ["x"], ["y"], name="t", perm=[0, 99])
    save("perm_absurd.onnx", unary(n))
    case("attribute_absurd_perm", "perm_absurd.onnx", ["x_2x3.npy"], "MODEL", "perm is not a permutation")
    n = helper.make_node("Transpose", ["x"], ["y"], name="t")
    n.attribute.append(helper.make_attribute("perm", 1.5))
    save("perm_float.onnx", unary(n))
    case("attribute_wrong_type", "perm_float.onnx", ["x_2x3.npy"], "MODEL", "attribute 'perm' must be a list of ints")
    n = helper.make_node("Concat", ["x", "x"], ["y"], name="c", axis=1000)
    save("concat_axis.onnx", unary(n))
    case("attribute_absurd_axis", "concat_axis.onnx", ["x_2x3.npy"], "MODEL", "axis 1000 is out of range for rank 2")
    n = helper.make_node("Tanh", ["x"], ["y"], name="t", alpha=1.0)
    n.attribute.append(helper.make_attribute("alpha", 2.0))
    save("attr_twice.onnx", unary(n))
    case("attribute_twice", "attr_twice.onnx", [], "MODEL", "attribute 'alpha' is given twice")
    n = helper.make_node("Gemm", ["x", "w"], ["y"], name="g", transB=1)
    n.attribute[0].type = onnx.AttributeProto.FLOAT
    n.attribute[0].f = 1.0
    save("gemm_attr_type.onnx", unary(n, inits=[numpy_helper.from_array(np.ones((3, 3), np.float32), "w")]))
    case("attribute_int_given_as_float", "gemm_attr_type.onnx", ["x_2x3.npy"], "MODEL", "attribute 'transB' must be an int")
    m = model(graph([helper.make_node("Constant", [], ["y"], name="k")], [X], [Y]))
    save("constant_no_value.onnx", m)
    case("constant_without_value", "constant_no_value.onnx", ["x_2x3.npy"], "MODEL", "has no value attribute")
    sl = [numpy_helper.from_array(np.array([0], np.int64), k) for k in ("st", "en")] + \
         [numpy_helper.from_array(np.array([0], np.int64), "ax"), numpy_helper.from_array(np.array([0], np.int64), "sp")]
    sl[1] = numpy_helper.from_array(np.array([2], np.int64), "en")
    n = helper.make_node("Slice", ["x", "st", "en", "ax", "sp"], ["y"], name="s")
    save("slice_step0.onnx", unary(n, inits=sl))
    case("slice_step_zero", "slice_step0.onnx", ["x_2x3.npy"], "MODEL", "step is 0 on axis 0")
    n = helper.make_node("Reshape", ["x", "shp"], ["y"], name="r")
    save("reshape_huge.onnx", unary(n, inits=[numpy_helper.from_array(np.array([1 << 62, 1 << 62], np.int64), "shp")]))
    case("reshape_to_huge_shape", "reshape_huge.onnx", ["x_2x3.npy"], "LIMIT", "shape is too large")
    n = helper.make_node("Gather", ["x", "idx"], ["y"], name="ga", axis=1)
    save("gather_oob.onnx", unary(n, yout=helper.make_tensor_value_info("y", F, None),
                                  inits=[numpy_helper.from_array(np.array([7], np.int64), "idx")]))
    case("gather_index_out_of_range", "gather_oob.onnx", ["x_2x3.npy"], "VALUE", "index 7 is out of range for an axis of size 3")

    # two inputs sharing a symbolic dim, given different sizes
    x2 = helper.make_tensor_value_info("x2", F, ["batch", 3])
    m = model(graph([helper.make_node("Add", ["x", "x2"], ["y"], name="add")], [X, x2], [Y]))
    save("shared_dim.onnx", m)
    np.save(path("x_1x3.npy"), x[:1])
    case("symbolic_dim_disagrees", "shared_dim.onnx", ["x_2x3.npy", "x_1x3.npy"], "SHAPE",
         "input 'x2' dimension 0 ('batch') is 1, but input 'x' dimension 0 ('batch') is 2")

    # zero-size operands whose broadcast result's other dims overflow int64 (uint8, so each
    # operand's non-zero dims stay within 4 GiB)
    big = (1 << 32) - 1
    a = tensor_proto("a", TensorProto.UINT8, [1, big, 0], raw=b"")
    b = tensor_proto("b", TensorProto.UINT8, [big, 1, 0], raw=b"")
    m = model(graph([helper.make_node("Add", ["a", "b"], ["y"], name="add")], [],
                    [helper.make_tensor_value_info("y", TensorProto.UINT8, None)], [a, b]))
    save("broadcast_overflow.onnx", m)
    case("broadcast_result_overflows", "broadcast_overflow.onnx", [], "LIMIT", "broadcast result (4294967295, 4294967295, 0) is too large")

    # ---- external data: only relative paths inside the model's folder
    def ext(name, location, offset=None, length=None):
        t = tensor_proto("w", F, [1, 3])
        t.data_location = TensorProto.EXTERNAL
        for k, v in (("location", location), ("offset", offset), ("length", length)):
            if v is not None:
                e = t.external_data.add()
                e.key, e.value = k, str(v)
        save(name, with_init(t))
    write_bytes("weights.bin", W.tobytes() + b"\0" * 4)
    ext("ext_ok.onnx", "weights.bin", 0, 12)
    case("external_data_ok", "ext_ok.onnx", ["x_2x3.npy"], "OK", "y_2x3.npy")
    ext("ext_absolute.onnx", "/etc/passwd")
    case("external_absolute_path", "ext_absolute.onnx", [], "MODEL", "external data path '/etc/passwd' is absolute")
    ext("ext_dotdot.onnx", "sub/../../corpus/weights.bin")
    case("external_dotdot", "ext_dotdot.onnx", [], "MODEL", "leaves the model's folder")
    os.symlink("../data/npy/f4_v1_c.npy", path("link_out.bin"))
    ext("ext_symlink.onnx", "link_out.bin", 0, 12)
    case("external_symlink_out", "ext_symlink.onnx", [], "MODEL", "resolves outside the model's folder")
    ext("ext_missing.onnx", "no_such_file.bin")
    case("external_missing_file", "ext_missing.onnx", [], "IO", "external data file 'no_such_file.bin'")
    ext("ext_offset.onnx", "weights.bin", 8)
    case("external_offset_past_end", "ext_offset.onnx", [], "MODEL", "too few for 12 bytes at offset 8")
    ext("ext_length.onnx", "weights.bin", 0, 16)
    case("external_wrong_length", "ext_length.onnx", [], "MODEL", "external data length 16 does not match")
    ext("ext_bad_offset.onnx", "weights.bin", -5)
    case("external_negative_offset", "ext_bad_offset.onnx", [], "MODEL", "offset '-5' is not a non-negative integer")
    ext("ext_pipe.onnx", "pipe.bin", 0, 12)  # test_corpus puts a FIFO of that name beside a copy
    case("external_file_absent", "ext_pipe.onnx", [], "IO", "external data file 'pipe.bin': No such file or directory")
    ext("ext_dir.onnx", ".")
    case("external_folder_itself", "ext_dir.onnx", [], "MODEL", "external data file '.' resolves outside the model's folder")

    # ---- .npy inputs for ok.onnx
    xb = npy_bytes(x)
    write_bytes("bad_magic.npy", b"\x93NUMPX" + xb[6:])
    case("npy_bad_magic", "ok.onnx", ["bad_magic.npy"], "FORMAT", "not a .npy file (bad magic)")
    hdr_end = xb.index(b"\n") + 1
    bad = xb[:10] + b"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3) ]".ljust(hdr_end - 11) + b"\n" + xb[hdr_end:]
    write_bytes("bad_header.npy", bad)
    case("npy_bad_header", "ok.onnx", ["bad_header.npy"], "FORMAT", "bad .npy header")
    write_bytes("bad_hlen.npy", xb[:8] + b"\xff\xff" + xb[10:])
    case("npy_header_longer_than_file", "ok.onnx", ["bad_hlen.npy"], "FORMAT", "truncated .npy header (65535 bytes announced")
    np.save(path("big_endian.npy"), x.astype(">f4"))
    case("npy_big_endian", "ok.onnx", ["big_endian.npy"], "UNSUPPORTED", "dtype '>f4' is big-endian")
    np.save(path("fortran.npy"), np.asfortranarray(x))
    assert b"'fortran_order': True" in open(path("fortran.npy"), "rb").read()
    case("npy_fortran_order", "ok.onnx", ["fortran.npy"], "OK", "y_2x3.npy")
    np.save(path("wrong_dtype.npy"), x.astype(np.float64))
    case("npy_wrong_dtype", "ok.onnx", ["wrong_dtype.npy"], "DTYPE", "input 'x': expected dtype float32, got float64")
    np.save(path("wrong_rank.npy"), x.reshape(2, 3, 1))
    case("npy_wrong_rank", "ok.onnx", ["wrong_rank.npy"], "SHAPE", "input 'x': expected shape (batch, 3), got (2, 3, 1)")
    np.save(path("wrong_dim.npy"), np.zeros((2, 4), np.float32))
    case("npy_wrong_dim", "ok.onnx", ["wrong_dim.npy"], "SHAPE", "expected shape (batch, 3), got (2, 4)")
    write_bytes("truncated_data.npy", xb[:-4])
    case("npy_truncated_data", "ok.onnx", ["truncated_data.npy"], "FORMAT", "needs 24 data bytes, the file has 20")
    write_bytes("truncated_header.npy", xb[:30])
    case("npy_truncated_header", "ok.onnx", ["truncated_header.npy"], "FORMAT", "truncated .npy header")
    np.save(path("zero_size.npy"), np.zeros((0, 3), np.float32))
    np.save(path("y_0x3.npy"), np.zeros((0, 3), np.float32))
    case("npy_zero_size", "ok.onnx", ["zero_size.npy"], "OK", "y_0x3.npy")
    write_bytes("zero_size_huge.npy", npy_raw("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 1099511627776), }", b""))
    case("npy_zero_size_huge_dim", "ok.onnx", ["zero_size_huge.npy"], "SHAPE", "expected shape (batch, 3), got (0, 1099511627776)")
    write_bytes("empty.npy", b"")
    case("npy_empty_file", "ok.onnx", ["empty.npy"], "FORMAT", "not a .npy file (bad magic)")
    np.save(path("scalar.npy"), np.float32(1.0))
    case("npy_scalar_for_matrix", "ok.onnx", ["scalar.npy"], "SHAPE", "expected shape (batch, 3), got ()")

    # ---- FINDINGS: reproducers from the fuzzers (tools/fuzz.sh), each a case
    for name, model_file, inputs, status, expect in FINDINGS:
        case(name, model_file, inputs, status, expect)

    with open(path("MANIFEST"), "w") as f:
        f.write("# case\tmodel\tinputs\tstatus\texpect   (written by tools/gen_corpus.py)\n")
        for c in CASES:
            assert "\t" not in "".join(c)
            f.write("\t".join(c) + "\n")
    print(f"{len(CASES)} cases in {os.path.relpath(OUT)}")


# (case, model, inputs, status, expect) for fuzzer findings, whose files are kept by hand in
# tests/corpus/findings/ (copied from build-fuzz/findings/; this script leaves that folder alone).
FINDINGS = [
    # fuzz_run: a run whose every value is empty had no arena, and the session computed
    # NULL + offset (UBSan: applying zero offset to null pointer) in src/session.c
    ("finding_run_all_empty_values", "gather_oob.onnx", ["zero_size.npy"], "VALUE",
     "index 7 is out of range for an axis of size 3"),
]

if __name__ == "__main__":
    main()
