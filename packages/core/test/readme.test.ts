import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('README', () => {
  it('runs the example and prints what the README says', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const code = /```ts\n([\s\S]*?)```/.exec(readme)![1]!;
    const expected = /```text\n([\s\S]*?)```/.exec(readme)![1]!;
    const file = path.join(root, 'test', '.readme-example.ts');
    fs.writeFileSync(file, code);
    try {
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=@retain/source', file], { cwd: root, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(expected);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});
