#!/usr/bin/python3
"""Train a small character model and export it for tools/examples/char_gen.c.

    one-hot x (B, T, V) -> nn.RNN(V, 64, batch_first) -> nn.Linear(64, V) -> logits (B, T, V)
    h0 (1, B, 64) is the initial state; h (1, B, 64) the final one.

Text: tools/data/pride_and_prejudice_ch1.txt (Jane Austen, Pride and Prejudice, 1813, chapter 1;
public domain). The vocabulary is every distinct byte of the text, sorted (the text is ASCII).

Writes into OUT (default models/char_rnn):
    model.onnx     torch.onnx.export, opset 14, dynamic batch and sequence axes
    vocab.txt      the V symbols in index order, concatenated, no trailing newline (symbol i is
                   byte i of the file; '\\n' is one of them)
    input_0.npy    x  (2, 12, V) float32 one-hot of two slices of the text
    input_1.npy    h0 (1, 2, 64) float32, small random values
    expected_0.npy logits (2, 12, V) from PyTorch
    expected_1.npy h (1, 2, 64) from PyTorch
    greedy.txt     PROMPT followed by N greedily generated characters: the prompt is fed one
                   character at a time from h0 = 0 carrying h, then each argmax is appended and
                   fed back (what char_gen prints for the same PROMPT and N)
    README.md      what the model is

Run with Debian's PyTorch:  /usr/bin/python3 tools/train_char.py [--steps 1500] [--out DIR]
Seeds are fixed and training runs on one CPU thread, so a rerun gives the same weights.
"""
import argparse
import os
import time

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TEXT = os.path.join(HERE, "data", "pride_and_prejudice_ch1.txt")
HIDDEN = 64
PROMPT = "It is a truth "
N_GEN = 120


class CharRNN(nn.Module):
    def __init__(self, v, hidden=HIDDEN):
        super().__init__()
        self.rnn = nn.RNN(v, hidden, batch_first=True)
        self.head = nn.Linear(hidden, v)

    def forward(self, x, h0):
        y, h = self.rnn(x, h0)      # y (B, T, H), h (1, B, H)
        return self.head(y), h      # logits (B, T, V)


def one_hot(ids, v):
    return torch.nn.functional.one_hot(torch.as_tensor(ids), v).float()


def greedy(model, vocab, prompt, n):
    """Stream the prompt one symbol at a time, then append n argmax symbols."""
    idx = {c: i for i, c in enumerate(vocab)}
    v = len(vocab)
    h = torch.zeros(1, 1, HIDDEN)
    out = prompt
    logits = None
    with torch.no_grad():
        for c in prompt:
            logits, h = model(one_hot([[idx[c]]], v), h)
        for _ in range(n):
            nxt = int(torch.argmax(logits[0, -1]))
            out += vocab[nxt]
            logits, h = model(one_hot([[nxt]], v), h)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "models", "char_rnn"))
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--seq", type=int, default=64)
    ap.add_argument("--batch", type=int, default=32)
    args = ap.parse_args()

    torch.manual_seed(0)
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    with open(TEXT, "rb") as f:
        raw = f.read()
    assert all(b < 128 for b in raw), "the text must be ASCII"
    text = raw.decode("ascii")
    vocab = "".join(sorted(set(text)))
    v = len(vocab)
    idx = {c: i for i, c in enumerate(vocab)}
    data = np.array([idx[c] for c in text], dtype=np.int64)

    model = CharRNN(v)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.CrossEntropyLoss()
    t0 = time.time()
    for step in range(1, args.steps + 1):
        starts = rng.integers(0, len(data) - args.seq - 1, size=args.batch)
        xs = np.stack([data[s:s + args.seq] for s in starts])
        ys = np.stack([data[s + 1:s + args.seq + 1] for s in starts])
        logits, _ = model(one_hot(xs, v), torch.zeros(1, args.batch, HIDDEN))
        loss = loss_fn(logits.reshape(-1, v), torch.as_tensor(ys).reshape(-1))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % 100 == 0 or step == args.steps:
            print(f"step {step}: loss {loss.item():.3f} ({time.time() - t0:.0f} s)", flush=True)
    model.eval()
    final_loss = loss.item()

    os.makedirs(args.out, exist_ok=True)
    x_ids = np.stack([data[0:12], data[500:512]])
    x = one_hot(x_ids, v)
    h0 = torch.as_tensor(rng.standard_normal((1, 2, HIDDEN)).astype(np.float32) * 0.1)
    with torch.no_grad():
        logits, h = model(x, h0)
    torch.onnx.export(model, (x, h0), os.path.join(args.out, "model.onnx"), opset_version=14,
                      input_names=["x", "h0"], output_names=["logits", "h"],
                      dynamic_axes={"x": {0: "batch", 1: "seq"}, "h0": {1: "batch"},
                                    "logits": {0: "batch", 1: "seq"}, "h": {1: "batch"}})
    np.save(os.path.join(args.out, "input_0.npy"), x.numpy())
    np.save(os.path.join(args.out, "input_1.npy"), h0.numpy())
    np.save(os.path.join(args.out, "expected_0.npy"), logits.numpy())
    np.save(os.path.join(args.out, "expected_1.npy"), h.numpy())
    with open(os.path.join(args.out, "vocab.txt"), "w", newline="") as f:
        f.write(vocab)
    text_out = greedy(model, vocab, PROMPT, N_GEN)
    with open(os.path.join(args.out, "greedy.txt"), "w", newline="") as f:
        f.write(text_out)
    with open(os.path.join(args.out, "README.md"), "w") as f:
        f.write(f"""# char_rnn

Character model for tools/examples/char_gen.c, written by tools/train_char.py (PyTorch
{torch.__version__}, opset 14): one-hot x (batch, seq, {v}) -> nn.RNN({v}, {HIDDEN}, batch_first)
-> nn.Linear({HIDDEN}, {v}) -> logits (batch, seq, {v}); inputs x and h0 (1, batch, {HIDDEN}),
outputs logits and h (1, batch, {HIDDEN}). Trained {args.steps} steps (batch {args.batch}, sequence
{args.seq}, Adam 3e-3, final training loss {final_loss:.3f}) on tools/data/pride_and_prejudice_ch1.txt
(Jane Austen, Pride and Prejudice, 1813, chapter 1; public domain).

vocab.txt: the {v} symbols in index order, concatenated (symbol i is byte i).
greedy.txt: the prompt {PROMPT!r} streamed one character at a time from h0 = 0, then {N_GEN}
greedy (argmax) characters: `char_gen DIR {PROMPT!r} {N_GEN}` prints exactly this (then a newline).

tests/char_gen_test.sh checks that char_gen prints exactly greedy.txt.
""")
    print(f"V={v}, final loss {final_loss:.3f}; greedy: {text_out!r}")


if __name__ == "__main__":
    main()
