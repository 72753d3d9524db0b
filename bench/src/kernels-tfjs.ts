// The peer of the kernels benchmark: the same MLP SGD step in TensorFlow.js on its WebAssembly backend.
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setWasmPaths, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import type { MlpProblem } from './kernels-workload.js';

/** How the tfjs-wasm backend was actually set up in this process. */
export interface TfjsInfo {
  tfjsVersion: string;
  wasmBackendVersion: string;
  backend: string;
  /** The .wasm binary the backend's locator resolved (simd, threaded-simd or plain). */
  wasmFile: string;
  simd: boolean;
  threads: number;
  /** Why threads are (not) used, in words. */
  threadsNote: string;
  /** Which formulation of the step is timed. */
  variant: string;
}

/** One SGD step of the MLP in tfjs, on variables that `reset` puts back to the problem's initial values. */
export interface TfjsTrainStep {
  info: TfjsInfo;
  /** One forward + softmax cross-entropy + backward + SGD update, every intermediate disposed. */
  step(): void;
  /** The mean cross-entropy at the current variables (for the cross-check against the kernels). */
  loss(): number;
  reset(): void;
  dispose(): void;
}

let initialised: Promise<void> | null = null;

/** Points tfjs at the wasm binaries shipped in the package (file paths work in Node) and selects the backend. */
export function initTfjsWasm(): Promise<void> {
  initialised ??= (async () => {
    const require = createRequire(import.meta.url);
    const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
    // In Node the emscripten loader reads the binary with fs, so a directory prefix ending in a separator is enough.
    setWasmPaths(dist + path.sep);
    const ok = await tf.setBackend('wasm');
    await tf.ready();
    if (!ok || tf.getBackend() !== 'wasm') throw new Error(`tfjs backend is ${tf.getBackend()}, not wasm`);
  })();
  return initialised;
}

async function describe(variant: string): Promise<TfjsInfo> {
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
  const mt = (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) as boolean;
  // The backend exposes its emscripten module; its locateFile is the override that picks the binary.
  const wasmModule = (tf.backend() as unknown as { wasm: WasmModule }).wasm;
  const wasmFile = path.basename(wasmModule.locateFile('tfjs-backend-wasm.wasm', ''));
  const threads = getThreadsCount();
  return {
    tfjsVersion: tf.version.tfjs,
    wasmBackendVersion: version_wasm,
    backend: tf.getBackend(),
    wasmFile,
    simd: simd && wasmFile.includes('simd'),
    threads: mt ? threads : 1,
    threadsNote: mt
      ? `multithreaded build, ${threads} threads`
      : 'single thread: tfjs-backend-wasm 4.22 disables its threaded build under Node (tfjs issue #3830)',
    variant,
  };
}

interface WasmModule {
  locateFile(file: string, prefix: string): string;
}

/**
 * Which formulation of the step tfjs runs. `fused`: `tf.fused.matMul` with bias and ReLU; `unfused`: matMul + add
 * + relu. Both are the idiomatic API, whose matMul gradient multiplies by transposed operands. `customGrad`: a
 * hand-written `tf.customGrad` layer that materialises the transposes first, not idiomatic, timed only to show how
 * much of tfjs-wasm's time its transposed-operand matMul path costs.
 */
export type TfjsVariant = 'fused' | 'unfused' | 'customGrad';

const VARIANT_TEXT: Record<TfjsVariant, string> = {
  fused: 'optimizer.minimize(tf.losses.softmaxCrossEntropy) over tf.fused.matMul(+bias, relu)',
  unfused: 'optimizer.minimize(tf.losses.softmaxCrossEntropy) over matMul + add + relu',
  customGrad: 'optimizer.minimize over tf.customGrad dense layers with explicit transposes (hand-tuned)',
};

type Dense = (a: tf.Tensor2D, w: tf.Variable<tf.Rank.R2>, b: tf.Variable<tf.Rank.R1>) => tf.Tensor2D;

function denseLayer(variant: TfjsVariant, relu: boolean, needInputGrad: boolean): Dense {
  const activation = relu ? 'relu' : 'linear';
  if (variant === 'fused') return (a, w, b) => tf.fused.matMul({ a, b: w, bias: b, activation }) as tf.Tensor2D;
  if (variant === 'unfused') {
    return (a, w, b) => {
      const z = tf.add(tf.matMul(a, w), b) as tf.Tensor2D;
      return relu ? tf.relu(z) : z;
    };
  }
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [a, w, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    const y = tf.fused.matMul({ a, b: w, bias: b, activation });
    save([a, w, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sa, sw, sy] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const dz = (relu ? tf.mul(dy, tf.step(sy)) : dy) as tf.Tensor2D;
        const da = needInputGrad ? tf.matMul(dz, sw.transpose()) : tf.zerosLike(sa);
        return [da, tf.matMul(sa.transpose(), dz), tf.sum(dz, 0)];
      },
    };
  });
  return (a, w, b) => f(a, w, b) as tf.Tensor2D;
}

/** Builds the tfjs step on the problem's exact parameters, batch and labels (weights transposed to in × out). */
export async function createTfjsTrainStep(
  problem: MlpProblem,
  lr: number,
  variant: TfjsVariant = 'fused',
): Promise<TfjsTrainStep> {
  await initTfjsWasm();
  const { sizes, batch } = problem;
  const classes = sizes[sizes.length - 1]!;
  const initial: tf.Tensor[] = [];
  let offset = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const nIn = sizes[l]!;
    const nOut = sizes[l + 1]!;
    const w = problem.params.subarray(offset, offset + nOut * nIn);
    initial.push(tf.tidy(() => tf.tensor2d(w, [nOut, nIn]).transpose()));
    offset += nOut * nIn;
    initial.push(tf.tensor1d(problem.params.slice(offset, offset + nOut)));
    offset += nOut;
  }
  const vars = initial.map((t) => {
    // A variable holds its own reference to the clone's data, so the clone handle itself can go.
    const c = t.clone();
    const v = tf.variable(c, true);
    c.dispose();
    return v;
  });
  const x = tf.tensor2d(problem.x, [batch, sizes[0]!]);
  const labels = tf.tidy(() => tf.oneHot(tf.tensor1d(problem.targets, 'int32'), classes).toFloat());
  const optimizer = tf.train.sgd(lr);
  const layers = sizes.length - 1;
  const dense = Array.from({ length: layers }, (_, l) => denseLayer(variant, l < layers - 1, l > 0));

  const logits = (): tf.Tensor2D => {
    let a: tf.Tensor2D = x;
    for (let l = 0; l < layers; l++) {
      a = dense[l]!(a, vars[2 * l] as tf.Variable<tf.Rank.R2>, vars[2 * l + 1] as tf.Variable<tf.Rank.R1>);
    }
    return a;
  };
  const lossFn = (): tf.Scalar => tf.losses.softmaxCrossEntropy(labels, logits()) as tf.Scalar;

  return {
    info: await describe(VARIANT_TEXT[variant]),
    step() {
      // minimize runs variableGrads and applyGradients inside its own tidy; returnCost=false keeps nothing alive.
      tf.tidy(() => {
        optimizer.minimize(lossFn, false, vars);
      });
    },
    loss() {
      return tf.tidy(() => lossFn().dataSync()[0]!);
    },
    reset() {
      vars.forEach((v, i) => v.assign(initial[i]!));
    },
    dispose() {
      vars.forEach((v) => v.dispose());
      initial.forEach((t) => t.dispose());
      x.dispose();
      labels.dispose();
      optimizer.dispose();
    },
  };
}
