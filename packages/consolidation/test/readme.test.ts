import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it, vi } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

it('README quotes the quick-start example verbatim and the example runs, sleeping three times', async () => {
  const example = fs.readFileSync(path.join(root, 'examples/quick-start.ts'), 'utf8');
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  expect(readme).toContain(example.trim());
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  const mod = (await import('../examples/quick-start.js')) as { consolidations: number };
  const lines = log.mock.calls.map((c) => String(c[0]));
  log.mockRestore();
  expect(mod.consolidations).toBe(3);
  expect(lines).toHaveLength(3);
  expect(lines[0]).toMatch(/^sleep #0: 10 steps, Fisher refreshed: true, loss \d+\.\d{3}$/);
});
