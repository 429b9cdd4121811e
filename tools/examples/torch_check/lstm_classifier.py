"""torch_check example: an LSTM classifier. Two-layer LSTM(8, 16, batch_first) from given states
h0 and c0, Linear(16, 3) on the last step; outputs the class scores and the final h and c.

    /usr/bin/python3 tools/torch_check.py tools/examples/torch_check/lstm_classifier.py --opset 11
"""
import torch
import torch.nn as nn


class LSTMClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(8, 16, num_layers=2, batch_first=True)
        self.fc = nn.Linear(16, 3)

    def forward(self, x, h0, c0):
        out, (h, c) = self.lstm(x, (h0, c0))
        return self.fc(out[:, -1, :]), h, c


torch.manual_seed(0)
model = LSTMClassifier()
example = (torch.randn(3, 5, 8), torch.randn(2, 3, 16), torch.randn(2, 3, 16))
input_names = ["x", "h0", "c0"]
output_names = ["scores", "h", "c"]
dynamic_axes = {"x": {0: "batch", 1: "seq"}, "h0": {1: "batch"}, "c0": {1: "batch"},
                "scores": {0: "batch"}, "h": {1: "batch"}, "c": {1: "batch"}}
opset = 15
