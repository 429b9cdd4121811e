#!/usr/bin/python3
"""Generate tests/data/recurrent/: one folder per RNN / GRU / LSTM case (model.onnx, input_<i>.npy,
expected_<i>.npy, README.md), with expected outputs from ONNX Runtime.

The cases cover each op x direction x layout with rotating features: initial state, bias,
sequence_lens (shorter rows, a zero-length row), clip, every activation function with
activation_alpha / activation_beta (and their defaults), peepholes, input_forget,
linear_before_reset, W/R/B fed at run time, omitted outputs, odd sizes (hidden 1, input 1, one
step, batch 1), hidden_size left to be inferred, and opsets 1, 7, 14 and 22.

ONNX Runtime refuses layout = 1 and opset-1 recurrent ops, and needs hidden_size; for those cases it
runs a twin model (layout 0 with transposed inputs, opset 7, hidden_size given) and the outputs are
transposed back.

Needs Debian's python3-onnx and python3-numpy, and node with onnxruntime-node:
  /usr/bin/python3 tools/gen_recurrent_cases.py --node-path /tmp/ort/node_modules [--out DIR]
"""
import argparse
import itertools
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

GATES = {"RNN": 1, "GRU": 3, "LSTM": 4}
NACT = {"RNN": 1, "GRU": 2, "LSTM": 3}
ACTS = ["Relu", "Tanh", "Sigmoid", "Affine", "LeakyRelu", "ThresholdedRelu", "ScaledTanh", "HardSigmoid",
        "Elu", "Softsign", "Softplus"]
TAKES = {"Affine": (1, 1), "LeakyRelu": (1, 0), "ThresholdedRelu": (1, 0), "ScaledTanh": (1, 1),
         "HardSigmoid": (1, 1), "Elu": (1, 0)}
# functions whose parameters (if any) have defaults, for cases without activation_alpha/beta
DEFAULTABLE = ["Relu", "Tanh", "Sigmoid", "LeakyRelu", "HardSigmoid", "Elu", "Softsign", "Softplus"]


def build(spec, rng, twin=False):
    """(model, inputs, description) for one case; twin: the layout-0 / opset>=7 model ORT runs."""
    op, D = spec["op"], 2 if spec["direction"] == "bidirectional" else 1
    T, B, I, H, G = spec["T"], spec["B"], spec["I"], spec["H"], GATES[op]
    layout = 0 if twin else spec.get("layout", 0)
    opset = max(spec["opset"], 7) if twin else spec["opset"]
    W = rng.uniform(-0.6, 0.6, (D, G * H, I)).astype(np.float32)
    R = rng.uniform(-0.6, 0.6, (D, G * H, H)).astype(np.float32)
    Bv = rng.uniform(-0.5, 0.5, (D, 2 * G * H)).astype(np.float32)
    P = rng.uniform(-0.5, 0.5, (D, 3 * H)).astype(np.float32)
    X = rng.uniform(-1, 1, (T, B, I)).astype(np.float32)
    h0 = rng.uniform(-1, 1, (D, B, H)).astype(np.float32)
    c0 = rng.uniform(-1, 1, (D, B, H)).astype(np.float32)
    seq = np.array(spec["seq"], dtype=np.int32) if spec.get("seq") is not None else None

    def lay(a):  # (T|D, B, ...) -> layout's order
        return a.transpose(1, 0, 2) if layout else a

    names = ["X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c", "P"]
    values = {"X": lay(X), "W": W, "R": R, "B": Bv if spec.get("bias") else None,
              "sequence_lens": seq, "initial_h": lay(h0) if spec.get("h0") else None,
              "initial_c": lay(c0) if spec.get("h0") and op == "LSTM" else None,
              "P": P if spec.get("peep") else None}
    runtime = {"X", "sequence_lens", "initial_h", "initial_c"}
    if spec.get("weights_as_inputs"):
        runtime |= {"W", "R", "B", "P"}
    node_inputs, graph_inputs, inits, feeds = [], [], [], []
    last = max(i for i, n in enumerate(names) if values[n] is not None)
    for n in names[:last + 1]:
        v = values[n]
        if v is None:
            node_inputs.append("")
            continue
        node_inputs.append(n)
        dt = TensorProto.INT32 if v.dtype == np.int32 else TensorProto.FLOAT
        if n in runtime:
            graph_inputs.append(helper.make_tensor_value_info(n, dt, list(v.shape)))
            feeds.append(v)
        else:
            inits.append(numpy_helper.from_array(v, n))
    outs = ["Y", "Y_h", "Y_c"][:3 if op == "LSTM" else 2]
    keep = spec.get("outputs", outs)
    node_outputs = [o if o in keep else "" for o in outs]
    while node_outputs and node_outputs[-1] == "":
        node_outputs.pop()
    attrs = {"direction": spec["direction"]}
    if spec.get("hidden_size", True) or twin:
        attrs["hidden_size"] = H
    if spec.get("layout") and not twin:
        attrs["layout"] = 1
    if spec.get("clip") is not None:
        attrs["clip"] = spec["clip"]
    for k in ("activations", "activation_alpha", "activation_beta"):
        if spec.get(k) is not None:
            attrs[k] = spec[k]
    if op == "GRU" and spec.get("lbr") is not None:
        attrs["linear_before_reset"] = spec["lbr"]
    if op == "LSTM" and spec.get("input_forget"):
        attrs["input_forget"] = 1
    if opset < 7:
        attrs["output_sequence"] = 1
    node = helper.make_node(op, node_inputs, node_outputs, name="rec", **attrs)
    ydims = {"Y": [T, D, B, H] if layout == 0 else [B, T, D, H]}
    sdims = [D, B, H] if layout == 0 else [B, D, H]
    graph_outputs = [helper.make_tensor_value_info(o, TensorProto.FLOAT, ydims.get(o, sdims))
                     for o in node_outputs if o]
    graph = helper.make_graph([node], "rec", graph_inputs, graph_outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="rnnrun gen_recurrent_cases")
    model.ir_version = 10 if opset >= 21 else 8 if opset >= 14 else 7 if opset >= 12 else 3
    outputs_kept = [o for o in node_outputs if o]
    return model, feeds, outputs_kept


