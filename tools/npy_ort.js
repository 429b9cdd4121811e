// .npy files as onnxruntime-node tensors, for the tools that run ONNX Runtime (tools/ort_run.js,
// tools/bench/ort_bench.js): little-endian float32/float64/int64/int32, C order.
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

const DTYPES = { '<f4': ['float32', Float32Array], '<f8': ['float64', Float64Array], '<i8': ['int64', BigInt64Array],
  '<i4': ['int32', Int32Array] };

function readNpy(f) {
  const b = fs.readFileSync(f), hl = b.readUInt16LE(8), h = b.slice(10, 10 + hl).toString();
  const descr = /'descr':\s*'([^']+)'/.exec(h)[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(h)[1].split(',').filter(s => s.trim()).map(Number);
  const T = DTYPES[descr];
  if (!T) throw new Error(`${f}: dtype ${descr}`);
  const data = b.slice(10 + hl), ab = data.buffer.slice(data.byteOffset, data.byteOffset + data.length);
  return new ort.Tensor(T[0], new T[1](ab), shape);
}

function writeNpy(f, t) {
  const descr = Object.keys(DTYPES).find(k => DTYPES[k][0] === t.type);
  if (!descr) throw new Error(`${f}: output type ${t.type}`);
  const shape = t.dims.length === 1 ? `(${t.dims[0]},)` : `(${t.dims.join(', ')})`;
  let h = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  h += ' '.repeat(63 - ((10 + h.length) % 64)) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1; head[7] = 0; head.writeUInt16LE(h.length, 8);
  const d = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  fs.writeFileSync(f, Buffer.concat([head, Buffer.from(h, 'latin1'), d]));
}

module.exports = { readNpy, writeNpy };
