#!/usr/bin/python3
"""Prove a PyTorch model runs the same in rnnrun: export it to ONNX, run PyTorch and the rnnrun
CLI on the same random inputs, compare every output.

    /usr/bin/python3 tools/torch_check.py MODULE.py [--opset N] [--dynamic | --static]
                     [--rnnrun PATH] [--atol A] [--rtol R] [--seed S] [--keep DIR]

MODULE.py is an ordinary Python file (run with Debian's PyTorch: python3-torch) that defines, at
module level:

    model          an nn.Module (required; the tool calls model.eval())
    example        a tensor, or a tuple of tensors: model(*example) must work (required). Its
                   shapes and dtypes are the export's example and the first run's shapes.
    input_names    optional list of names for the inputs (default input_0, input_1, ...)
    output_names   optional list of names for the outputs (default output_0, ...)
    dynamic_axes   optional, as torch.onnx.export takes it: {name: {axis: "symbol", ...}, ...}
    opset          optional default opset (else 14)

Outputs are model(*example) flattened in order (nn.LSTM's (y, (h, c)) gives y, h, c), as the
exporter flattens them. Float inputs are drawn from a standard normal distribution, integer
inputs uniformly from [0, max(example)] (token ids stay in range), bool inputs at random.

With dynamic axes (the default when MODULE.py defines dynamic_axes; --dynamic requires them;
--static exports every shape fixed), the check runs twice: at the example's shapes, then with
every symbolic axis 2 longer (axes sharing a symbol, e.g. the batch of x and of h0, change
together). Each run prints, per output, its shape, the maximum absolute and relative error and
the verdict; an element passes when |rnnrun - torch| <= atol + rtol * |torch|.

Exit status: 0 when every output of every run passes (PASS), 1 when any fails or rnnrun refuses
the model (FAIL, with rnnrun's own message), 2 when the check itself cannot be made (bad MODULE.py,
export error, rnnrun not found).
"""
import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def die(msg):
    print(f"torch_check: {msg}", file=sys.stderr)
    sys.exit(2)


def load_module(path):
    if not os.path.isfile(path):
        die(f"{path}: no such file")
    spec = importlib.util.spec_from_file_location("torch_check_user_module", path)
    mod = importlib.util.module_from_spec(spec)
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    try:
        spec.loader.exec_module(mod)
    except Exception as e:  # the user's file: report whatever it raised
        die(f"{path}: {type(e).__name__}: {e}")
    return mod


def flatten(outs):
    """model outputs in the exporter's order: nested tuples/lists flattened depth-first"""
    import torch
    if isinstance(outs, torch.Tensor):
        return [outs]
    flat = []
    for o in outs:
        flat.extend(flatten(o))
    return flat


def random_like(t, shape, gen):
    import torch
    if t.dtype.is_floating_point:
        return torch.randn(shape, generator=gen, dtype=t.dtype)
    if t.dtype == torch.bool:
        return torch.randint(0, 2, shape, generator=gen).bool()
    hi = int(t.max().item()) + 1 if t.numel() else 1
    return torch.randint(0, max(hi, 1), shape, generator=gen, dtype=t.dtype)


def compare(name, got, want, atol, rtol):
    """-> (ok, line)"""
    if got.shape != want.shape:
        return False, f"  {name:<16} shape {tuple(got.shape)} from rnnrun, {tuple(want.shape)} " \
                      f"from torch  FAIL"
    if got.dtype != want.dtype:
        return False, f"  {name:<16} dtype {got.dtype} from rnnrun, {want.dtype} from torch  FAIL"
    g = got.astype(np.float64)
    w = want.astype(np.float64)
    diff = np.abs(g - w)
    nan_ok = np.isnan(g) & np.isnan(w)
    diff = np.where(nan_ok, 0.0, diff)
    bad = ~(diff <= atol + rtol * np.abs(w))
    abs_err = float(np.nanmax(np.where(np.isnan(diff), np.inf, diff))) if diff.size else 0.0
    rel = diff / np.maximum(np.abs(w), np.finfo(np.float32).tiny)
    rel_err = float(np.max(np.where(np.isnan(rel), np.inf, rel))) if rel.size else 0.0
    ok = not bad.any()
    verdict = "PASS" if ok else f"FAIL ({int(bad.sum())} of {bad.size} elements)"
    return ok, (f"  {name:<16} {str(tuple(want.shape)):<16} max abs error {abs_err:.3g}  "
                f"max rel error {rel_err:.3g}  {verdict}")