def describe(spec):
    parts = [f"{spec['op']}-{spec['opset']}", spec["direction"], f"layout {spec.get('layout', 0)}",
             f"T{spec['T']} B{spec['B']} I{spec['I']} H{spec['H']}"]
    for k, label in (("bias", "B"), ("h0", "initial state"), ("peep", "peepholes"),
                     ("input_forget", "input_forget"), ("weights_as_inputs", "W/R/B at run time")):
        if spec.get(k):
            parts.append(label)
    if spec.get("seq") is not None:
        parts.append(f"sequence_lens {spec['seq']}")
    if spec.get("clip") is not None:
        parts.append(f"clip {spec['clip']}")
    if spec.get("activations"):
        parts.append("activations " + ",".join(spec["activations"]))
    if spec.get("activation_alpha"):
        parts.append(f"alpha {spec['activation_alpha']}")
    if spec.get("activation_beta"):
        parts.append(f"beta {spec['activation_beta']}")
    if spec.get("lbr") is not None:
        parts.append(f"linear_before_reset {spec['lbr']}")
    if not spec.get("hidden_size", True):
        parts.append("hidden_size inferred from R")
    if spec.get("outputs"):
        parts.append("outputs " + ",".join(spec["outputs"]))
    return "; ".join(parts)


def specs():
    """The case list: name -> spec."""
    out = {}
    rot = itertools.cycle(ACTS)
    rot_def = itertools.cycle(DEFAULTABLE)
    prng = np.random.default_rng(1234)
    sizes = itertools.cycle([(5, 3, 4, 5), (4, 2, 3, 6), (6, 3, 5, 3), (3, 4, 2, 4)])
    for op in ("RNN", "GRU", "LSTM"):
        for direction in ("forward", "reverse", "bidirectional"):
            D = 2 if direction == "bidirectional" else 1
            for layout in (0, 1):
                for v in range(4):
                    T, B, I, H = next(sizes)
                    name = f"{op.lower()}_{direction[:3]}_l{layout}_v{v}"
                    s = dict(op=op, direction=direction, layout=layout, T=T, B=B, I=I, H=H,
                             opset=14 if layout else [7, 14, 22, 14][v])
                    if v == 1:
                        s.update(bias=True, h0=True, seq=[T, max(T - 2, 1), 1][:B] + [T] * max(0, B - 3))
                    elif v == 2:
                        acts = [next(rot) for _ in range(NACT[op] * D)]
                        al = [round(float(prng.uniform(0.1, 1.2)), 3) for a in acts if TAKES.get(a, (0, 0))[0]]
                        be = [round(float(prng.uniform(-0.5, 0.5)), 3) for a in acts if TAKES.get(a, (0, 0))[1]]
                        s.update(bias=True, activations=acts, clip=2.5, weights_as_inputs=True,
                                 peep=op == "LSTM", lbr=1 if op == "GRU" else None,
                                 activation_alpha=al or None, activation_beta=be or None,
                                 outputs=["Y", "Y_c"] if op == "LSTM" else ["Y"])
                    elif v == 3:
                        acts = [next(rot_def) for _ in range(NACT[op] * D)]
                        s.update(bias=True, h0=True, activations=acts, clip=1.5,
                                 seq=[0] + [T - 1] * (B - 2) + [T], peep=op == "LSTM",
                                 input_forget=op == "LSTM", lbr=0 if op == "GRU" else None,
                                 outputs=["Y_h", "Y_c"] if op == "LSTM" else ["Y_h"])
                    out[name] = s
        # odd sizes
        out[f"{op.lower()}_tiny_bidi"] = dict(op=op, direction="bidirectional", T=1, B=1, I=1, H=1, opset=14,
                                              bias=True, h0=True)
        out[f"{op.lower()}_h1_rev"] = dict(op=op, direction="reverse", T=3, B=2, I=7, H=1, opset=14, bias=True,
                                           seq=[2, 3])
        out[f"{op.lower()}_i1_b1_l1"] = dict(op=op, direction="forward", layout=1, T=4, B=1, I=1, H=3, opset=14,
                                             bias=True, h0=True)
        out[f"{op.lower()}_no_hidden_size"] = dict(op=op, direction="forward", T=3, B=2, I=3, H=4, opset=14,
                                                   bias=True, hidden_size=False)
        out[f"{op.lower()}_opset1"] = dict(op=op, direction="bidirectional", T=3, B=2, I=3, H=2, opset=1,
                                           bias=True, h0=True)
        out[f"{op.lower()}_opset22_bidi_l1"] = dict(op=op, direction="bidirectional", layout=1, T=4, B=3, I=2,
                                                    H=3, opset=22, bias=True, h0=True, seq=[4, 2, 3],
                                                    clip=0.8)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--out", default=os.path.join(root, "tests", "data", "recurrent"))
    ap.add_argument("--node-path", default=os.environ.get("NODE_PATH", "/tmp/ort/node_modules"))
    args = ap.parse_args()
    cases = specs()
    work = tempfile.mkdtemp(prefix="rnnrun-rec-")
    try:
        jobs = []
        for i, (name, spec) in enumerate(sorted(cases.items())):
            seed = int.from_bytes(name.encode(), "little") % (2 ** 32)
            model, feeds, outs = build(spec, np.random.default_rng(seed))
            twin, tfeeds, _ = build(spec, np.random.default_rng(seed), twin=True)
            d = os.path.join(args.out, name)
            if os.path.isdir(d):
                shutil.rmtree(d)
            os.makedirs(d)
            onnx.save(model, os.path.join(d, "model.onnx"))
            for k, f in enumerate(feeds):
                np.save(os.path.join(d, f"input_{k}.npy"), f)
            with open(os.path.join(d, "README.md"), "w") as f:
                f.write(describe(spec) + "; expected values from ONNX Runtime 1.30"
                        + (" (run on the layout-0 twin, transposed back)" if spec.get("layout") else "") + "\n")
            w = os.path.join(work, name)
            os.makedirs(w)
            onnx.save(twin, os.path.join(w, "model.onnx"))
            for k, f in enumerate(tfeeds):
                np.save(os.path.join(w, f"input_{k}.npy"), f)
            jobs.append((name, spec, outs, d, w))
        env = dict(os.environ, NODE_PATH=args.node_path)
        subprocess.run(["node", os.path.join(root, "tools", "ort_run.js")] + [j[4] for j in jobs], check=True, env=env)
        for name, spec, outs, d, w in jobs:
            for k, o in enumerate(outs):
                y = np.load(os.path.join(w, f"ort_{k}.npy"))
                if spec.get("layout"):
                    y = y.transpose(2, 0, 1, 3) if o == "Y" else y.transpose(1, 0, 2)
                np.save(os.path.join(d, f"expected_{k}.npy"), np.ascontiguousarray(y))
        print(f"{len(jobs)} cases written to {args.out}")
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    sys.exit(main())
