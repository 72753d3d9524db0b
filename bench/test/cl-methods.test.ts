import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidConfigError } from '@retain/core';
import { METHODS, methodConfig, parseOverrides, variantName } from '../src/cl/methods.js';
import { fullPlan } from '../src/cl/plan.js';
import { protocolFor, withProtocolOverrides } from '../src/cl/protocols.js';

const p = protocolFor('permuted-mnist');

describe('methodConfig', () => {
  it('configures fine-tune with no replay, no regularizer and the protocol optimizer', () => {
    const c = methodConfig('fine-tune', p, 3, 10);
    expect(c.replay.enabled).toBe(false);
    expect([c.ewc.enabled, c.si.enabled, c.distillation.enabled]).toEqual([false, false, false]);
    expect(c.optimizer).toMatchObject({ kind: 'adam', lr: 1e-4 });
    // van de Ven's permuted MNIST: 32×32 padded images in [0, 1]
    expect(c.model).toMatchObject({ hidden: [1000, 1000], classes: 10, inputSize: 1024 });
    expect([p.pixels, p.pad]).toEqual(['unit', 2]);
    expect(methodConfig('fine-tune', protocolFor('split-mnist-class'), 3, 10).model.inputSize).toBe(784);
    // separate EWC penalties merge into one pair with the same gradient
    expect(methodConfig('ewc', p, 3, 10).ewc).toMatchObject({ mode: 'separate', maxTasks: 1 });
    expect(c.batchSize).toBe(128);
    expect(c.sleep.steps).toBe(0);
    expect(c.seed).toBe(3);
  });

  it('gives replay + EWC at most 2,000 stored examples and 128 replayed per step on permuted MNIST', () => {
    const c = methodConfig('replay-ewc', p, 0, 10);
    expect(c.replay).toMatchObject({ enabled: true, capacity: 2000, perStep: 128, strategy: 'reservoir' });
    expect(c.ewc).toMatchObject({ enabled: true, mode: 'separate', lambda: 500 });
  });

  it('uses a class-balanced memory for the online protocol and consolidates regularizers on drift', () => {
    const online = protocolFor('online-split-mnist-class');
    expect(methodConfig('replay-class-balanced', online, 0, 10).replay).toMatchObject({ strategy: 'domainBalanced', balanceBy: 'class', capacity: 1000, perStep: 10 });
    const si = methodConfig('si', online, 0, 10);
    expect(si.drift.enabled).toBe(true);
    expect(si.scheduler.onDrift).toBe(true);
    expect(methodConfig('replay-reservoir', online, 0, 10).drift.enabled).toBe(false);
    // ER-ACE: the same class-balanced memory with the asymmetric cross-entropy, three seeds against the Avalanche target
    expect(methodConfig('er-ace', online, 0, 10).replay).toMatchObject({ strategy: 'domainBalanced', balanceBy: 'class', asymmetric: true, perStep: 10 });
    expect(fullPlan().filter((c) => c.scenario === 'online-split-mnist-class' && c.method === 'er-ace')).toHaveLength(3);
    // offline, each example's task is its domain: a task-balanced memory splits the slots between the tasks
    const split = protocolFor('split-mnist-class');
    expect(methodConfig('replay-task-balanced', split, 0, 10).replay).toMatchObject({ strategy: 'domainBalanced', balanceBy: 'domain', capacity: 1100 });
    expect(methodConfig('replay-reservoir', split, 0, 10).replay.admission).toBe('step');
    // Hsu et al.'s protocol: a task enters the memory only once it is over; 64 new + 64 replayed on 32×32 images
    const hsu = methodConfig('replay-reservoir', protocolFor('split-mnist-class-hsu'), 0, 10);
    expect(hsu.replay).toMatchObject({ admission: 'consolidation', perStep: 64, capacity: 1100 });
    expect([hsu.batchSize, hsu.model.inputSize]).toEqual([64, 1024]);
    const planned = new Set(fullPlan().filter((c) => c.scenario === 'split-mnist-class-hsu').map((c) => c.method));
    expect([...planned]).toEqual(['fine-tune', 'joint', 'replay-reservoir', 'replay-task-balanced']);
    expect(fullPlan().filter((c) => c.scenario === 'split-mnist-class-hsu' && c.method === 'replay-reservoir')).toHaveLength(3);
  });

  it('parses every listed method', () => {
    for (const m of METHODS) expect(() => methodConfig(m, p, 0, 10)).not.toThrow();
    expect(() => methodConfig('dgr', p, 0, 10)).toThrow(InvalidArgumentError);
  });

  it('applies --set overrides as JSON values, and the learner schema rejects a bad one by field', () => {
    const o = parseOverrides(['ewc.lambda=1000', 'model.hidden=[256,256]', 'replay.strategy=uniform', 'ewc.enabled=true']);
    expect(o).toEqual({ ewc: { lambda: 1000, enabled: true }, model: { hidden: [256, 256] }, replay: { strategy: 'uniform' } });
    expect(methodConfig('ewc', p, 0, 10, o).ewc.lambda).toBe(1000);
    expect(() => methodConfig('ewc', p, 0, 10, parseOverrides(['ewc.lambda=-1']))).toThrow(InvalidConfigError);
    expect(() => parseOverrides(['lambda'])).toThrow(InvalidArgumentError);
    expect(variantName('ewc', ['z=1', 'a=2'])).toBe('ewc+a=2+z=1');
  });
});

describe('withProtocolOverrides', () => {
  it('changes the step budget and method strengths, and rejects anything else by name', () => {
    const o = parseOverrides(['protocol.itersPerTask=375', 'protocol.hyper.ewcLambda=50']).protocol as Record<string, unknown>;
    const q = withProtocolOverrides(p, o);
    expect(q.itersPerTask).toBe(375);
    expect(q.hyper.ewcLambda).toBe(50);
    expect(p.itersPerTask).toBe(5000);
    expect(methodConfig('ewc', q, 0, 10).ewc.lambda).toBe(50);
    expect(() => withProtocolOverrides(p, { hidden: 3 })).toThrow(/protocol\.hidden/);
    expect(() => withProtocolOverrides(p, { itersPerTask: 0 })).toThrow(InvalidArgumentError);
    expect(() => withProtocolOverrides(p, { hyper: { lr: 1 } })).toThrow(/protocol\.hyper\.lr/);
    const old = withProtocolOverrides(p, { pixels: 'normalized', pad: 0 });
    expect([old.pixels, old.pad, methodConfig('ewc', old, 0, 10).model.inputSize]).toEqual(['normalized', 0, 784]);
    expect(() => withProtocolOverrides(p, { pixels: 'raw' })).toThrow(/protocol\.pixels/);
    expect(() => withProtocolOverrides(p, { pad: -2 })).toThrow(/protocol\.pad/);
  });
});
