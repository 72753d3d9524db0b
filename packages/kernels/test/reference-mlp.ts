// Float64 reference of SPEC.md written the naive way (per example, per unit), used as the oracle of the
// conformance suite. It shares nothing with the backends except the exported dropout hash.
import { dropoutKeep } from '../src/index.js';
import type { Activation } from '@retain/core';

export interface RefArgs {
  sizes: readonly number[];
  activation: Activation;
  params: ArrayLike<number>;
  x: ArrayLike<number>;
  batch: number;
  targets?: ArrayLike<number>;
  weights?: ArrayLike<number>;
  outputMask?: ArrayLike<number>;
  dropout?: { rate: number; seed: number };
  distill?: {
    teacherLogits: ArrayLike<number>;
    temperature: number;
    weight: number;
    classGroups?: ArrayLike<number>;
    rowWeights?: ArrayLike<number>;
  };
}

/** Per-example logits (masked entries −∞) in float64. */
export function refForward(a: RefArgs): number[][] {
  const out: number[][] = [];
  const L = a.sizes.length - 1;
  for (let i = 0; i < a.batch; i++) {
    let act: number[] = [];
    for (let k = 0; k < a.sizes[0]!; k++) act.push(a.x[i * a.sizes[0]! + k]!);
    let off = 0;
    for (let l = 0; l < L; l++) {
      const nIn = a.sizes[l]!;
      const nOut = a.sizes[l + 1]!;
      const next: number[] = [];
      for (let o = 0; o < nOut; o++) {
        let z = a.params[off + nIn * nOut + o]!;
        for (let k = 0; k < nIn; k++) z += act[k]! * a.params[off + o * nIn + k]!;
        if (l < L - 1) {
          z = a.activation === 'relu' ? Math.max(0, z) : Math.tanh(z);
          if (a.dropout !== undefined && a.dropout.rate > 0) {
            const keep = dropoutKeep(a.dropout.seed, l, i, o, nOut, a.dropout.rate);
            z = keep ? z / (1 - a.dropout.rate) : 0;
          }
        }
        next.push(z);
      }
      off += nIn * nOut + nOut;
      act = next;
    }
    const C = a.sizes[L]!;
    if (a.outputMask !== undefined) for (let c = 0; c < C; c++) if (a.outputMask[i * C + c] === 0) act[c] = -Infinity;
    out.push(act);
  }
  return out;
}

function logSoftmax(z: readonly number[]): number[] {
  const m = Math.max(...z.filter((v) => v > -Infinity));
  let s = 0;
  for (const v of z) if (v > -Infinity) s += Math.exp(v - m);
  const lse = Math.log(s) + m;
  return z.map((v) => (v > -Infinity ? v - lse : -Infinity));
}

/** Per-example cross-entropy and total (weighted, distilled) batch loss, float64. */
export function refLoss(a: RefArgs): { loss: number; perExample: number[] } {
  const logits = refForward(a);
  const C = a.sizes[a.sizes.length - 1]!;
  let total = 0;
  const perExample: number[] = [];
  for (let i = 0; i < a.batch; i++) {
    const lp = logSoftmax(logits[i]!);
    const ce = -lp[a.targets![i]!]!;
    perExample.push(ce);
    let Li = ce;
    // rowWeights: a factor on the example's term; 0 drops it without reading the teacher row.
    const r = a.distill?.rowWeights === undefined ? 1 : a.distill.rowWeights[i]!;
    if (r !== 0 && a.distill?.classGroups !== undefined) {
      // Per group: its own softmax of student and teacher over the group's classes, mask ignored; mean of the KLs.
      const groups = Array.from(a.distill.classGroups);
      const ids = [...new Set(groups)].filter((g) => g >= 0);
      const T = a.distill.temperature;
      const raw = refForward({ ...a, outputMask: undefined })[i]!;
      for (const id of ids) {
        const zs = raw.map((v, c) => (groups[c] === id ? v / T : -Infinity));
        const zt = raw.map((_, c) => (groups[c] === id ? a.distill!.teacherLogits[i * C + c]! / T : -Infinity));
        const lq = logSoftmax(zs);
        const lt = logSoftmax(zt);
        let kl = 0;
        for (let c = 0; c < C; c++) if (lt[c]! > -Infinity) kl += Math.exp(lt[c]!) * (lt[c]! - lq[c]!);
        Li += (r * a.distill.weight * T * T * kl) / ids.length;
      }
    } else if (r !== 0 && a.distill !== undefined) {
      const T = a.distill.temperature;
      const zs = logits[i]!.map((v) => v / T);
      const zt = logits[i]!.map((v, c) => (v > -Infinity ? a.distill!.teacherLogits[i * C + c]! / T : -Infinity));
      const lq = logSoftmax(zs);
      const lt = logSoftmax(zt);
      let kl = 0;
      for (let c = 0; c < C; c++) if (lt[c]! > -Infinity) kl += Math.exp(lt[c]!) * (lt[c]! - lq[c]!);
      Li += r * a.distill.weight * T * T * kl;
    }
    total += (a.weights === undefined ? 1 : a.weights[i]!) * Li;
  }
  return { loss: total / a.batch, perExample };
}

/** Central-difference gradient of {@link refLoss} w.r.t. the parameters (float64, step h). */
export function refGrad(a: RefArgs, h = 1e-6): Float64Array {
  const p = Float64Array.from(a.params);
  const g = new Float64Array(p.length);
  for (let k = 0; k < p.length; k++) {
    const old = p[k]!;
    p[k] = old + h;
    const lp = refLoss({ ...a, params: p }).loss;
    p[k] = old - h;
    const lm = refLoss({ ...a, params: p }).loss;
    p[k] = old;
    g[k] = (lp - lm) / (2 * h);
  }
  return g;
}

/** Softmax probabilities per example (masked classes 0), float64. */
export function refProbs(a: RefArgs): number[][] {
  return refForward(a).map((z) => logSoftmax(z).map((v) => (v > -Infinity ? Math.exp(v) : 0)));
}
