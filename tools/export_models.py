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
import onnx
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
      "Linear(10,5), Sigmoid")
def loop_tanh():
    torch.manual_seed(0)
    model = LoopTanh().eval()
    x = torch.rand(8, 6, 16)
    # run at the notes' shape (the CI's first command runs it); loop_tanh_op9_b3 runs another batch
    return dict(model=model, example=(x,), inputs=(x,), input_names=["x"], output_names=["y"],
                dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}}, opset=13, same_shape_ok=True)


@case("loop_tanh_op9_b3", "the same loop (notes 000) exported at opset 9")
def loop_tanh_op9_b3():
    torch.manual_seed(0)
    model = LoopTanh().eval()
    example = torch.rand(8, 6, 16)
    x = torch.rand(3, 6, 16)
    return dict(model=model, example=(example,), inputs=(x,), input_names=["x"], output_names=["y"],
                dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}}, opset=9)


# ---- notes 000: nn.RNN, bidirectional, many-to-many, one-to-many, encoder-decoder -------------

def _bf_axes(names_batch_seq=(), names_state=(), names_bs_seq=()):
    """dynamic_axes: batch-first tensors (batch, seq, ...), states (layers, batch, ...),
    sequence-first tensors (seq, batch, ...)."""
    d = {}
    for n in names_batch_seq:
        d[n] = {0: "batch", 1: "seq"}
    for n in names_state:
        d[n] = {1: "batch"}
    for n in names_bs_seq:
        d[n] = {0: "seq", 1: "batch"}
    return d


@case("rnn_h0_batch_first", "nn.RNN(33, 64, batch_first=True) with h0 given; outputs y and h "
      "(notes 000, nn.RNN)")
def rnn_h0_batch_first():
    torch.manual_seed(1)
    rnn = nn.RNN(input_size=33, hidden_size=64, batch_first=True).eval()
    ex = (torch.randn(8, 3, 33), torch.randn(1, 8, 64))
    run = (torch.randn(5, 7, 33), torch.randn(1, 5, 64))
    return dict(model=rnn, example=ex, inputs=run, input_names=["x", "h0"], output_names=["y", "h"],
                dynamic_axes=_bf_axes(["x", "y"], ["h0", "h"]), opset=14)


@case("rnn_bidir_seq_first", "nn.RNN(300, 16, bidirectional=True), sequence-first; outputs "
      "y (seq, batch, 32) and h (2, batch, 16) (notes 000, bidirectional)")
def rnn_bidir_seq_first():
    torch.manual_seed(2)
    rnn = nn.RNN(input_size=300, hidden_size=16, bidirectional=True).eval()
    return dict(model=rnn, example=(torch.randn(8, 3, 300),), inputs=(torch.randn(6, 2, 300),),
                input_names=["x"], output_names=["y", "h"],
                dynamic_axes=_bf_axes(names_bs_seq=["x", "y"], names_state=["h"]), opset=10)


class BidirCatLinear(nn.Module):
    """notes 000: bidirectional RNN(32,12); cat(h[0], h[1]) -> Linear(24,5)."""

    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(32, 12, batch_first=True, bidirectional=True)
        self.linear = nn.Linear(24, 5, bias=True)

    def forward(self, x):
        _, h = self.rnn(x)
        hh = torch.cat((h[0], h[1]), dim=1)
        return self.linear(hh)


@case("bidir_cat_linear", "bidirectional RNN(32,12) -> cat(h[0], h[1]) -> Linear(24,5) "
      "(notes 000, forward and backward context)")
def bidir_cat_linear():
    torch.manual_seed(3)
    return dict(model=BidirCatLinear().eval(), example=(torch.rand(8, 12, 32),),
                inputs=(torch.rand(3, 9, 32),), input_names=["x"], output_names=["y"],
                dynamic_axes={"x": {0: "batch", 1: "seq"}, "y": {0: "batch"}}, opset=11)


class OutputModule(nn.Module):
    """notes 000: Linear(8,2, no bias) on each step h[:, i, :], concatenated over the steps."""

    def __init__(self):
        super().__init__()
        self.layer = nn.Linear(8, 2, bias=False)

    def forward(self, x):
        h, _ = x
        return torch.cat([self.layer(h[:, i, :].unsqueeze(1)) for i in range(h.size(1))], dim=1)


