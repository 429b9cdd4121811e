// ONNX Runtime (onnxruntime-node) timings for tools/bench/run.py: one case folder at one thread count.
// Loads DIR/model.onnx (timing the load), feeds DIR/input_<i>.npy, checks output 0 against
// DIR/expected_0.npy (max abs err), then times single runs until TARGET_S seconds have passed (at
// least MIN_RUNS runs) and reports their median. With FLOOR_MODEL it also times that model (an
// Identity of the same input size) the same way: the per-call cost of node + ORT's run().
// Prints one JSON line: {"load_us", "max_abs_err", "run_us": {median, min, max}, "runs",
// "floor_us": {median, min, max}, "floor_runs"}.
// usage: NODE_PATH=DIR/node_modules node ort_bench.js CASE_DIR THREADS TARGET_S MIN_RUNS [FLOOR_MODEL]
// (install once: mkdir DIR && cd DIR && npm init -y && npm install --ignore-scripts onnxruntime-node@1.30.0)
'use strict';
const path = require('path');
const ort = require('onnxruntime-node');

const { readNpy } = require('../npy_ort.js');

const nowUs = () => Number(process.hrtime.bigint()) / 1e3;

// single runs, each timed, until targetS seconds and at least minRuns runs; after 2 warm-up runs
async function timeRuns(s, feeds, targetS, minRuns) {
  for (let i = 0; i < 2; i++) await s.run(feeds);
  const t = [], start = nowUs();
  while (t.length < minRuns || (nowUs() - start < targetS * 1e6 && t.length < 100000)) {
    const t0 = nowUs();
    await s.run(feeds);
    t.push(nowUs() - t0);
  }
  t.sort((a, b) => a - b);
  const n = t.length, med = n % 2 ? t[(n - 1) / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
  return { stats: { median: med, min: t[0], max: t[n - 1] }, runs: n };
}

(async () => {
  const [dir, threadsArg, targetArg, minArg, floorModel] = process.argv.slice(2);
  if (!dir) throw new Error('usage: node ort_bench.js CASE_DIR THREADS TARGET_S MIN_RUNS [FLOOR_MODEL]');
  const threads = +(threadsArg || 1), targetS = +(targetArg || 1), minRuns = +(minArg || 5);
  const opts = { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential' };
  const t0 = nowUs();
  const s = await ort.InferenceSession.create(path.join(dir, 'model.onnx'), opts);
  const loadUs = nowUs() - t0;
  const feeds = {};
  s.inputNames.forEach((n, i) => { feeds[n] = readNpy(path.join(dir, `input_${i}.npy`)); });
  const r = await s.run(feeds);
  const got = r[s.outputNames[0]].data, exp = readNpy(path.join(dir, 'expected_0.npy')).data;
  let err = got.length === exp.length ? 0 : Infinity;
  for (let k = 0; k < exp.length && err !== Infinity; k++) {
    const d = Math.abs(got[k] - exp[k]);
    err = Number.isNaN(d) ? Infinity : Math.max(err, d);
  }
  const m = await timeRuns(s, feeds, targetS, minRuns);
  const out = { load_us: loadUs, max_abs_err: err === Infinity ? null : err, run_us: m.stats, runs: m.runs, threads };
  if (floorModel) {
    const f = await ort.InferenceSession.create(floorModel, opts);
    const ff = {};
    ff[f.inputNames[0]] = feeds[s.inputNames[0]];
    const fm = await timeRuns(f, ff, Math.min(targetS, 0.5), minRuns);
    out.floor_us = fm.stats;
    out.floor_runs = fm.runs;
  }
  console.log(JSON.stringify(out));
})().catch(e => { console.error(String(e.message || e)); process.exit(1); });
