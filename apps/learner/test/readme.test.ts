import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('README', () => {
  it('runs the TypeScript example and prints exactly the output the README shows', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const code = /```ts\n([\s\S]*?)```/.exec(readme)![1]!;
    // The block right after the example, introduced by "prints".
    const expected = /prints[^\n]*:\n\n```text\n([\s\S]*?)```/.exec(readme)![1]!;
    // Inside the package, so `@retain/learner` resolves to itself (package self-reference).
    const file = path.join(root, 'test', '.readme-example.ts');
    fs.writeFileSync(file, code);
    try {
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=@retain/source', file], {
        cwd: root,
        encoding: 'utf8',
        // The figures in the README were printed by the native kernels.
        env: { ...process.env, RETAIN_KERNELS: 'native' },
      });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(expected);
    } finally {
      fs.rmSync(file, { force: true });
    }
  }, 60_000);
});
