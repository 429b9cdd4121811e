#!/usr/bin/python3
"""rnnrun's benchmark suite: rnnrun against ONNX Runtime (onnxruntime-node) and PyTorch.

usage: /usr/bin/python3 tools/bench/run.py [--quick] [--out DIR] [--cases NAME,...] [--dry-run] ...

1. Builds the benchmark models with PyTorch (fixed seeds, batch_first, float32, Linear head) into
   case folders OUT/cases/<name>/ (model.onnx, input_0.npy, expected_0.npy = PyTorch's output,
   identity.onnx = an Identity of the same input, for ONNX Runtime's per-call floor). Folders
   whose spec has not changed are reused.
2. Runs every case, on the same input, in rnnrun (`rnnrun --bench N --threads 1|2`), ONNX Runtime
   (tools/bench/ort_bench.js, intraOpNumThreads 1|2) and PyTorch (torch.set_num_threads(1|2)),
   checking rnnrun's and ONNX Runtime's output against PyTorch's (max abs err). Medians of single
   runs, the count adapted so that each measurement takes about --target seconds.
3. Prints and writes OUT/results.md (and OUT/results.json): the table, the single-core sgemm rates
   (NumPy, PyTorch, bench_kernels), achieved GFLOP/s of the big models, load + plan times of every
   models/ case, peak RSS, and the machine facts (CPU, cores, load average: the box may be shared).

--dry-run builds the case folders and prints the plan; --check also runs rnnrun once on each
and compares its output with PyTorch's; neither times anything.
Speed is never asserted; a wrong answer (max abs err above --atol) is reported and makes the exit
status 1.
"""
import argparse
import datetime
import glob
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import warnings

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.join(ROOT, "tools", "bench")
OPSET = 14

# name: cell, input size I, hidden H, layers, bidirectional, head (last | every), head outputs O,
# x shape (B, T, I)
CASES = [
    dict(name="char_rnn_b1", cell="RNN", I=40, H=64, layers=1, bidir=False, head="last", O=40, B=1, T=10),
    dict(name="seed_mtm_b4", cell="RNN", I=5, H=4, layers=1, bidir=True, head="every", O=2, B=4, T=64),
    dict(name="lstm_stream_b1", cell="LSTM", I=80, H=256, layers=2, bidir=False, head="every", O=80, B=1, T=100),
    dict(name="gru_bidi_b32", cell="GRU", I=256, H=512, layers=1, bidir=True, head="last", O=10, B=32, T=50),
    dict(name="rnn_big_b16", cell="RNN", I=512, H=1024, layers=1, bidir=False, head="last", O=10, B=16, T=64),
    dict(name="lstm_large_b64", cell="LSTM", I=1024, H=1024, layers=1, bidir=False, head="last", O=10, B=64, T=32),
]
BIG = {"gru_bidi_b32", "rnn_big_b16", "lstm_large_b64"}
GATES = {"RNN": 1, "GRU": 3, "LSTM": 4}


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def flops(c):
    """multiply-adds x 2 of one run: per layer input projection 2*T*B*I*G*H*D and recurrent
    2*T*B*H*G*H*D, plus the head (every step or the last)"""
    G, D, H, T, B = GATES[c["cell"]], 2 if c["bidir"] else 1, c["H"], c["T"], c["B"]
    f = 0
    for layer in range(c["layers"]):
        i = c["I"] if layer == 0 else H * D
        f += 2 * T * B * i * G * H * D + 2 * T * B * H * G * H * D
    f += 2 * (T if c["head"] == "every" else 1) * B * H * D * c["O"]
    return f


def spec_hash(c):
    return hashlib.sha1(json.dumps([c, OPSET, 1], sort_keys=True).encode()).hexdigest()[:16]


# ---------------------------------------------------------------------------------------------
# 1. the models

