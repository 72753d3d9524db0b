import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Rng } from '@retain/core';
import { loadKernels } from '@retain/kernels';
import { LearnerStore, loadLearner } from '../src/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const tsxArgs = ['--import', 'tsx', '--conditions=@retain/source'];

/** Start the child, wait until it is learning, kill -9 it after `delayMs`. */
function runAndKill(args: string[], delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...tsxArgs, ...args], { cwd: path.join(here, '..'), stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.once('data', () => setTimeout(() => child.kill('SIGKILL'), delayMs));
    child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`child exited by itself: ${err}`))));
  });
}

describe('crash safety', () => {
  it('a kill -9 at 50 random instants always leaves the last committed checkpoint loadable', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retain-kill-'));
    const rng = new Rng(2026);
    const kernels = loadKernels({ backend: 'ts' });
    let lastSeen = -1;
    for (let k = 0; k < 50; k++) {
      await runAndKill([path.join(here, 'fixtures/learn-child.ts'), dir], rng.int(300));
      const store = LearnerStore.open(dir);
      expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
      const learner = loadLearner(store, undefined, { kernels });
      if (learner) {
        const seen = learner.stats().examplesSeen;
        expect(seen).toBeGreaterThanOrEqual(lastSeen);
        lastSeen = seen;
        // the restored learner is usable: it predicts and learns
        expect(learner.predictOne(new Array(20).fill(1)).probs.length).toBe(3);
      }
      store.close();
    }
    expect(lastSeen).toBeGreaterThan(0);
  }, 240_000);
});
