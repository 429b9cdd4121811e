#!/usr/bin/python3
"""Export the model zoo: one folder per case under models/, each with model.onnx, input_<i>.npy,
expected_<i>.npy (PyTorch's outputs) and README.md (what the model is).

Needs PyTorch and onnx from Debian (python3-torch, python3-onnx, python3-numpy); run it with
Debian's interpreter:  /usr/bin/python3 tools/export_models.py [--out models] [CASE ...]
Seeds are fixed, so a re-export gives the same weights and inputs (the .onnx bytes may differ
across PyTorch versions; the committed files are what the tests read).
"""
import argparse
import os
import sys

import numpy as np
import torch
import torch.nn as nn

CASES = {}


def case(name, description):
    def register(fn):
        CASES[name] = (description, fn)
        return fn
    return register


# ---- models from the notes (../shared/notes) ------------------------------------------------

class LoopTanh(nn.Module):
    """notes 000: the hand-written loop. Linear(16,10) on x[:, t, :], plus h, tanh, over the
    sequence; then Linear(10,5) and Sigmoid."""

    def __init__(self):
        super().__init__()
        self.layer1 = nn.Linear(16, 10)
        self.layer2 = nn.Linear(10, 5)

    def forward(self, x):
        h = 0
        for i in range(x.size(1)):
            y = self.layer1(x[:, i, :])
            y += h
            y = torch.tanh(y)
            h = y
        y = self.layer2(y)
        y = torch.sigmoid(y)
        return y


@case("loop_tanh", "hand-written RNN loop (notes 000): Linear(16,10)+h, tanh over 6 steps, "
      "Linear(10,5), Sigmoid; x (8,6,16); opset 13, dynamic batch")
def loop_tanh():
    torch.manual_seed(0)
    model = LoopTanh().eval()
    x = torch.rand(8, 6, 16)
    return dict(model=model, example=(x,), inputs=(x,), input_names=["x"], output_names=["y"],
                dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}}, opset=13)


@case("loop_tanh_op9_b3", "the same loop exported at opset 9 with batch 8, run with batch 3; "
      "x (3,6,16)")
def loop_tanh_op9_b3():
    torch.manual_seed(0)
    model = LoopTanh().eval()
    example = torch.rand(8, 6, 16)
    x = torch.rand(3, 6, 16)
    return dict(model=model, example=(example,), inputs=(x,), input_names=["x"], output_names=["y"],
                dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}}, opset=9)


# ---- the graph plumbing around recurrent layers (issue 4) -------------------------------------

class Plumbing(nn.Module):
    """The non-recurrent ops torch.onnx.export emits around a recurrent layer, for any batch and
    sequence length: zeros of a computed shape, arange over the sequence, Dropout (eval), clamp,
    where, split, max/mean/sum over axes, log_softmax, argmax, flatten, expand, repeat."""

    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(8, 6)
        self.drop = nn.Dropout(0.3)

    def forward(self, x):
        b, t = x.size(0), x.size(1)
        h = torch.zeros(b, 2)
        steps = torch.arange(t, dtype=torch.float32) + 1
        y = self.drop(self.lin(x)) * steps.view(1, t, 1) / t
        y = torch.clamp(y, -1.0, 1.0)
        y = torch.where(y > 0, y, 0.1 * y)
        a, c = torch.split(y, [2, 4], dim=2)
        m = a.max(dim=1).values + c.mean(dim=1).sum(dim=1, keepdim=True) + h
        e = x[:, :1, :2].expand(b, t, 2).sum(dim=1)
        r = x[:, :, :1].repeat(1, 1, 2).abs().sqrt().mean(dim=1)
        f = torch.flatten(y, 1).sum(dim=1, keepdim=True)
        p = torch.log_softmax(m + e - r + f, dim=-1)
        return p, p.argmax(dim=-1)


@case("plumbing", "the plumbing ops around recurrent layers: zeros(batch, 2), arange(seq), Linear, "
      "Dropout, clamp, where, split, max/mean/sum, log_softmax, argmax, flatten, expand, repeat; "
      "x (4,5,8); opset 13, dynamic batch and sequence")
def plumbing():
    torch.manual_seed(1)
    model = Plumbing().eval()
    x = torch.randn(4, 5, 8)
    return dict(model=model, example=(x,), inputs=(x,), input_names=["x"], output_names=["logp", "best"],
                dynamic_axes={"x": {0: "batch", 1: "seq"}, "logp": {0: "batch"}, "best": {0: "batch"}}, opset=13)


@case("plumbing_op11_b3s7", "the same exported at opset 11 with x (4,5,8), run with x (3,7,8)")
def plumbing_op11_b3s7():
    torch.manual_seed(1)
    model = Plumbing().eval()
    example = torch.randn(4, 5, 8)
    x = torch.randn(3, 7, 8)
    return dict(model=model, example=(example,), inputs=(x,), input_names=["x"], output_names=["logp", "best"],
                dynamic_axes={"x": {0: "batch", 1: "seq"}, "logp": {0: "batch"}, "best": {0: "batch"}}, opset=11)


# ---- export ---------------------------------------------------------------------------------

def export(name, out_root):
    description, fn = CASES[name]
    spec = fn()
    folder = os.path.join(out_root, name)
    os.makedirs(folder, exist_ok=True)
    for f in os.listdir(folder):
        if f.endswith(".npy") or f == "model.onnx":
            os.remove(os.path.join(folder, f))
    model = spec["model"]
    torch.onnx.export(model, spec["example"], os.path.join(folder, "model.onnx"),
                      opset_version=spec["opset"], input_names=spec["input_names"],
                      output_names=spec["output_names"], dynamic_axes=spec.get("dynamic_axes"),
                      do_constant_folding=True)
    with torch.no_grad():
        outs = model(*spec["inputs"])
    if isinstance(outs, torch.Tensor):
        outs = (outs,)
    for i, t in enumerate(spec["inputs"]):
        np.save(os.path.join(folder, f"input_{i}.npy"), t.detach().numpy())
    for i, t in enumerate(outs):
        np.save(os.path.join(folder, f"expected_{i}.npy"), t.detach().numpy())
    with open(os.path.join(folder, "README.md"), "w") as f:
        f.write(f"# {name}\n\n{description}. Written by tools/export_models.py "
                f"(PyTorch {torch.__version__}, opset {spec['opset']}).\n")
    print(f"{name}: {len(spec['inputs'])} input(s), {len(outs)} output(s) -> {folder}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models"))
    ap.add_argument("cases", nargs="*", help="cases to export (default: all)")
    args = ap.parse_args()
    names = args.cases or sorted(CASES)
    for n in names:
        if n not in CASES:
            sys.exit(f"unknown case {n}; known: {', '.join(sorted(CASES))}")
    for n in names:
        export(n, os.path.normpath(args.out))


if __name__ == "__main__":
    main()