def build_case(c, cases_dir):
    import numpy as np
    import onnx
    import torch
    from onnx import TensorProto, helper

    d = os.path.join(cases_dir, c["name"])
    stamp = os.path.join(d, "spec.json")
    want = spec_hash(c)
    if os.path.exists(stamp) and all(os.path.exists(os.path.join(d, f)) for f in
                                     ("model.onnx", "input_0.npy", "expected_0.npy", "identity.onnx")):
        try:
            if json.load(open(stamp)).get("hash") == want:
                return d
        except (OSError, ValueError):
            pass
    os.makedirs(d, exist_ok=True)
    seed = int(want[:8], 16)
    torch.manual_seed(seed)
    net = make_net(c)
    g = torch.Generator().manual_seed(seed + 1)
    x = torch.randn(c["B"], c["T"], c["I"], generator=g)
    with torch.no_grad():
        y = net(x)
        torch.onnx.export(net, (x,), os.path.join(d, "model.onnx"), opset_version=OPSET,
                          input_names=["x"], output_names=["y"], do_constant_folding=True)
    np.save(os.path.join(d, "input_0.npy"), x.numpy().astype(np.float32))
    np.save(os.path.join(d, "expected_0.npy"), y.numpy().astype(np.float32))
    torch.save(net.state_dict(), os.path.join(d, "torch_state.pt"))
    shape = [c["B"], c["T"], c["I"]]
    ident = helper.make_model(
        helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "floor",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, shape)]),
        opset_imports=[helper.make_opsetid("", OPSET)])
    ident.ir_version = 7
    onnx.save(ident, os.path.join(d, "identity.onnx"))
    json.dump({"hash": want, "spec": c, "opset": OPSET, "seed": seed}, open(stamp, "w"), indent=1)
    return d


def make_net(c):
    """the PyTorch model of a case: the recurrent layers and a Linear head on the last or every step"""
    import torch
    rnn_cls = getattr(torch.nn, c["cell"])

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = rnn_cls(c["I"], c["H"], num_layers=c["layers"], batch_first=True,
                               bidirectional=c["bidir"])
            self.head = torch.nn.Linear(c["H"] * (2 if c["bidir"] else 1), c["O"])

        def forward(self, x):                   # x (B, T, I)
            y = self.rnn(x)[0]                  # (B, T, H*D)
            if c["head"] == "last":
                y = y[:, -1, :]                 # (B, H*D)
            return self.head(y)                 # (B, [T,] O)

    return Net().eval()


def torch_net(c, d):
    import torch
    net = make_net(c)
    net.load_state_dict(torch.load(os.path.join(d, "torch_state.pt")))
    return net


# ---------------------------------------------------------------------------------------------
# 2. the measurements

def last_json(out):
    lines = [l for l in out.strip().splitlines() if l.startswith("{")]
    if not lines:
        raise RuntimeError("no JSON line in: " + out[-300:])
    return json.loads(lines[-1])


# CPU that every single-thread measurement runs on (None: not pinned); set from --pin in main().
# One core for all three engines: on the VMs we measure on, one core at a time runs small models
# about 30% slower than the other (the host's interrupts and neighbours), and which one varies, so
# 'auto' takes the one where a busy loop runs fastest at the start.
PIN = None


def pinned(cmd, threads):
    """cmd under taskset on the PIN CPU for a single-thread measurement"""
    if PIN is None or threads != 1 or not shutil.which("taskset"):
        return cmd
    return ["taskset", "-c", str(PIN)] + cmd


def fastest_cpu(cpus):
    """the CPU where a short busy loop runs fastest now (best of 5 on each): on the VMs we measure
    on one core at a time is slowed by the host (interrupts, neighbours), and which one varies"""
    keep = os.sched_getaffinity(0)
    best = {}
    try:
        for c in cpus:
            os.sched_setaffinity(0, {c})
            t = []
            for _ in range(5):
                t0 = time.perf_counter()
                sum(i * i for i in range(200000))
                t.append(time.perf_counter() - t0)
            best[c] = min(t)
    finally:
        os.sched_setaffinity(0, keep)
    log("CPU speed (busy loop, ms): " + ", ".join(f"{c}: {best[c] * 1e3:.1f}" for c in cpus))
    return min(cpus, key=lambda c: best[c])


def run_cmd(cmd, env=None, timeout=900):
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {p.returncode}: {(p.stderr or p.stdout).strip()[-400:]}")
    return p.stdout


def peak_rss_kib(cmd):
    """peak RSS of one process, in KiB: /usr/bin/time -f %M when present, else wait4's rusage (which
    on Linux also counts the forked Python's pages before exec, so it over-states small runs)"""
    if os.access("/usr/bin/time", os.X_OK):
        with tempfile.NamedTemporaryFile("r", suffix=".rss") as f:
            run_cmd(["/usr/bin/time", "-f", "%M", "-o", f.name] + cmd)
            return int(f.read().split()[-1])
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {p.returncode}: {err.strip()[-300:]}")
    return ru.ru_maxrss


