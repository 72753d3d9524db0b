// A stale binary (missing a function, or an older calling convention) is rejected with a reason, not half-used.
import { describe, expect, it } from 'vitest';
import { NATIVE_ABI, checked } from '../src/native.js';

const NAMES = ['info', 'setThreads', 'threads', 'forward', 'forwardAsync', 'lossGrad', 'lossGradAsync', 'fisherDiag', 'fisherDiagAsync'];
const MORE = ['ewcPenaltyGrad', 'ewcPenaltyGradAsync', 'siAccumulate', 'sgdStep', 'sgdStepAsync', 'adamStep', 'adamStepAsync'];

function fakeBinding(abi: number | undefined, drop?: string): Record<string, unknown> {
  const b: Record<string, unknown> = {};
  for (const n of [...NAMES, ...MORE]) if (n !== drop) b[n] = () => 0;
  b['info'] = () => ({ version: '0.0.0', cpuFeatures: [], ...(abi === undefined ? {} : { abi }) });
  return b;
}

describe('native binding check', () => {
  it('accepts a binary of this ABI', () => {
    expect(() => checked(fakeBinding(NATIVE_ABI), 'fake.node')).not.toThrow();
  });

  it('rejects an older or unversioned calling convention, naming both ABIs', () => {
    expect(() => checked(fakeBinding(NATIVE_ABI - 1), 'old.node')).toThrow(`old.node speaks binding ABI ${NATIVE_ABI - 1}, this package needs ${NATIVE_ABI}`);
    expect(() => checked(fakeBinding(undefined), 'older.node')).toThrow(/ABI undefined/);
  });

  it('rejects a binary that lacks a function, naming it', () => {
    expect(() => checked(fakeBinding(NATIVE_ABI, 'adamStepAsync'), 'partial.node')).toThrow(/lacks adamStepAsync/);
  });
});
