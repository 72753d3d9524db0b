// Argument checks shared by both backends (SPEC.md, "Argument checks"): every call is validated here before
// any output is written, so a rejected call leaves every array untouched and both backends throw the same
// typed error naming the same field.
import { AliasingError, InvalidArgumentError, ShapeError, paramCount, validateSizes } from '@retain/core';
import type {
  AdamArgs,
  DistillOptions,
  DropoutOptions,
  EwcArgs,
  SiArgs,
  FisherArgs,
  ForwardArgs,
  LossGradArgs,
  MlpArgs,
  SgdArgs,
} from './types.js';

type Named = readonly [field: string, array: ArrayBufferView | undefined];

function requireArgs(args: unknown): void {
  if (typeof args !== 'object' || args === null) throw new InvalidArgumentError('args', 'must be an object');
}

function checkF32(value: unknown, field: string, expected: number): void {
  if (!(value instanceof Float32Array)) throw new InvalidArgumentError(field, 'must be a Float32Array');
  if (value.length !== expected) throw new ShapeError(field, expected, value.length);
}

function checkOptionalF32(value: unknown, field: string, expected: number): void {
  if (value !== undefined) checkF32(value, field, expected);
}

function checkTargets(value: unknown, field: string, batch: number): void {
  if (!(value instanceof Int32Array)) throw new InvalidArgumentError(field, 'must be an Int32Array');
  if (value.length !== batch) throw new ShapeError(field, batch, value.length);
}

function checkMaskShape(value: unknown, batch: number, classes: number): void {
  if (value === undefined) return;
  if (!(value instanceof Uint8Array)) throw new InvalidArgumentError('outputMask', 'must be a Uint8Array');
  if (value.length !== batch * classes) {
    throw new ShapeError('outputMask', batch * classes, value.length, `batch ${batch} × classes ${classes}`);
  }
}

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** A finite number in [min, max) or [min, max] (per `maxOpen`); `min` exclusive when `minOpen`. */
function checkRange(v: unknown, field: string, min: number, minOpen: boolean, max: number, maxOpen: boolean): void {
  const ok = isNum(v) && (minOpen ? v > min : v >= min) && (maxOpen ? v < max : v <= max);
  if (!ok) {
    const range = `${minOpen ? '(' : '['}${min}, ${max === Infinity ? '∞' : max}${maxOpen ? ')' : ']'}`;
    throw new InvalidArgumentError(field, `must be a finite number in ${range}, got ${String(v)}`);
  }
}

function checkOptionalRange(v: unknown, field: string, min: number, minOpen: boolean, max: number, maxOpen: boolean): void {
  if (v !== undefined) checkRange(v, field, min, minOpen, max, maxOpen);
}

