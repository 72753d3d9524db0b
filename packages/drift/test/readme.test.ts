import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const code = /```ts\n([\s\S]*?)```/.exec(readme)![1]!;
const printed = /prints[^\n]*\n\n```text\n([\s\S]*?)```/.exec(readme)![1]!;
const dir = mkdtempSync(join(fileURLToPath(new URL('.', import.meta.url)), '.readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('README example', () => {
  it('runs and prints what the README says it prints', async () => {
    const src = pathToFileURL(fileURLToPath(new URL('../src/index.ts', import.meta.url))).href;
    const file = join(dir, 'example.ts');
    writeFileSync(file, code.replace("from '@retain/drift'", `from '${src}'`));
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
    try {
      await import(pathToFileURL(file).href);
    } finally {
      spy.mockRestore();
    }
    expect(lines.join('\n')).toBe(printed.trimEnd());
  });
});
