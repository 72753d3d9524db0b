// A kernel conformance quick check that runs inside the consumer project, against the INSTALLED
// @retain/kernels: a few calls on a tiny MLP whose results are worked out by hand below, so both the native
// and the TS backend must reproduce them. The script is written out as .mjs and run with plain Node.

/** The script: prints one JSON line with the backend that loaded and every computed value. */
export const QUICK_CHECK_SCRIPT = `
import { createRequire } from 'node:module';
import { loadKernels } from '@retain/kernels';
const k = loadKernels();
// 2-2-2 ReLU MLP. fc0.weight [[1,-1],[0.5,0.5]], fc0.bias 0; fc1.weight [[1,2],[3,-1]], fc1.bias [0.1,0.2].
const sizes = [2, 2, 2];
const params = Float32Array.from([1, -1, 0.5, 0.5, 0, 0, 1, 2, 3, -1, 0.1, 0.2]);
const x = Float32Array.from([1, 2]);
const logits = new Float32Array(2);
k.forward({ sizes, activation: 'relu', params, x, batch: 1, logits });
const grad = new Float32Array(params.length);
const loss = k.lossGrad({ sizes, activation: 'relu', params, x, batch: 1, targets: Int32Array.from([0]), grad });
const ewcGrad = new Float32Array([0.5, 0]);
const penalty = k.ewcPenaltyGrad({
  params: Float32Array.from([1, 2]), anchor: Float32Array.from([0, 1]), fisher: Float32Array.from([2, 3]),
  lambda: 0.5, grad: ewcGrad,
});
const p = Float32Array.from([1, -2]);
const norm = k.sgdStep({ params: p, grad: Float32Array.from([3, 4]), lr: 0.1 });
let nativePackage = null;
try { nativePackage = createRequire(import.meta.url).resolve('@retain/kernels-linux-x64-gnu'); } catch {}
console.log(JSON.stringify({
  backend: k.info.backend, fallbackReason: k.info.fallbackReason ?? null, nativePackage,
  logits: [...logits], loss, grad: [...grad], penalty, ewcGrad: [...ewcGrad], norm, sgdParams: [...p],
}));
`;

/** What the script prints. */
export interface QuickCheckResult {
  backend: 'native' | 'ts';
  fallbackReason: string | null;
  nativePackage: string | null;
  logits: number[];
  loss: number;
  grad: number[];
  penalty: number;
  ewcGrad: number[];
  norm: number;
  sgdParams: number[];
}

// Hand-derived: h = relu([1-2, 0.5+1]) = [0, 1.5]; z = [1·0 + 2·1.5 + 0.1, 3·0 − 1.5 + 0.2] = [3.1, −1.3].
const z = [3.1, -1.3];
const p0 = 1 / (1 + Math.exp(z[1]! - z[0]!));
const d = [p0 - 1, 1 - p0]; // softmax − onehot(0)
// Backprop: dW1 = d ⊗ h, db1 = d; dh = W1ᵀd masked by h > 0 (only unit 1 is active); dW0 row 1 = dh1 ⊗ x.
const dh1 = 2 * d[0]! + -1 * d[1]!;

/** The values every backend must produce. */
export const EXPECTED = {
  logits: z,
  loss: Math.log1p(Math.exp(z[1]! - z[0]!)),
  grad: [0, 0, dh1 * 1, dh1 * 2, 0, dh1, d[0]! * 0, d[0]! * 1.5, d[1]! * 0, d[1]! * 1.5, d[0]!, d[1]!],
  // ½λΣF(θ−θ*)² = ½·0.5·(2·1 + 3·1) = 1.25; grad += λF(θ−θ*) = [0.5 + 1, 0 + 1.5].
  penalty: 1.25,
  ewcGrad: [1.5, 1.5],
  // Plain SGD: θ − 0.1·g; returns ‖g‖ = 5.
  norm: 5,
  sgdParams: [0.7, -2.4],
};
