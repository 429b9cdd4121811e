"""torch_check test input: a model rnnrun refuses (torch.det exports as the ONNX op Det, which an
RNN interpreter has no business running), so torch_check must report rnnrun's message and FAIL."""
import torch
import torch.nn as nn


class Det(nn.Module):
    def forward(self, x):
        return torch.det(x)


model = Det()
example = torch.randn(2, 3, 3)
opset = 11
