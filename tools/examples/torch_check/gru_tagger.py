"""torch_check example: a GRU sequence tagger. GRU(12, 24, batch_first) from a given initial
state, then Linear(24, 6) on every step; outputs the per-step scores and the final state.

    /usr/bin/python3 tools/torch_check.py tools/examples/torch_check/gru_tagger.py
"""
import torch
import torch.nn as nn


class GRUTagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(12, 24, batch_first=True)
        self.head = nn.Linear(24, 6)

    def forward(self, x, h0):
        y, h = self.gru(x, h0)
        return self.head(y), h


torch.manual_seed(0)
model = GRUTagger()
example = (torch.randn(4, 9, 12), torch.randn(1, 4, 24))      # x (batch, seq, 12), h0 (1, batch, 24)
input_names = ["x", "h0"]
output_names = ["scores", "h"]
dynamic_axes = {"x": {0: "batch", 1: "seq"}, "h0": {1: "batch"},
                "scores": {0: "batch", 1: "seq"}, "h": {1: "batch"}}
opset = 14