def bench_rnnrun(rnnrun, d, inputs, threads, target_s, min_runs):
    """rnnrun --bench: a probe (--bench 1), then enough runs for target_s"""
    model = os.path.join(d, "model.onnx") if os.path.isdir(d) else d
    probe = last_json(run_cmd(pinned([rnnrun, "--bench", "1", "--threads", str(threads), model] + inputs, threads)))
    n = int(max(min_runs, min(100000, target_s * 1e6 / max(probe["run_us"]["median"], 1.0))))
    return last_json(run_cmd(pinned([rnnrun, "--bench", str(n), "--threads", str(threads), model] + inputs, threads)))


def max_abs_err(a, b):
    import numpy as np
    if a.shape != b.shape:
        return float("inf")
    return float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64)))) if a.size else 0.0


def check_rnnrun(rnnrun, d, tmp):
    import numpy as np
    o = os.path.join(tmp, os.path.basename(d))
    cmd = [rnnrun, os.path.join(d, "model.onnx"), os.path.join(d, "input_0.npy"), "-o", o]
    rss = peak_rss_kib(cmd)
    err = max_abs_err(np.load(os.path.join(o, "output_0.npy")), np.load(os.path.join(d, "expected_0.npy")))
    return err, rss


def bench_torch(c, d, threads, target_s, min_runs):
    import torch
    torch.set_num_threads(threads)
    affinity = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    if PIN is not None and threads == 1 and affinity is not None:
        os.sched_setaffinity(0, {PIN})
    try:
        return torch_timings(c, d, threads, target_s, min_runs)
    finally:
        if affinity is not None:
            os.sched_setaffinity(0, affinity)


