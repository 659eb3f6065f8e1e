// Runs an ONNX model that `dcgan export --onnx` wrote in ONNX Runtime (npm's onnxruntime-node)
// and compares its images with `dcgan sample --npy` for the same latent vectors and labels.
//   node run_ort.js ORT_DIR MODEL.onnx Z.npy SAMPLE.npy Y_DIM TOL
// Z.npy: float32 (N, z_dim). SAMPLE.npy: float32 (N, H, W, C), what `dcgan sample --z Z.npy
// --npy SAMPLE.npy` wrote. Y_DIM: 0 for an unconditional model; otherwise image i is given
// class i % Y_DIM one-hot, as dcgan sample does without --labels. The whole batch runs, then
// the last image alone (the batch dimension is free). Exits 1 if an output is not finite, has
// the wrong shape, or differs from the sample by more than TOL anywhere.
'use strict';
const fs = require('fs');
const path = require('path');

function readNpy(file) {
  const b = fs.readFileSync(file);
  if (b.toString('latin1', 1, 6) !== 'NUMPY') throw new Error(`${file}: not a .npy file`);
  const major = b[6];
  const hlen = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = b.toString('latin1', start, start + hlen);
  if (!/'descr':\s*'<f4'/.test(header) || /'fortran_order':\s*True/.test(header))
    throw new Error(`${file}: not a C-order float32 array: ${header}`);
  const shape = header.match(/'shape':\s*\(([^)]*)\)/)[1].split(',').filter((s) => s.trim()).map(Number);
  const n = shape.reduce((a, x) => a * x, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = b.readFloatLE(start + hlen + 4 * i);
  return { shape, data };
}

// feeds for images [from, to): z rows and one-hot y
function feeds(ort, z, zdim, ydim, from, to) {
  const n = to - from;
  const f = { z: new ort.Tensor('float32', z.data.slice(from * zdim, to * zdim), [n, zdim]) };
  if (ydim > 0) {
    const y = new Float32Array(n * ydim);
    for (let i = 0; i < n; i++) y[i * ydim + ((from + i) % ydim)] = 1;
    f.y = new ort.Tensor('float32', y, [n, ydim]);
  }
  return f;
}

// max |onnx - sample| over images [from, from + n): onnx NCHW, sample NHWC
function compare(image, sample, from, n) {
  const [N, C, H, W] = image.dims;
  if (N !== n || sample.shape[1] !== H || sample.shape[2] !== W || sample.shape[3] !== C)
    throw new Error(`output ${image.dims} does not fit the sample's ${sample.shape} for ${n} images`);
  let worst = 0;
  for (let i = 0; i < n; i++)
    for (let c = 0; c < C; c++)
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++) {
          const a = image.data[((i * C + c) * H + y) * W + x];
          if (!Number.isFinite(a)) throw new Error(`output ${i},${c},${y},${x} is ${a}`);
          const b = sample.data[(((from + i) * H + y) * W + x) * C + c];
          worst = Math.max(worst, Math.abs(a - b));
        }
  return worst;
}

async function main() {
  const [ortDir, model, zFile, sampleFile, ydimS, tolS] = process.argv.slice(2);
  const ort = require(path.join(ortDir, 'node_modules', 'onnxruntime-node'));
  const ydim = Number(ydimS), tol = Number(tolS);
  const z = readNpy(zFile), sample = readNpy(sampleFile);
  const N = z.shape[0], zdim = z.shape[1];
  const session = await ort.InferenceSession.create(model);
  const want = ydim > 0 ? 'y,z' : 'z';
  if ([...session.inputNames].sort().join() !== want || session.outputNames.join() !== 'image')
    throw new Error(`inputs ${session.inputNames}, outputs ${session.outputNames}`);
  const all = (await session.run(feeds(ort, z, zdim, ydim, 0, N))).image;
  const dAll = compare(all, sample, 0, N);
  const one = (await session.run(feeds(ort, z, zdim, ydim, N - 1, N))).image;
  const dOne = compare(one, sample, N - 1, 1);
  const d = Math.max(dAll, dOne);
  console.log(`onnxruntime-node ${require(path.join(ortDir, 'node_modules', 'onnxruntime-node', 'package.json')).version}: ` +
              `${path.basename(model)}: image ${all.dims.join('x')}; max |onnx - sample| = ${d.toExponential(2)} ` +
              `(batch ${N}: ${dAll.toExponential(2)}, batch 1: ${dOne.toExponential(2)}; tolerance ${tol})`);
  if (!(d <= tol)) process.exit(1);
}

main().catch((err) => {
  console.error(`run_ort.js: ${err.message}`);
  process.exit(1);
});
