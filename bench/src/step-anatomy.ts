// Where one training step's time goes on the permuted-MNIST network: each kernel timed alone with warm caches,
// then a lossGrad + EWC + Adam sequence as the training loop runs it, and lossGrad after a 64 MB sweep has evicted
// the weights (the loop's situation: θ, gradient, Fisher, anchor and Adam moments are ≈ 130 MB per step).
// Also Adam on moments decayed into the subnormal float range (weights that stopped getting gradient), which the
// native kernels flush to zero (SPEC "Subnormal floats"); printed as a ratio to the normal pass.
// `pnpm bench:step [--input 1024] [--batch 128]`; threads 1 and 2, then the TS backend's siAccumulate for comparison.
// Medians of 60 repetitions (40 for the cold one).
import { parseArgs } from 'node:util';
import { loadKernels } from '@retain/kernels';
import { mlpProblem } from './kernels-workload.js';

const { values } = parseArgs({ options: { input: { type: 'string', default: '1024' }, batch: { type: 'string', default: '128' } } });
const k = loadKernels();
const batch = Number(values.batch);
const sizes = [Number(values.input), 1000, 1000, 10];
const p = mlpProblem(sizes, batch, 1);
const n = p.params.length;
const grad = new Float32Array(n);
const m = new Float32Array(n);
const v = new Float32Array(n);
const anchor = p.params.slice();
const fisher = new Float32Array(n).fill(1e-3);
const sweep = new Float32Array(16 << 20);
const logits = new Float32Array(batch * 10);
let adamStep = 0;

function median(label: string, f: () => number | void, reps = 60): number {
  for (let i = 0; i < 5; i++) f();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const inner = f();
    ts.push(typeof inner === 'number' ? inner : performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  const med = ts[reps >> 1]!;
  console.log(`  ${label.padEnd(44)} ${med.toFixed(2)} ms`);
  return med;
}

const lossGrad = () => void k.lossGrad({ sizes, activation: 'relu', params: p.params, x: p.x, batch, targets: p.targets, grad });
const ewc = () => void k.ewcPenaltyGrad({ params: p.params, anchor, fisher, lambda: 1, grad });
const adam = () => void k.adamStep({ params: p.params, grad, m, v, step: ++adamStep, lr: 1e-9 });
const zeros = new Float32Array(n);
const dm = new Float32Array(n);
const dv = new Float32Array(n);
/** One Adam pass with a zero gradient from moments at 1.176e-38: β1·m and β2·v land below 2^-126 (subnormal). */
const decayedAdam = (kk: typeof k) => (): number => {
  dm.fill(1.176e-38);
  dv.fill(1.176e-38);
  const t0 = performance.now();
  kk.adamStep({ params: p.params, grad: zeros, m: dm, v: dv, step: 10, lr: 1e-9 });
  return performance.now() - t0;
};
console.log(`${sizes.join('-')}, batch ${batch}, ${(n / 1e6).toFixed(2)} M parameters, kernels ${k.backend}`);
for (const t of [1, 2]) {
  k.setThreads(t);
  console.log(`threads ${k.threads()}`);
  const lg = median('lossGrad (warm)', lossGrad);
  median('forward (warm)', () => void k.forward({ sizes, activation: 'relu', params: p.params, x: p.x, batch, logits }));
  median('ewcPenaltyGrad', ewc);
  const normal = median('adamStep', adam);
  const decayed = median('adamStep, moments decayed to subnormals', decayedAdam(k), 20);
  console.log(`  subnormal / normal Adam pass: ${(decayed / normal).toFixed(2)}× (${k.backend})`);
  median('siAccumulate (SI path integral)', () => void k.siAccumulate({ omega: m, grad, before: anchor, after: p.params }));
  median('lossGrad + ewcPenaltyGrad + adamStep', () => {
    lossGrad();
    ewc();
    adam();
  });
  const cold = median('lossGrad after a 64 MB sweep (cold)', () => {
    sweep.fill(1);
    const t0 = performance.now();
    lossGrad();
    return performance.now() - t0;
  }, 40);
  // 2·(forward + weight-gradient) + 2·(input-gradient of the hidden layers) multiply-adds per example
  const macs = batch * (2 * (sizes[0]! * 1000 + 1000 * 1000 + 1000 * 10) + 1000 * 1000 + 1000 * 10);
  console.log(`  lossGrad throughput: ${((2 * macs) / lg / 1e6).toFixed(0)} GFLOP/s warm, ${((2 * macs) / cold / 1e6).toFixed(0)} cold`);
}
const ts = loadKernels({ backend: 'ts' });
console.log('ts backend');
median('siAccumulate (SI path integral)', () => void ts.siAccumulate({ omega: m, grad, before: anchor, after: p.params }));
const tsNormal = median('adamStep', () => void ts.adamStep({ params: p.params, grad, m, v, step: ++adamStep, lr: 1e-9 }), 10);
const tsDecayed = median('adamStep, moments decayed to subnormals', decayedAdam(ts), 10);
console.log(`  subnormal / normal Adam pass: ${(tsDecayed / tsNormal).toFixed(2)}× (ts: JavaScript computes in doubles)`);