/** Two views intersect when they share an ArrayBuffer and their byte ranges overlap. */
export function overlaps(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (a.buffer !== b.buffer || a.byteLength === 0 || b.byteLength === 0) return false;
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

/** Every output must be disjoint from every other array argument (outputs listed first). */
function checkAliasing(outputs: readonly Named[], inputs: readonly Named[]): void {
  const all = [...outputs, ...inputs];
  for (let i = 0; i < outputs.length; i++) {
    const [field, arr] = outputs[i]!;
    if (arr === undefined) continue;
    for (let j = 0; j < all.length; j++) {
      if (j === i) continue;
      const [other, b] = all[j]!;
      if (b !== undefined && overlaps(arr, b)) throw new AliasingError(field, other);
    }
  }
}

function checkMlp(args: MlpArgs): { classes: number } {
  requireArgs(args);
  validateSizes(args.sizes, 'sizes');
  if (args.activation !== 'relu' && args.activation !== 'tanh') {
    throw new InvalidArgumentError('activation', `must be 'relu' or 'tanh', got ${String(args.activation)}`);
  }
  const b = args.batch;
  if (typeof b !== 'number' || !Number.isSafeInteger(b) || b < 1) {
    throw new InvalidArgumentError('batch', `must be an integer ≥ 1, got ${String(b)}`);
  }
  checkF32(args.params, 'params', paramCount(args.sizes));
  checkF32(args.x, 'x', b * args.sizes[0]!);
  return { classes: args.sizes[args.sizes.length - 1]! };
}

function checkDropout(d: DropoutOptions | undefined): void {
  if (d === undefined) return;
  if (typeof d !== 'object' || d === null) throw new InvalidArgumentError('dropout', 'must be an object');
  checkRange(d.rate, 'dropout.rate', 0, false, 1, true);
  if (!Number.isInteger(d.seed) || d.seed < 0 || d.seed > 0xffffffff) {
    throw new InvalidArgumentError('dropout.seed', `must be an integer in [0, 2^32), got ${String(d.seed)}`);
  }
}

function checkDistill(d: DistillOptions | undefined, batch: number, classes: number): void {
  if (d === undefined) return;
  if (typeof d !== 'object' || d === null) throw new InvalidArgumentError('distill', 'must be an object');
  checkF32(d.teacherLogits, 'distill.teacherLogits', batch * classes);
  checkRange(d.temperature, 'distill.temperature', 0, true, Infinity, true);
  checkRange(d.weight, 'distill.weight', 0, false, Infinity, true);
  const r = d.rowWeights;
  if (r !== undefined) {
    checkF32(r, 'distill.rowWeights', batch);
    for (let i = 0; i < batch; i++) {
      const v = r[i]!;
      if (!(v >= 0 && v < Infinity)) throw new InvalidArgumentError(`distill.rowWeights[${i}]`, `must be finite and ≥ 0, got ${v}`);
    }
  }
  const g = d.classGroups;
  if (g === undefined) return;
  if (!(g instanceof Int32Array)) throw new InvalidArgumentError('distill.classGroups', 'must be an Int32Array');
  if (g.length !== classes) throw new ShapeError('distill.classGroups', classes, g.length);
  for (let c = 0; c < classes; c++) {
    if (g[c]! < -1 || g[c]! >= classes) {
      throw new InvalidArgumentError(`distill.classGroups[${c}]`, `must be -1 (no term) or a group id in [0, ${classes}), got ${g[c]}`);
    }
  }
}

/** Mask rows need an allowed class; targets must be in range and allowed. */
function checkTargetValues(targets: Int32Array, mask: Uint8Array | undefined, batch: number, classes: number): void {
  checkMaskRows(mask, batch, classes);
  for (let i = 0; i < batch; i++) {
    const y = targets[i]!;
    if (y < 0 || y >= classes) throw new InvalidArgumentError(`targets[${i}]`, `must be in [0, ${classes}), got ${y}`);
    if (mask !== undefined && mask[i * classes + y] === 0) {
      throw new InvalidArgumentError(`targets[${i}]`, `class ${y} is masked out by outputMask`);
    }
  }
}

function checkMaskRows(mask: Uint8Array | undefined, batch: number, classes: number): void {
  if (mask === undefined) return;
  for (let i = 0; i < batch; i++) {
    let any = false;
    for (let c = 0; c < classes; c++) if (mask[i * classes + c] !== 0) any = true;
    if (!any) throw new InvalidArgumentError(`outputMask[${i}]`, 'row allows no class');
  }
}

/** Validates {@link ForwardArgs}. */
export function validateForward(args: ForwardArgs): void {
  const { classes } = checkMlp(args);
  checkF32(args.logits, 'logits', args.batch * classes);
  checkMaskShape(args.outputMask, args.batch, classes);
  checkDropout(args.dropout);
  checkAliasing(
    [['logits', args.logits]],
    [
      ['params', args.params],
      ['x', args.x],
      ['outputMask', args.outputMask],
    ],
  );
  checkMaskRows(args.outputMask, args.batch, classes);
}

/** Validates {@link LossGradArgs}. */
export function validateLossGrad(args: LossGradArgs): void {
  const { classes } = checkMlp(args);
  const B = args.batch;
  checkTargets(args.targets, 'targets', B);
  checkF32(args.grad, 'grad', args.params.length);
  checkOptionalF32(args.perExampleLoss, 'perExampleLoss', B);
  checkOptionalF32(args.logits, 'logits', B * classes);
  checkOptionalF32(args.weights, 'weights', B);
  checkMaskShape(args.outputMask, B, classes);
  checkDropout(args.dropout);
  checkDistill(args.distill, B, classes);
  checkAliasing(
    [
      ['grad', args.grad],
      ['perExampleLoss', args.perExampleLoss],
      ['logits', args.logits],
    ],
    [
      ['params', args.params],
      ['x', args.x],
      ['targets', args.targets],
      ['weights', args.weights],
      ['outputMask', args.outputMask],
      ['distill.teacherLogits', args.distill?.teacherLogits],
      ['distill.classGroups', args.distill?.classGroups],
      ['distill.rowWeights', args.distill?.rowWeights],
    ],
  );
  checkTargetValues(args.targets, args.outputMask, B, classes);
  const w = args.weights;
  if (w !== undefined) {
    for (let i = 0; i < B; i++) {
      const v = w[i]!;
      if (!(v >= 0 && v < Infinity)) throw new InvalidArgumentError(`weights[${i}]`, `must be finite and ≥ 0, got ${v}`);
    }
  }
}

/** Validates {@link FisherArgs}. */
export function validateFisher(args: FisherArgs): void {
  const { classes } = checkMlp(args);
  if (args.kind !== 'empirical' && args.kind !== 'expected') {
    throw new InvalidArgumentError('kind', `must be 'empirical' or 'expected', got ${String(args.kind)}`);
  }
  const empirical = args.kind === 'empirical';
  if (empirical) {
    if (args.targets === undefined) throw new InvalidArgumentError('targets', "required when kind is 'empirical'");
    checkTargets(args.targets, 'targets', args.batch);
  }
  checkMaskShape(args.outputMask, args.batch, classes);
  checkF32(args.fisher, 'fisher', args.params.length);
  checkAliasing(
    [['fisher', args.fisher]],
    [
      ['params', args.params],
      ['x', args.x],
      ['targets', empirical ? args.targets : undefined],
      ['outputMask', args.outputMask],
    ],
  );
  if (empirical) checkTargetValues(args.targets!, args.outputMask, args.batch, classes);
  else checkMaskRows(args.outputMask, args.batch, classes);
}

/** Validates {@link SiArgs}. */
export function validateSi(args: SiArgs): void {
  requireArgs(args);
  if (!(args.omega instanceof Float32Array)) throw new InvalidArgumentError('omega', 'must be a Float32Array');
  const n = args.omega.length;
  checkF32(args.grad, 'grad', n);
  checkF32(args.before, 'before', n);
  checkF32(args.after, 'after', n);
  checkAliasing(
    [['omega', args.omega]],
    [
      ['grad', args.grad],
      ['before', args.before],
      ['after', args.after],
    ],
  );
}

/** Validates {@link EwcArgs}. */
export function validateEwc(args: EwcArgs): void {
  requireArgs(args);
  if (!(args.params instanceof Float32Array)) throw new InvalidArgumentError('params', 'must be a Float32Array');
  const n = args.params.length;
  checkF32(args.anchor, 'anchor', n);
  checkF32(args.fisher, 'fisher', n);
  checkF32(args.grad, 'grad', n);
  checkRange(args.lambda, 'lambda', 0, false, Infinity, true);
  checkAliasing(
    [['grad', args.grad]],
    [
      ['params', args.params],
      ['anchor', args.anchor],
      ['fisher', args.fisher],
    ],
  );
}

function checkCommonStep(args: SgdArgs | AdamArgs): number {
  requireArgs(args);
  if (!(args.params instanceof Float32Array)) throw new InvalidArgumentError('params', 'must be a Float32Array');
  const n = args.params.length;
  checkF32(args.grad, 'grad', n);
  checkRange(args.lr, 'lr', 0, true, Infinity, true);
  checkOptionalRange(args.weightDecay, 'weightDecay', 0, false, Infinity, true);
  checkOptionalRange(args.clipNorm, 'clipNorm', 0, false, Infinity, true);
  return n;
}

/** Validates {@link SgdArgs}. */
export function validateSgd(args: SgdArgs): void {
  const n = checkCommonStep(args);
  checkOptionalRange(args.momentum, 'momentum', 0, false, 1, true);
  if (args.nesterov !== undefined && typeof args.nesterov !== 'boolean') {
    throw new InvalidArgumentError('nesterov', 'must be a boolean');
  }
  if ((args.momentum ?? 0) > 0 && args.velocity === undefined) {
    throw new InvalidArgumentError('velocity', 'required when momentum > 0');
  }
  checkOptionalF32(args.velocity, 'velocity', n);
  checkAliasing(
    [
      ['params', args.params],
      ['velocity', args.velocity],
    ],
    [['grad', args.grad]],
  );
}

/** Validates {@link AdamArgs}. */
export function validateAdam(args: AdamArgs): void {
  const n = checkCommonStep(args);
  checkF32(args.m, 'm', n);
  checkF32(args.v, 'v', n);
  if (!Number.isSafeInteger(args.step) || args.step < 1) {
    throw new InvalidArgumentError('step', `must be an integer ≥ 1, got ${String(args.step)}`);
  }
  checkOptionalRange(args.beta1, 'beta1', 0, false, 1, true);
  checkOptionalRange(args.beta2, 'beta2', 0, false, 1, true);
  checkOptionalRange(args.eps, 'eps', 0, true, Infinity, true);
  checkAliasing(
    [
      ['params', args.params],
      ['m', args.m],
      ['v', args.v],
    ],
    [['grad', args.grad]],
  );
}