def run_once(label, model, inputs, graph_inputs, input_names, output_names, onnx_path, rnnrun,
             workdir, atol, rtol):
    """one run through PyTorch and rnnrun; -> True when every output passes"""
    import torch
    shapes = ", ".join(f"{n} {tuple(t.shape)}" for n, t in zip(input_names, inputs))
    print(f"{label}: {shapes}")
    with torch.no_grad():
        want = [o.detach().numpy() for o in flatten(model(*inputs))]
    run_dir = os.path.join(workdir, label.replace(" ", "_"))
    out_dir = os.path.join(run_dir, "out")
    os.makedirs(run_dir, exist_ok=True)
    args = [rnnrun, onnx_path]
    for i, (n, t) in enumerate(zip(input_names, inputs)):
        if n not in graph_inputs:
            continue  # the exporter drops inputs the graph does not use
        p = os.path.join(run_dir, f"input_{i}.npy")
        np.save(p, t.detach().numpy())
        args.append(f"{n}={p}")
    args += ["-o", out_dir]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        print(f"  rnnrun exited {r.returncode}: {r.stderr.strip() or r.stdout.strip()}")
        print("  FAIL")
        return False
    got = []
    for i in range(len(want)):
        p = os.path.join(out_dir, f"output_{i}.npy")
        if not os.path.isfile(p):
            print(f"  rnnrun wrote {len(got)} outputs, PyTorch gives {len(want)}  FAIL")
            return False
        got.append(np.load(p))
    if os.path.isfile(os.path.join(out_dir, f"output_{len(want)}.npy")):
        print(f"  rnnrun wrote more outputs than PyTorch's {len(want)}  FAIL")
        return False
    ok = True
    for i, (g, w) in enumerate(zip(got, want)):
        name = output_names[i] if i < len(output_names) else f"output_{i}"
        o, line = compare(name, g, w, atol, rtol)
        print(line)
        ok = ok and o
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("module", help="Python file defining model and example")
    ap.add_argument("--opset", type=int, help="ONNX opset to export at (default: the module's "
                    "opset, else 14)")
    dyn = ap.add_mutually_exclusive_group()
    dyn.add_argument("--dynamic", action="store_true", help="export with the module's dynamic_axes "
                     "and also check at other sizes (the default when it defines them)")
    dyn.add_argument("--static", action="store_true", help="export every shape fixed")
    ap.add_argument("--rnnrun", default=os.environ.get("RNNRUN") or os.path.join(HERE, "..", "build", "rnnrun"),
                    help="the rnnrun CLI (default $RNNRUN, else build/rnnrun)")
    ap.add_argument("--atol", type=float, default=1e-5, help="absolute tolerance (default 1e-5)")
    ap.add_argument("--rtol", type=float, default=1e-4, help="relative tolerance (default 1e-4)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the random inputs (default 0)")
    ap.add_argument("--keep", metavar="DIR", help="keep model.onnx and the .npy files in DIR")
    args = ap.parse_args()

    rnnrun = shutil.which(args.rnnrun) if os.sep not in args.rnnrun else args.rnnrun
    if not rnnrun or not os.path.isfile(rnnrun) or not os.access(rnnrun, os.X_OK):
        die(f"rnnrun not found or not executable: {args.rnnrun} (build it, or pass --rnnrun PATH)")
    rnnrun = os.path.abspath(rnnrun)

    try:
        import torch
        import onnx
    except ImportError as e:
        die(f"needs PyTorch and onnx (Debian: python3-torch python3-onnx; run with /usr/bin/python3): {e}")

    mod = load_module(args.module)
    model = getattr(mod, "model", None)
    example = getattr(mod, "example", None)
    if not isinstance(model, torch.nn.Module):
        die(f"{args.module}: defines no module-level `model` (an nn.Module)")
    if isinstance(example, torch.Tensor):
        example = (example,)
    if not isinstance(example, (tuple, list)) or not example or \
            not all(isinstance(t, torch.Tensor) for t in example):
        die(f"{args.module}: defines no module-level `example` (a tensor or a tuple of tensors)")
    example = tuple(example)
    model.eval()
    input_names = list(getattr(mod, "input_names", None) or [f"input_{i}" for i in range(len(example))])
    if len(input_names) != len(example):
        die(f"{args.module}: {len(input_names)} input_names for {len(example)} example inputs")
    with torch.no_grad():
        n_out = len(flatten(model(*example)))
    output_names = list(getattr(mod, "output_names", None) or [f"output_{i}" for i in range(n_out)])
    dynamic_axes = getattr(mod, "dynamic_axes", None)
    if args.dynamic and not dynamic_axes:
        die(f"{args.module}: --dynamic needs a module-level dynamic_axes")
    if args.static:
        dynamic_axes = None
    opset = args.opset or getattr(mod, "opset", None) or 14

    workdir = args.keep or tempfile.mkdtemp(prefix="torch_check.")
    os.makedirs(workdir, exist_ok=True)
    try:
        onnx_path = os.path.join(workdir, "model.onnx")
        print(f"exporting {args.module} at opset {opset}, "
              f"{'dynamic axes ' + str(dynamic_axes) if dynamic_axes else 'static shapes'}")
        try:
            import warnings
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                torch.onnx.export(model, example, onnx_path, opset_version=opset,
                                  input_names=input_names, output_names=output_names,
                                  dynamic_axes=dynamic_axes, do_constant_folding=True)
        except Exception as e:
            die(f"torch.onnx.export failed: {type(e).__name__}: {e}")
        graph_inputs = {i.name for i in onnx.load(onnx_path).graph.input}

        gen = torch.Generator().manual_seed(args.seed)
        runs = [("run 1", [t.shape for t in example])]
        if dynamic_axes:
            grown = {}
            for n, axes in dynamic_axes.items():
                if n in input_names:
                    t = example[input_names.index(n)]
                    items = axes.items() if isinstance(axes, dict) else ((a, f"{n}_{a}") for a in axes)
                    for a, sym in items:
                        grown.setdefault(sym, t.shape[a] + 2)
            shapes = []
            for n, t in zip(input_names, example):
                s = list(t.shape)
                axes = dynamic_axes.get(n, {})
                items = axes.items() if isinstance(axes, dict) else ((a, f"{n}_{a}") for a in axes)
                for a, sym in items:
                    s[a] = grown[sym]
                shapes.append(torch.Size(s))
            runs.append(("run 2 (dynamic axes grown)", shapes))
        ok = True
        for label, shapes in runs:
            inputs = tuple(random_like(t, s, gen) for t, s in zip(example, shapes))
            ok = run_once(label, model, inputs, graph_inputs, input_names, output_names, onnx_path,
                          rnnrun, workdir, args.atol, args.rtol) and ok
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"{'PASS' if ok else 'FAIL'}: {args.module} (atol {args.atol:g}, rtol {args.rtol:g})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