@case("bidir_many_to_many", "many-to-many: bidirectional RNN(5,4) and Linear(8,2, no bias) on "
      "each step, concatenated (notes 000); the Python loop over the steps is unrolled, so only "
      "the batch is dynamic")
def bidir_many_to_many():
    torch.manual_seed(4)
    model = nn.Sequential(nn.RNN(5, 4, batch_first=True, bidirectional=True), OutputModule()).eval()
    return dict(model=model, example=(torch.rand(4, 64, 5),), inputs=(torch.rand(2, 64, 5),),
                input_names=["x"], output_names=["y"],
                dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}}, opset=12)


class OneToMany(nn.Module):
    """notes 000: bidirectional RNN(5,7) over X, Linear(14,2) on every step."""

    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(5, 7, batch_first=True, bidirectional=True)
        self.linear = nn.Linear(14, 2)

    def forward(self, x):
        h, y = self.rnn(x)
        return self.linear(h)


def _first_step(x, steps):
    """the notes' X: a zero sequence whose first step is x (batch, d)."""
    X = torch.zeros(x.size(0), steps, x.size(1))
    X[:, 0, :] = x
    return X


@case("one_to_many", "one-to-many: bidirectional RNN(5,7) over a 12-step zero sequence whose "
      "first step is x (4,5), Linear(14,2) on every step (notes 000; the sequence X is built "
      "outside the model, as in the notes)")
def one_to_many():
    torch.manual_seed(5)
    return dict(model=OneToMany().eval(), example=(_first_step(torch.rand(4, 5), 12),),
                inputs=(_first_step(torch.rand(3, 5), 16),), input_names=["X"], output_names=["y"],
                dynamic_axes={"X": {0: "batch", 1: "seq"}, "y": {0: "batch", 1: "seq"}}, opset=13)


class EncoderDecoder(nn.Module):
    """notes 000: many-to-one then one-to-many. Bidirectional RNN(5,9) -> cat of the final
    states -> first step of a (2, 25, 18) zero sequence -> RNN(18,32) -> Linear(32,3)."""

    def __init__(self):
        super().__init__()
        self.brnn = nn.RNN(5, 9, bidirectional=True, batch_first=True)
        self.rnn = nn.RNN(18, 32, batch_first=True)
        self.linear = nn.Linear(32, 3, bias=True)

    def forward(self, x):
        _, y = self.brnn(x)
        output_1 = torch.cat([y[0, :, :].squeeze(1), y[1, :, :].squeeze(1)], dim=1)
        input_2 = torch.zeros(2, 25, 18)
        input_2[:, 0, :] = output_1
        h, _ = self.rnn(input_2)
        return self.linear(h)


@case("encoder_decoder", "encoder-decoder: bidirectional RNN(5,9) -> cat of final states -> "
      "first step of a 25-step zero sequence -> RNN(18,32) -> Linear(32,3) (notes 000); the "
      "notes fix the batch at 2 (torch.zeros(2, 25, 18)), so only the length is dynamic")
def encoder_decoder():
    torch.manual_seed(6)
    return dict(model=EncoderDecoder().eval(), example=(torch.rand(2, 12, 5),),
                inputs=(torch.rand(2, 7, 5),), input_names=["x"], output_names=["y"],
                dynamic_axes={"x": {1: "seq"}}, opset=15)


# ---- notes 001: many-to-one, many-to-many, autoregressive series, forecaster, char models ----

class GetOutput(nn.Module):
    def forward(self, x):
        _, h = x
        return h


class OutputToLinear(nn.Module):
    def forward(self, x):
        return x[1][1]


