import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, it, vi } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));

it('runs the README example and prints what the README says it prints', async () => {
  const readme = fs.readFileSync(path.join(here, '..', 'README.md'), 'utf8');
  const code = /```ts\n([\s\S]*?)```/.exec(readme)![1]!;
  const printed = /Prints:\n\n```\n([\s\S]*?)```/.exec(readme)![1]!.trim().split('\n');
  const src = pathToFileURL(path.join(here, '..', 'src', 'index.ts')).href;
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'memory-readme-')), 'example.ts');
  fs.writeFileSync(file, code.replace("'@retain/memory'", `'${src}'`));
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  try {
    await import(pathToFileURL(file).href);
  } finally {
    spy.mockRestore();
  }
  expect(lines).toEqual(printed);
});