def torch_timings(c, d, threads, target_s, min_runs):
    import numpy as np
    import torch
    net = torch_net(c, d)
    x = torch.from_numpy(np.load(os.path.join(d, "input_0.npy")))
    t = []
    with torch.no_grad():
        t0 = time.perf_counter()
        net(x)
        if time.perf_counter() - t0 > 2 * target_s:
            min_runs = max(1, min_runs // 3)    # PyTorch with Debian's reference BLAS: seconds a run
        else:
            net(x)
        start = time.perf_counter()
        while len(t) < min_runs or (time.perf_counter() - start < target_s and len(t) < 100000):
            t0 = time.perf_counter()
            net(x)
            t.append((time.perf_counter() - t0) * 1e6)
    t.sort()
    n = len(t)
    med = t[n // 2] if n % 2 else 0.5 * (t[n // 2 - 1] + t[n // 2])
    return {"run_us": {"median": med, "min": t[0], "max": t[-1]}, "runs": n, "threads": threads}


def find_ort(node_path):
    for p in [node_path, os.environ.get("NODE_PATH"), "/tmp/ort/node_modules"]:
        if p and os.path.isdir(os.path.join(p, "onnxruntime-node")):
            return p
    return None


def bench_ort(node_path, d, threads, target_s, min_runs):
    env = dict(os.environ, NODE_PATH=node_path)
    out = run_cmd(pinned(["node", os.path.join(HERE, "ort_bench.js"), d, str(threads), str(target_s), str(min_runs),
                          os.path.join(d, "identity.onnx")], threads), env=env)
    return last_json(out)


def sgemm_rates(rnnrun_build, quick):
    """single-core matrix-product rates: NumPy, PyTorch, our bench_kernels"""
    res = {}
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    shapes = ["256x1024x1024", "1024x1024x1024"] if not quick else ["256x1024x1024"]
    try:
        lib = run_cmd([sys.executable, "-c",
                       "import numpy\nprint(sorted({l.split()[-1] for l in open('/proc/self/maps') "
                       "if 'blas' in l.lower() and '/' in l}))"], env=env).strip()
        out = run_cmd([sys.executable, os.path.join(HERE, "numpy_sgemm.py")] + shapes, env=env)
        best = 0.0
        for line in out.splitlines():
            m = re.match(r"(\d+x\d+x\d+)\s+numpy\s+([\d.]+)\s+([\d.]+)", line)
            if m:
                best = max(best, float(m.group(2)), float(m.group(3)))
        res["numpy"] = {"gflops": best, "blas": lib, "shapes": shapes}
    except Exception as e:  # noqa: BLE001 - reported, not fatal
        res["numpy"] = {"error": str(e)}
    try:
        code = ("import torch, time\ntorch.set_num_threads(1)\nbest = 0\n"
                f"for s in {shapes!r}:\n"
                "    M, N, K = map(int, s.split('x'))\n"
                "    a = torch.rand(M, K) - 0.5; b = torch.rand(K, N) - 0.5; c = torch.empty(M, N)\n"
                "    torch.mm(a, b, out=c); ts = []\n"
                "    for _ in range(5):\n"
                "        t0 = time.perf_counter(); torch.mm(a, b, out=c); ts.append(time.perf_counter() - t0)\n"
                "    best = max(best, 2.0 * M * N * K / sorted(ts)[2] * 1e-9)\n"
                "print(best)\n"
                "import re\ncfg = torch.__config__.show()\n"
                "print(', '.join(re.findall(r'BLAS_INFO=\\w+|MKL-DNN v[\\d.]+|oneDNN v[\\d.]+|Intel\\(R\\) Math Kernel Library[^\\n]*', cfg)))\n")
        out = run_cmd([sys.executable, "-c", code], env=env).splitlines()
        res["torch"] = {"gflops": float(out[0]), "config": out[1] if len(out) > 1 else ""}
    except Exception as e:  # noqa: BLE001
        res["torch"] = {"error": str(e)}
    bk = os.path.join(rnnrun_build, "tools", "bench", "bench_kernels")
    try:
        out = run_cmd([bk, "--quick"])
        # per variant: the best rate over the matrix-sized shapes (M >= 64, K >= 256: what the input
        # projections of the big models are), and the best over all shapes (small ones sit in L1)
        per = {}
        for line in out.splitlines():
            m = re.match(r"(\d+)x(\d+)x(\d+)\s+(\S+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", line)
            if m:
                M, K = int(m.group(1)), int(m.group(3))
                v = per.setdefault(m.group(4), {"gflops": 0.0, "shape": "", "any_gflops": 0.0, "any_shape": ""})
                r = max(float(m.group(5)), float(m.group(6)), float(m.group(7)))
                name = "x".join(m.group(1, 2, 3))
                if M >= 64 and K >= 256 and r > v["gflops"]:
                    v.update(gflops=r, shape=name)
                if r > v["any_gflops"]:
                    v.update(any_gflops=r, any_shape=name)
        res["bench_kernels"] = {"per_variant": per,
                                "gflops": max((v["gflops"] for v in per.values()), default=0.0)}
    except Exception as e:  # noqa: BLE001
        res["bench_kernels"] = {"error": str(e)}
    return res


def zoo_load_plan(rnnrun, tmp):
    rows = []
    for d in sorted(glob.glob(os.path.join(ROOT, "models", "*", "model.onnx"))):
        d = os.path.dirname(d)
        inputs = sorted(glob.glob(os.path.join(d, "input_*.npy")),
                        key=lambda f: int(re.search(r"input_(\d+)\.npy$", f).group(1)))
        row = {"case": os.path.basename(d)}
        try:
            # a cold load and plan in a fresh process, five times: the medians (one process alone
            # swings by a third on a shared VM)
            js = [last_json(run_cmd(pinned([rnnrun, "--bench", "1", os.path.join(d, "model.onnx")] + inputs, 1)))
                  for _ in range(5)]
            med = lambda v: sorted(v)[len(v) // 2]  # noqa: E731
            row.update(load_us=med([j["load_us"] for j in js]), plan_us=med([j["plan_us"] for j in js]),
                       run_us=med([j["run_us"]["median"] for j in js]),
                       load_plan_us=med([j["load_us"] + j["plan_us"] for j in js]))
        except Exception as e:  # noqa: BLE001
            row["error"] = str(e).splitlines()[-1][:160]
        rows.append(row)
    rss = None
    one = os.path.join(ROOT, "models", "char_rnn64")
    if os.path.isdir(one):
        try:
            rss = {"case": "char_rnn64", "kib": peak_rss_kib(
                [rnnrun, os.path.join(one, "model.onnx"), os.path.join(one, "input_0.npy"), "-o",
                 os.path.join(tmp, "zoo_char_rnn64")])}
        except Exception as e:  # noqa: BLE001
            rss = {"case": "char_rnn64", "error": str(e)}
    return rows, rss


def machine_facts():
    f = {"date": datetime.datetime.now().isoformat(timespec="seconds"), "host": platform.node(),
         "kernel": platform.release(), "cores": os.cpu_count(), "loadavg_start": os.getloadavg()}
    try:
        cpu = open("/proc/cpuinfo").read()
        m = re.search(r"^model name\s*:\s*(.*)$", cpu, re.M)
        f["cpu"] = m.group(1).strip() if m else platform.processor()
        flags = re.search(r"^flags\s*:\s*(.*)$", cpu, re.M)
        fl = set(flags.group(1).split()) if flags else set()
        f["simd"] = " ".join(x for x in ("avx2", "fma", "avx512f") if x in fl)
        mhz = re.search(r"^cpu MHz\s*:\s*(.*)$", cpu, re.M)
        if mhz:
            f["mhz"] = mhz.group(1).strip()
    except OSError:
        f["cpu"] = platform.processor()
    try:
        f["git"] = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"], capture_output=True,
                                  text=True).stdout.strip()
    except OSError:
        pass
    return f


# ---------------------------------------------------------------------------------------------
# 3. the report

def us(v):
    if v is None:
        return "-"
    if v >= 1e6:
        return f"{v / 1e6:.2f} s"
    if v >= 1e3:
        return f"{v / 1e3:.2f} ms"
    return f"{v:.1f} us"


def ratio(a, b):
    return f"{a / b:.2f}x" if a and b else "-"


def report(R):
    L = []
    m = R["machine"]
    L.append(f"# rnnrun benchmarks ({'quick' if R['quick'] else 'full'}, {m['date']})")
    L.append("")
    L.append(f"Machine: {m.get('cpu')} ({m.get('simd', '')}), {m['cores']} cores, Linux {m['kernel']}; "
             f"load average at start {m['loadavg_start'][0]:.2f} / {m['loadavg_start'][1]:.2f} / "
             f"{m['loadavg_start'][2]:.2f} (1/5/15 min), at end {R['loadavg_end'][0]:.2f}; "
             f"rnnrun {m.get('git', '?')}. Medians of single runs, about {R['target_s']} s per measurement; "
             + (f"every 1-thread measurement (rnnrun, ONNX Runtime, PyTorch, models/ load) pinned to CPU {R['pin']} "
                "(taskset), 2-thread ones free." if R.get("pin") is not None else "nothing pinned."))
    L.append("")
    L.append("| model | x | rnnrun 1T | rnnrun 2T | ORT 1T raw | ORT 1T -floor | ORT 2T raw | ORT 2T -floor "
             "| PyTorch 1T | PyTorch 2T | ORT-floor / rnnrun (1T) | rnnrun 2T speedup | rnnrun load | rnnrun plan "
             "| rnnrun peak RSS | ORT load | max abs err rnnrun / ORT |")
    L.append("|" + "---|" * 17)
    for r in R["cases"]:
        c = r["spec"]
        rr = {t: r.get(f"rnnrun_{t}T") or {} for t in (1, 2)}
        oo = {t: r.get(f"ort_{t}T") or {} for t in (1, 2)}
        pt = {t: r.get(f"torch_{t}T") or {} for t in (1, 2)}
        rm = {t: rr[t].get("run_us", {}).get("median") for t in (1, 2)}
        om = {t: oo[t].get("run_us", {}).get("median") for t in (1, 2)}
        of = {t: (max(om[t] - oo[t]["floor_us"]["median"], 0.0) if om[t] and oo[t].get("floor_us") else None)
              for t in (1, 2)}
        pm = {t: pt[t].get("run_us", {}).get("median") for t in (1, 2)}
        err_r = r.get("rnnrun_err")
        err_o = oo[1].get("max_abs_err") if oo[1] else None
        errs = f"{err_r:.1e}" if err_r is not None else "-"
        errs += " / " + (f"{err_o:.1e}" if err_o is not None else "-")
        rss = r.get("rnnrun_rss_kib")
        L.append(f"| {c['name']} | ({c['B']},{c['T']},{c['I']}) | {us(rm[1])} | {us(rm[2])} | {us(om[1])} | "
                 f"{us(of[1])} | {us(om[2])} | {us(of[2])} | {us(pm[1])} | {us(pm[2])} | {ratio(of[1], rm[1])} | "
                 f"{ratio(rm[1], rm[2])} | {us(rr[1].get('load_us'))} | {us(rr[1].get('plan_us'))} | "
                 f"{f'{rss / 1024:.1f} MiB' if rss else '-'} | {us(oo[1].get('load_us'))} | {errs} |")
    L.append("")
    L.append("ORT -floor: ONNX Runtime's median less the median of an Identity model of the same input "
             "size (the per-call cost of onnxruntime-node; its output is the whole input, so the floor "
             "over-states the copy-out of models with small outputs); floors: " +
             ", ".join(f"{r['spec']['name']} {us((r.get('ort_1T') or {}).get('floor_us', {}).get('median'))}"
                       for r in R["cases"]) + " (1T). "
             "ORT-floor / rnnrun above 1: rnnrun is faster. "
             "rnnrun load/plan: `rnnrun --bench` at 1 thread (plan = first run less the median run). "
             "Peak RSS: a plain `rnnrun MODEL INPUT -o DIR` process (`/usr/bin/time -f %M`).")
    L.append("")
    L.append("Runs timed per measurement (rnnrun 1T/2T, ORT 1T/2T, PyTorch 1T/2T): " + "; ".join(
        r["spec"]["name"] + " " + ", ".join("/".join(str((r.get(f"{k}_{t}T") or {}).get("runs", "-")) for t in (1, 2))
                                          for k in ("rnnrun", "ort", "torch")) for r in R["cases"]) + ".")
    if R.get("errors"):
        L.append("")
        L.append("Errors: " + "; ".join(R["errors"]))
    # sgemm and the big models
    s = R.get("sgemm", {})
    L.append("")
    L.append("## Single-core matrix rate and achieved GFLOP/s")
    L.append("")
    rates = []
    n = s.get("numpy", {})
    if "gflops" in n:
        L.append(f"- NumPy (1 thread, {', '.join(n['shapes'])}): {n['gflops']:.1f} GFLOP/s; BLAS loaded: "
                 f"{n['blas']}" + (" (Debian's reference BLAS, not OpenBLAS: not a fair rate)"
                                   if "openblas" not in n["blas"].lower() else ""))
        rates.append(("NumPy", n["gflops"]))
    elif n:
        L.append(f"- NumPy: {n.get('error')}")
    t = s.get("torch", {})
    if "gflops" in t:
        L.append(f"- PyTorch torch.mm (1 thread): {t['gflops']:.1f} GFLOP/s ({t['config']})")
        rates.append(("PyTorch", t["gflops"]))
    elif t:
        L.append(f"- PyTorch: {t.get('error')}")
    b = s.get("bench_kernels", {})
    if "gflops" in b:
        L.append("- `build/tools/bench/bench_kernels --quick` (1 thread), best per variant over the matrix-sized "
                 "shapes (M >= 64, K >= 256), and over all shapes: " +
                 ", ".join(f"{k} {v['gflops']:.1f} GFLOP/s ({v['shape']}; all: {v['any_gflops']:.1f}, {v['any_shape']})"
                           for k, v in b["per_variant"].items()))
        rates.append(("bench_kernels", b["gflops"]))
    elif b:
        L.append(f"- bench_kernels: {b.get('error')}")
    ref_name, ref = max(rates, key=lambda x: x[1]) if rates else ("-", None)
    L.append("")
    L.append(f"Reference single-core rate: {ref_name}, {ref:.1f} GFLOP/s." if ref else "No reference rate.")
    L.append("")
    L.append("| model | GFLOP per run | rnnrun 1T GFLOP/s | % of reference | within 15% (big models) "
             "| rnnrun 2T GFLOP/s | ORT-floor 1T GFLOP/s | PyTorch 1T GFLOP/s |")
    L.append("|---|---|---|---|---|---|---|---|")
    for r in R["cases"]:
        c = r["spec"]
        f = flops(c)

        def gf(x):
            return f / (x * 1e-6) * 1e-9 if x else None

        r1 = gf((r.get("rnnrun_1T") or {}).get("run_us", {}).get("median"))
        r2 = gf((r.get("rnnrun_2T") or {}).get("run_us", {}).get("median"))
        o = r.get("ort_1T") or {}
        of = gf(max(o["run_us"]["median"] - o["floor_us"]["median"], 1e-3)) if o.get("floor_us") else None
        p1 = gf((r.get("torch_1T") or {}).get("run_us", {}).get("median"))

        def g(x):
            return f"{x:.1f}" if x else "-"
        pct = f"{100 * r1 / ref:.0f}%" if r1 and ref else "-"
        big = " (big)" if c["name"] in BIG else ""
        within = ("yes" if r1 >= 0.85 * ref else "no") if big and r1 and ref else ""
        L.append(f"| {c['name']}{big} | {f * 1e-9:.3f} | {g(r1)} | {pct} | {within} | {g(r2)} | {g(of)} | {g(p1)} |")
    L.append("")
    L.append("Flops: per layer 2*T*B*I*G*H*D (input projection) + 2*T*B*H*G*H*D (recurrence), G gates "
             "(RNN 1, GRU 3, LSTM 4), D directions, plus the head; activations not counted.")
    # zoo
    if R.get("zoo"):
        L.append("")
        L.append("## models/: load and plan (`rnnrun --bench 1`, 1 thread, medians of 5 fresh processes)")
        L.append("")
        ok = [z for z in R["zoo"] if "error" not in z]
        over = [z["case"] for z in ok if z["load_plan_us"] >= 1000]
        L.append(f"Load + plan under 1 ms (target): {len(ok) - len(over)} of {len(R['zoo'])}"
                 + (f"; over: {', '.join(over)}" if over else "") + ".")
        L.append("")
        L.append("| case | load | plan | load + plan | run |")
        L.append("|---|---|---|---|---|")
        for z in R["zoo"]:
            if "error" in z:
                L.append(f"| {z['case']} | error: {z['error']} | | | |")
            else:
                L.append(f"| {z['case']} | {us(z['load_us'])} | {us(z['plan_us'])} | {us(z['load_plan_us'])} "
                         f"| {us(z['run_us'])} |")
        zr = R.get("zoo_rss")
        if zr:
            L.append("")
            L.append(f"Peak RSS of `rnnrun models/{zr['case']}/model.onnx input_0.npy -o DIR`: " +
                     (f"{zr['kib'] / 1024:.1f} MiB" if "kib" in zr else zr.get("error", "?")))
    return "\n".join(L) + "\n"


# ---------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--quick", action="store_true", help="short measurements (about 0.3 s each, 3 runs at least)")
    ap.add_argument("--target", type=float, help="seconds per measurement (default 2, quick 0.3)")
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "bench"), help="scratch folder (default build/bench)")
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"), help="rnnrun build folder (default build)")
    ap.add_argument("--rnnrun", help="the rnnrun CLI (default BUILD_DIR/rnnrun)")
    ap.add_argument("--cases", help="comma-separated subset of: " + ", ".join(c["name"] for c in CASES))
    ap.add_argument("--node-path", help="node_modules holding onnxruntime-node (default $NODE_PATH, /tmp/ort/node_modules)")
    ap.add_argument("--no-ort", action="store_true", help="skip ONNX Runtime")
    ap.add_argument("--no-torch", action="store_true", help="skip PyTorch timings (PyTorch still builds the models)")
    ap.add_argument("--no-sgemm", action="store_true", help="skip the sgemm rates")
    ap.add_argument("--no-zoo", action="store_true", help="skip the models/ load and plan times")
    ap.add_argument("--threads", default="1,2", help="thread counts (default 1,2)")
    ap.add_argument("--pin", default="auto",
                    help="CPU for every 1-thread measurement, the same for all engines: a number, 'none', or "
                         "'auto' (the fastest by a short busy loop at the start, when there are several; default)")
    ap.add_argument("--atol", type=float, default=1e-3, help="max abs err against PyTorch (default 1e-3)")
    ap.add_argument("--dry-run", action="store_true", help="build and list the case folders, time nothing")
    ap.add_argument("--check", action="store_true",
                    help="build the cases and check rnnrun's answers against PyTorch's (max abs err), time nothing")
    a = ap.parse_args()

    target = a.target or (0.3 if a.quick else 2.0)
    min_runs = 3 if a.quick else 5
    threads = [int(t) for t in a.threads.split(",") if t]
    global PIN
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if a.pin == "none" or not shutil.which("taskset"):
        PIN = None
    elif a.pin == "auto":
        PIN = fastest_cpu(cpus) if len(cpus) > 1 else None
    else:
        PIN = int(a.pin)
        if cpus and PIN not in cpus:
            ap.error(f"--pin {PIN}: not one of this process's CPUs {cpus}")
    cases = CASES
    if a.cases:
        want = a.cases.split(",")
        unknown = [w for w in want if w not in {c["name"] for c in CASES}]
        if unknown:
            ap.error("unknown case(s): " + ", ".join(unknown))
        cases = [c for c in CASES if c["name"] in want]
    rnnrun = a.rnnrun or os.path.join(a.build_dir, "rnnrun")
    facts = machine_facts()
    log(f"machine: {facts.get('cpu')}, {facts['cores']} cores, load average {facts['loadavg_start']}")

    warnings.filterwarnings("ignore")
    try:
        import numpy  # noqa: F401
        import onnx  # noqa: F401
        import torch  # noqa: F401
    except ImportError as e:
        sys.exit(f"run.py: {e}: use Debian's Python with PyTorch, ONNX and NumPy "
                 "(apt-get install python3-torch python3-onnx python3-numpy; /usr/bin/python3 tools/bench/run.py)")

    cases_dir = os.path.join(a.out, "cases")
    os.makedirs(cases_dir, exist_ok=True)
    dirs = {}
    for c in cases:
        t0 = time.perf_counter()
        dirs[c["name"]] = build_case(c, cases_dir)
        log(f"case {c['name']}: {dirs[c['name']]} ({time.perf_counter() - t0:.1f} s)")
    if a.dry_run:
        for c in cases:
            print(f"{c['name']}: {c['cell']}({c['I']}->{c['H']}, layers {c['layers']}, "
                  f"{'bidirectional' if c['bidir'] else 'forward'}), Linear({c['O']}) on {c['head']} step; "
                  f"x ({c['B']},{c['T']},{c['I']}); {flops(c) * 1e-9:.4f} GFLOP; {dirs[c['name']]}")
        print(f"would time: rnnrun ({rnnrun}), ONNX Runtime, PyTorch at threads {threads}, "
              f"about {target} s each")
        return 0

    if not os.access(rnnrun, os.X_OK):
        sys.exit(f"run.py: {rnnrun} not found: build first (meson setup build && ninja -C build)")
    if a.check:
        bad = 0
        with tempfile.TemporaryDirectory(prefix="rnnrun-bench-") as tmp:
            for c in cases:
                try:
                    err, _ = check_rnnrun(rnnrun, dirs[c["name"]], tmp)
                    ok = err <= a.atol
                    print(f"{c['name']}: max abs err {err:.3g} {'ok' if ok else 'FAIL'}")
                except Exception as e:  # noqa: BLE001
                    ok = False
                    print(f"{c['name']}: FAIL: {e}")
                bad += not ok
        print(f"{len(cases) - bad} of {len(cases)} cases ok")
        return 1 if bad else 0
    node_path = None
    if not a.no_ort:
        node_path = find_ort(a.node_path)
        if node_path is None or shutil.which("node") is None:
            log("ONNX Runtime skipped: onnxruntime-node not found (nor node). Install it once with\n"
                "  mkdir -p /tmp/ort && cd /tmp/ort && npm init -y && npm install --ignore-scripts onnxruntime-node@1.30.0\n"
                "then pass --node-path /tmp/ort/node_modules (or set NODE_PATH)")
    R = {"quick": a.quick, "target_s": target, "machine": facts, "cases": [], "errors": [], "pin": PIN}
    bad = False
    with tempfile.TemporaryDirectory(prefix="rnnrun-bench-") as tmp:
        for c in cases:
            d = dirs[c["name"]]
            r = {"spec": c, "dir": d}
            R["cases"].append(r)
            inp = [os.path.join(d, "input_0.npy")]
            try:
                r["rnnrun_err"], r["rnnrun_rss_kib"] = check_rnnrun(rnnrun, d, tmp)
                if not r["rnnrun_err"] <= a.atol:
                    bad = True
                    R["errors"].append(f"{c['name']}: rnnrun max abs err {r['rnnrun_err']:.3g} > {a.atol}")
            except Exception as e:  # noqa: BLE001
                bad = True
                R["errors"].append(f"{c['name']}: rnnrun: {e}")
            for t in threads:
                if "rnnrun_err" in r:
                    try:
                        r[f"rnnrun_{t}T"] = bench_rnnrun(rnnrun, d, inp, t, target, min_runs)
                    except Exception as e:  # noqa: BLE001
                        R["errors"].append(f"{c['name']}: rnnrun {t}T: {e}")
                if node_path:
                    try:
                        r[f"ort_{t}T"] = o = bench_ort(node_path, d, t, target, min_runs)
                        if o.get("max_abs_err") is None or o["max_abs_err"] > a.atol:
                            R["errors"].append(f"{c['name']}: ORT max abs err {o.get('max_abs_err')}")
                    except Exception as e:  # noqa: BLE001
                        R["errors"].append(f"{c['name']}: ORT {t}T: {e}")
                if not a.no_torch:
                    r[f"torch_{t}T"] = bench_torch(c, d, t, target, min_runs)
            log(f"{c['name']}: " + ", ".join(
                f"{k} {v['run_us']['median']:.1f} us" for k, v in r.items()
                if isinstance(v, dict) and "run_us" in v))
        if not a.no_sgemm:
            log("sgemm rates ...")
            R["sgemm"] = sgemm_rates(a.build_dir, a.quick)
        if not a.no_zoo:
            log("models/ load and plan ...")
            R["zoo"], R["zoo_rss"] = zoo_load_plan(rnnrun, tmp)
    R["loadavg_end"] = os.getloadavg()
    md = report(R)
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "results.md"), "w") as f:
        f.write(md)
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(R, f, indent=1, default=str)
    print(md)
    log(f"written: {os.path.join(a.out, 'results.md')}, results.json")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
