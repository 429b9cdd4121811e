// Run ONNX Runtime (onnxruntime-node) on case folders and save its outputs: for each DIR given,
// loads DIR/model.onnx, feeds DIR/input_<i>.npy in the model's input order and writes output i
// to DIR/ort_<i>.npy. Used by tools/gen_recurrent_cases.py to get expected values.
// usage: NODE_PATH=/path/to/node_modules node tools/ort_run.js DIR...
// (install once: npm install --ignore-scripts onnxruntime-node@1.30.0)
'use strict';
const path = require('path');
const ort = require('onnxruntime-node');

const { readNpy, writeNpy } = require('./npy_ort.js');

(async () => {
  for (const dir of process.argv.slice(2)) {
    const s = await ort.InferenceSession.create(path.join(dir, 'model.onnx'), { intraOpNumThreads: 1 });
    const feeds = {};
    s.inputNames.forEach((n, i) => { feeds[n] = readNpy(path.join(dir, `input_${i}.npy`)); });
    const r = await s.run(feeds);
    s.outputNames.forEach((n, i) => writeNpy(path.join(dir, `ort_${i}.npy`), r[n]));
  }
})().catch(e => { console.error(String(e.message || e)); process.exit(1); });
