#!/usr/bin/python3
"""Generate tests/data/torch/: PyTorch exports of nn.RNN, nn.GRU and nn.LSTM (batch_first True and
False, 1 to 3 layers, bidirectional, bias=False, nonlinearity='relu', with and without initial
state) at opsets 9, 11, 13, 14 and 17, with expected outputs from PyTorch. Batch and sequence axes
are dynamic, and every case is run at a batch and length other than the export's.

Needs Debian's python3-torch, python3-onnx, python3-numpy:
  /usr/bin/python3 tools/gen_torch_recurrent.py [--out DIR]
"""
import argparse
import io
import os
import shutil
import sys

import numpy as np
import torch
import torch.nn as nn


class Wrap(nn.Module):
    """Returns every output flat: y, h (, c)."""

    def __init__(self, rnn, with_state):
        super().__init__()
        self.rnn, self.with_state = rnn, with_state

    def forward(self, x, *state):
        if self.with_state:
            st = state[0] if len(state) == 1 else (state[0], state[1])
            y, h = self.rnn(x, st)
        else:
            y, h = self.rnn(x)
        return (y,) + (tuple(h) if isinstance(h, tuple) else (h,))


# name: (class, kwargs, with initial state, opsets)
CASES = {
    "rnn_tanh": (nn.RNN, dict(input_size=5, hidden_size=7), True, [9, 13, 17]),
    "rnn_relu_l2_bf": (nn.RNN, dict(input_size=4, hidden_size=6, num_layers=2, nonlinearity="relu",
                                    batch_first=True), False, [11, 14]),
    "rnn_bidi_l3_nobias": (nn.RNN, dict(input_size=3, hidden_size=5, num_layers=3, bidirectional=True,
                                        bias=False), True, [9, 14]),
    "gru_l1_bf": (nn.GRU, dict(input_size=6, hidden_size=8, batch_first=True), True, [9, 13, 17]),
    "gru_bidi_l2": (nn.GRU, dict(input_size=4, hidden_size=5, num_layers=2, bidirectional=True), False,
                    [11, 14]),
    "gru_l3_nobias_bf": (nn.GRU, dict(input_size=3, hidden_size=4, num_layers=3, bias=False,
                                      batch_first=True), False, [13, 17]),
    "lstm_l1": (nn.LSTM, dict(input_size=5, hidden_size=6), False, [9, 14, 17]),
    "lstm_bidi_bf": (nn.LSTM, dict(input_size=4, hidden_size=5, bidirectional=True, batch_first=True), True,
                     [11, 13]),
    "lstm_l3_nobias": (nn.LSTM, dict(input_size=3, hidden_size=4, num_layers=3, bias=False), True, [9, 17]),
    "lstm_bidi_l2_bf": (nn.LSTM, dict(input_size=6, hidden_size=3, num_layers=2, bidirectional=True,
                                      batch_first=True), False, [14]),
}


def export(name, cls, kw, with_state, opset, out_dir, seed):
    torch.manual_seed(seed)
    rnn = cls(**kw).eval()
    model = Wrap(rnn, with_state).eval()
    bf = kw.get("batch_first", False)
    layers, D, H = kw.get("num_layers", 1), 2 if kw.get("bidirectional") else 1, kw["hidden_size"]

    def make(batch, steps):
        x = torch.randn((batch, steps, kw["input_size"]) if bf else (steps, batch, kw["input_size"]))
        st = ()
        if with_state:
            st = (torch.randn(layers * D, batch, H),)
            if cls is nn.LSTM:
                st += (torch.randn(layers * D, batch, H),)
        return (x,) + st

    example, run = make(3, 5), make(2, 7)
    in_names = ["x", "h0", "c0"][:len(example)]
    n_out = 3 if cls is nn.LSTM else 2
    out_names = ["y", "h", "c"][:n_out]
    axes = {"x": {0: "batch", 1: "seq"} if bf else {0: "seq", 1: "batch"}}
    for n in in_names[1:] + out_names[1:]:
        axes[n] = {1: "batch"}
    axes["y"] = {0: "batch", 1: "seq"} if bf else {0: "seq", 1: "batch"}
    buf = io.BytesIO()
    torch.onnx.export(model, example, buf, opset_version=opset, input_names=in_names, output_names=out_names,
                      dynamic_axes=axes)
    with torch.no_grad():
        expected = model(*run)
    d = os.path.join(out_dir, f"{name}_op{opset}")
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    with open(os.path.join(d, "model.onnx"), "wb") as f:
        f.write(buf.getvalue())
    for i, t in enumerate(run):
        np.save(os.path.join(d, f"input_{i}.npy"), t.numpy())
    for i, t in enumerate(expected):
        np.save(os.path.join(d, f"expected_{i}.npy"), t.numpy())
    args = ", ".join(f"{k}={v!r}" for k, v in kw.items())
    with open(os.path.join(d, "README.md"), "w") as f:
        f.write(f"nn.{cls.__name__}({args}){' with initial state' if with_state else ''}, exported at opset "
                f"{opset} with batch 3 and length 5 (dynamic axes), run at batch 2 and length 7; expected "
                f"values from PyTorch {torch.__version__}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--out", default=os.path.join(root, "tests", "data", "torch"))
    args = ap.parse_args()
    n = 0
    for k, (name, (cls, kw, st, opsets)) in enumerate(sorted(CASES.items())):
        for opset in opsets:
            export(name, cls, kw, st, opset, args.out, seed=100 + k)
            n += 1
    print(f"{n} cases written to {args.out}")


if __name__ == "__main__":
    sys.exit(main())