class MtmOutput(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.Linear(25, 10, True)
        self.act = nn.ReLU(inplace=True)

    def forward(self, x):
        return self.layer(self.act(x[0]))


@case("mto_relu", "many-to-one: RNN(10,15) -> h -> ReLU -> Linear(15,5) (notes 001, mto)")
def mto_relu():
    torch.manual_seed(7)
    model = nn.Sequential(nn.RNN(10, 15, batch_first=True), GetOutput(), nn.ReLU(inplace=True),
                          nn.Linear(15, 5, bias=True)).eval()
    return dict(model=model, example=(torch.rand(4, 8, 10),), inputs=(torch.rand(3, 11, 10),),
                input_names=["x"], output_names=["y"],
                dynamic_axes={"x": {0: "batch", 1: "seq"}, "y": {1: "batch"}}, opset=9)


@case("mto_two_layers", "many-to-one, two layers: RNN(5,25, num_layers=2) -> h[1] -> ReLU -> "
      "Linear(25,5) (notes 001, mto)")
def mto_two_layers():
    torch.manual_seed(8)
    model = nn.Sequential(nn.RNN(5, 25, batch_first=True, num_layers=2), OutputToLinear(),
                          nn.ReLU(inplace=True), nn.Linear(25, 5, bias=True)).eval()
    return dict(model=model, example=(torch.rand(18, 21, 5),), inputs=(torch.rand(7, 13, 5),),
                input_names=["x"], output_names=["y"],
                dynamic_axes={"x": {0: "batch", 1: "seq"}, "y": {0: "batch"}}, opset=16)


@case("mtm_relu", "many-to-many: RNN(15,25) -> ReLU -> Linear(25,10) on every step "
      "(notes 001, mtm)")
def mtm_relu():
    torch.manual_seed(9)
    model = nn.Sequential(nn.RNN(15, 25, batch_first=True), MtmOutput()).eval()
    return dict(model=model, example=(torch.rand(7, 5, 15),), inputs=(torch.rand(4, 9, 15),),
                input_names=["x"], output_names=["y"],
                dynamic_axes={"x": {0: "batch", 1: "seq"}, "y": {0: "batch", 1: "seq"}}, opset=17)


@case("ar1_series", "x[t] = tanh(r x[t-1] + s noise[t]): nn.RNN(1,1, bias=False) with "
      "weight_hh = r = 0.9, weight_ih = s = sigma sqrt(1 - r^2), sigma = 0.1; inputs noise and x0; "
      "outputs x and the final state (notes 001, one-dimensional formula)")
def ar1_series():
    torch.manual_seed(10)
    sigma, r = 0.1, 0.9
    sigma_noise = sigma * (1 - r * r) ** 0.5
    model = nn.RNN(1, 1, bias=False)
    model.weight_hh_l0.data = torch.tensor([[r]])
    model.weight_ih_l0.data = torch.tensor([[sigma_noise]])
    model.eval()
    ex = (torch.randn((20, 1, 1)), torch.randn((1, 1, 1)) * sigma)
    run = (torch.randn((100, 1, 1)), torch.randn((1, 1, 1)) * sigma)
    return dict(model=model, example=ex, inputs=run, input_names=["noise", "x0"],
                output_names=["x", "h"], dynamic_axes={"noise": {0: "seq"}, "x": {0: "seq"}},
                opset=10)


@case("ar2_series", "the two-dimensional form: nn.RNN(2,2, bias=False), diagonal weight_hh "
      "(rx, ry) = (0.9, 0.99), diagonal weight_ih sigma_noise for sigma (0.1, 0.15); inputs noise "
      "and h0; outputs x and the final state (notes 001, two-dimensional formula)")
def ar2_series():
    torch.manual_seed(11)
    sigma_x, sigma_y = 0.1, 0.15
    rx, ry = 0.9, 0.99
    snx = sigma_x * (1 - rx * rx) ** 0.5
    sny = sigma_y * (1 - ry * ry) ** 0.5
    model = nn.RNN(2, 2, bias=False)
    model.weight_hh_l0.data = torch.tensor([[rx, 0], [0, ry]])
    model.weight_ih_l0.data = torch.tensor([[snx, 0], [0, sny]])
    model.eval()
    scale = torch.tensor([snx, sny])
    ex = (torch.randn((30, 1, 2)), torch.randn((1, 1, 2)) * scale)
    run = (torch.randn((100, 1, 2)), torch.randn((1, 1, 2)) * scale)
    return dict(model=model, example=ex, inputs=run, input_names=["noise", "h0"],
                output_names=["x", "h"], dynamic_axes={"noise": {0: "seq"}, "x": {0: "seq"}},
                opset=12)


class Forecaster(nn.Module):
    """notes 001: series forecaster, RNN(1,5) -> Linear(5,1) on the final state."""

    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(input_size=1, hidden_size=5, batch_first=True)
        self.out = nn.Linear(in_features=5, out_features=1, bias=True)

    def forward(self, x):
        _, ht = self.rnn(x)
        return self.out(ht)


def _series_windows(n, start, seq_length=10):
    """windows of the notes' series y = cos(x) + 0.5 sin(5x) + noise, shape (n, seq_length, 1)"""
    x = torch.linspace(-20, 20, 2000)
    y = torch.cos(x) + 0.5 * torch.sin(5 * x) + 0.1 * torch.randn_like(x)
    return torch.stack([y[i:i + seq_length] for i in range(start, start + n)]).unsqueeze(2)


@case("forecaster", "series forecaster: RNN(1,5) -> Linear(5,1) on the final state; x are "
      "windows of the notes' cos + sin series (notes 001, training on a function; untrained weights)")
def forecaster():
    torch.manual_seed(12)
    return dict(model=Forecaster().eval(), example=(_series_windows(8, 0),),
                inputs=(_series_windows(5, 1200, 14),), input_names=["x"], output_names=["y"],
                dynamic_axes={"x": {0: "batch", 1: "seq"}, "y": {1: "batch"}}, opset=11)


class TextRNN64(nn.Module):
    """notes 001: character model, RNN(V,64) -> Linear(64,V) on the final state."""

    def __init__(self, in_features, out_features):
        super().__init__()
        self.hidden_size = 64
        self.rnn = nn.RNN(in_features, self.hidden_size, batch_first=True)
        self.out = nn.Linear(self.hidden_size, out_features)

    def forward(self, x):
        x, h = self.rnn(x)
        y = self.out(h)
        return y


class TextRNN32(nn.Module):
    """notes 001: the same with 32 hidden units."""

    def __init__(self, features):
        super().__init__()
        self.rnn = nn.RNN(features, 32, batch_first=True)
        self.out = nn.Linear(32, features)

    def forward(self, x):
        return self.out(self.rnn(x)[1])


def _onehot_windows(text, starts, prev_chars=10):
    """one-hot windows of prev_chars characters of text, over its sorted alphabet: (n, prev, V)"""
    alphabet = sorted(set(text))
    onehots = torch.eye(len(alphabet))
    idx = [alphabet.index(ch) for ch in text]
    return torch.stack([onehots[idx[s:s + prev_chars]] for s in starts]), len(alphabet)


_PUSHKIN = "мой дядя самых честных правил, когда не в шутку занемог, он уважать себя заставил."
_NS_TEXT = ("как я отмечал во введении, простейшая нс – персептрон, представляет собой ... "
            "это классический пример полносвязной сети ... "
            "каждая связь между нейронами имеет определенный ...")


@case("char_rnn64", "character model: RNN(V,64) -> Linear(64,V) on the final state, V = 29 "
      "(the alphabet of a Pushkin line); one-hot windows of 10 characters (notes 001, text file)")
def char_rnn64():
    torch.manual_seed(13)
    ex, v = _onehot_windows(_PUSHKIN, range(8))
    x, _ = _onehot_windows(_PUSHKIN, [len(_PUSHKIN) - 10])
    return dict(model=TextRNN64(v, v).eval(), example=(ex,), inputs=(x,), input_names=["x"],
                output_names=["y"], dynamic_axes={"x": {0: "batch", 1: "seq"}, "y": {1: "batch"}},
                opset=13)


@case("char_rnn32", "character model with 32 hidden units: RNN(V,32) -> Linear(32,V) on the "
      "final state, V = the alphabet of the notes' three sentences; one-hot windows of 10 "
      "characters (notes 001, 20-character forecast)")
def char_rnn32():
    torch.manual_seed(14)
    ex, v = _onehot_windows(_NS_TEXT, range(0, 80, 10))
    x, _ = _onehot_windows(_NS_TEXT, [3, 40])
    return dict(model=TextRNN32(v).eval(), example=(ex,), inputs=(x,), input_names=["x"],
                output_names=["y"], dynamic_axes={"x": {0: "batch"}, "y": {1: "batch"}}, opset=15)


# ---- notes 003: RNN (relu, zero h0), RNNCell stack, LSTM, GRU --------------------------------

class RNNModel(nn.Module):
    """notes 003: RNN(10,20, 2 layers, relu) with a zero h0 built in forward -> Linear(20,5) on
    out[:, -1, :] (the notes' print(hn.shape) is left out)."""

    def __init__(self, input_dim, hidden_dim, layer_dim, output_dim):
        super().__init__()
        self.hidden_dim = hidden_dim
        self.layer_dim = layer_dim
        self.rnn = nn.RNN(input_dim, hidden_dim, layer_dim, batch_first=True, nonlinearity='relu')
        self.fc = nn.Linear(hidden_dim, output_dim)

    def forward(self, x):
        h0 = torch.zeros(self.layer_dim, x.size(0), self.hidden_dim)
        out, hn = self.rnn(x, h0)
        return self.fc(out[:, -1, :])


class MultiLayerRNN(nn.Module):
    """notes 003: a stack of RNNCells unrolled over the sequence -> Linear on the last state."""

    def __init__(self, input_dim, hidden_dim, num_layers, output_dim):
        super().__init__()
        self.hidden_dim = hidden_dim
        self.num_layers = num_layers
        self.rnn_cells = nn.ModuleList([nn.RNNCell(input_dim, hidden_dim)] +
                                       [nn.RNNCell(hidden_dim, hidden_dim) for _ in range(num_layers - 1)])
        self.fc = nn.Linear(hidden_dim, output_dim)

    def forward(self, x):
        batch_size = x.size(0)
        seq_length = x.size(1)
        hidden_states = [torch.zeros(batch_size, self.hidden_dim).to(x.device) for _ in range(self.num_layers)]
        for seq in range(seq_length):
            xt = x[:, seq, :]
            for layer in range(self.num_layers):
                hidden_states[layer] = self.rnn_cells[layer](xt, hidden_states[layer])
                xt = hidden_states[layer]
        return self.fc(hidden_states[-1])


class LSTMModel(nn.Module):
    """notes 003: LSTM(10,20, 2 layers) with zero h0, c0 -> Linear(20,5) on the last step."""

    def __init__(self, input_dim, hidden_dim, layer_dim, output_dim):
        super().__init__()
        self.hidden_dim = hidden_dim
        self.layer_dim = layer_dim
        self.lstm = nn.LSTM(input_dim, hidden_dim, layer_dim, batch_first=True)
        self.fc = nn.Linear(hidden_dim, output_dim)

    def forward(self, x):
        h0 = torch.zeros(self.layer_dim, x.size(0), self.hidden_dim).to(x.device)
        c0 = torch.zeros(self.layer_dim, x.size(0), self.hidden_dim).to(x.device)
        out, _ = self.lstm(x, (h0, c0))
        return self.fc(out[:, -1, :])


class GRUModel(nn.Module):
    """notes 003: GRU(10,20, 2 layers) with zero h0 -> Linear(20,5) on the last step."""

    def __init__(self, input_dim, hidden_dim, layer_dim, output_dim):
        super().__init__()
        self.hidden_dim = hidden_dim
        self.layer_dim = layer_dim
        self.gru = nn.GRU(input_dim, hidden_dim, layer_dim, batch_first=True)
        self.fc = nn.Linear(hidden_dim, output_dim)

    def forward(self, x):
        h0 = torch.zeros(self.layer_dim, x.size(0), self.hidden_dim).to(x.device)
        out, _ = self.gru(x, h0)
        return self.fc(out[:, -1, :])


def _notes003(cls, seed, opset, seq_dynamic=True):
    torch.manual_seed(seed)
    model = cls(10, 20, 2, 5).eval()
    axes = {0: "batch", 1: "seq"} if seq_dynamic else {0: "batch"}
    run = torch.randn(2, 6 if seq_dynamic else 4, 10)
    return dict(model=model, example=(torch.randn(3, 4, 10),), inputs=(run,), input_names=["x"],
                output_names=["y"], dynamic_axes={"x": axes, "y": {0: "batch"}}, opset=opset)


@case("rnn_relu_zero_h0", "RNN(10,20, 2 layers, relu) with torch.zeros h0 built in forward -> "
      "Linear(20,5) on out[:, -1, :] (notes 003, RNN)")
def rnn_relu_zero_h0():
    return _notes003(RNNModel, 15, 14)


@case("rnncell_stack", "two RNNCells (10->20, 20->20) unrolled over the sequence with zero "
      "states -> Linear(20,5) (notes 003, RNNCell); the loop is unrolled, so only the batch is "
      "dynamic")
def rnncell_stack():
    return _notes003(MultiLayerRNN, 16, 13, seq_dynamic=False)


@case("lstm_two_layers", "LSTM(10,20, 2 layers) with zero h0, c0 -> Linear(20,5) on the last "
      "step (notes 003, LSTM)")
def lstm_two_layers():
    return _notes003(LSTMModel, 17, 15)


@case("gru_two_layers", "GRU(10,20, 2 layers) with zero h0 -> Linear(20,5) on the last step "
      "(notes 003, GRU)")
def gru_two_layers():
    return _notes003(GRUModel, 18, 17)


# ---- notes 002 and 004: the nn.RNN examples -------------------------------------------------

@case("rnn_two_layers_h0", "nn.RNN(10,20,2) sequence-first with h0; outputs output and hn "
      "(notes 002, the PyTorch documentation's example)")
def rnn_two_layers_h0():
    torch.manual_seed(19)
    rnn = nn.RNN(10, 20, 2).eval()
    ex = (torch.randn(5, 3, 10), torch.randn(2, 3, 20))
    run = (torch.randn(8, 2, 10), torch.randn(2, 2, 20))
    return dict(model=rnn, example=ex, inputs=run, input_names=["input", "h0"],
                output_names=["output", "hn"],
                dynamic_axes=_bf_axes(names_bs_seq=["input", "output"], names_state=["h0", "hn"]),
                opset=9)


@case("rnn_4_3", "nn.RNN(4,3) batch_first, single layer; outputs output and h_n (notes 002 "
      "and 004, one-directional single layer)")
def rnn_4_3():
    torch.manual_seed(20)
    rnn = nn.RNN(4, 3, num_layers=1, batch_first=True).eval()
    return dict(model=rnn, example=(torch.randn(1, 5, 4),), inputs=(torch.randn(2, 7, 4),),
                input_names=["input"], output_names=["output", "h_n"],
                dynamic_axes=_bf_axes(["input", "output"], ["h_n"]), opset=16)


@case("rnn_4_3_bidir", "its bidirectional twin, nn.RNN(4,3, bidirectional=True) batch_first; "
      "outputs output (batch, seq, 6) and h_n (2, batch, 3) (notes 002 and 004)")
def rnn_4_3_bidir():
    torch.manual_seed(21)
    rnn = nn.RNN(4, 3, num_layers=1, batch_first=True, bidirectional=True).eval()
    return dict(model=rnn, example=(torch.randn(1, 5, 4),), inputs=(torch.randn(3, 4, 4),),
                input_names=["input"], output_names=["output", "h_n"],
                dynamic_axes=_bf_axes(["input", "output"], ["h_n"]), opset=12)


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
    onnx.checker.check_model(onnx.load(os.path.join(folder, "model.onnx")), full_check=True)
    with torch.no_grad():
        outs = model(*spec["inputs"])
    if isinstance(outs, torch.Tensor):
        outs = (outs,)
    for i, t in enumerate(spec["inputs"]):
        np.save(os.path.join(folder, f"input_{i}.npy"), t.detach().numpy())
    for i, t in enumerate(outs):
        np.save(os.path.join(folder, f"expected_{i}.npy"), t.detach().numpy())
    ops = sorted({n.op_type for n in onnx.load(os.path.join(folder, "model.onnx")).graph.node})
    with open(os.path.join(folder, "README.md"), "w") as f:
        f.write(f"# {name}\n\n{description}. {shapes_line(spec)} Written by tools/export_models.py "
                f"(PyTorch {torch.__version__}, opset {spec['opset']}); ONNX ops: {', '.join(ops)}.\n")
    print(f"{name}: {len(spec['inputs'])} input(s), {len(outs)} output(s) -> {folder}; ops {' '.join(ops)}")


def _shape(t):
    return "(" + ",".join(str(d) for d in t.shape) + ")"


def shapes_line(spec):
    """'Opset N; dynamic axes ...; exported with ..., run with ...' for the README line. A case with
    dynamic axes must be run at another shape than it was exported with (else it proves nothing)."""
    names = spec["input_names"]
    axes = spec.get("dynamic_axes") or {}
    dyn = "; ".join(f"{n} {{{', '.join(f'{a}: {v}' for a, v in ax.items())}}}" for n, ax in axes.items())
    ex = ", ".join(f"{n} {_shape(t)}" for n, t in zip(names, spec["example"]))
    run = ", ".join(f"{n} {_shape(t)}" for n, t in zip(names, spec["inputs"]))
    line = f"Opset {spec['opset']}; dynamic axes: {dyn if dyn else 'none'}. "
    if ex == run:
        if dyn and not spec.get("same_shape_ok"):
            raise SystemExit(f"a case with dynamic axes must be run at another shape than {ex}")
        return line + f"Inputs {run}."
    return line + f"Exported with {ex}; run with {run}."


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
