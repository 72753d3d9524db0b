// Runs the README's example exactly as written (its imports mapped to the modules) and checks its output.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as core from '@retain/core';
import { expect, it } from 'vitest';
import * as kernels from '../src/index.js';

it('the README example trains and the loss falls', async () => {
  const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block).toBeDefined();
  const modules: Record<string, unknown> = { '@retain/core': core, '@retain/kernels': kernels };
  const body = block!.replace(/^import \{([^}]+)\} from '([^']+)';$/gm, (_m, names: string, from: string) => {
    if (!(from in modules)) throw new Error(`README example imports unknown module ${from}`);
    return `const {${names}} = modules[${JSON.stringify(from)}];`;
  });
  const lines: string[] = [];
  const fakeConsole = { log: (s: string) => lines.push(s) };
  new Function('modules', 'console', body)(modules, fakeConsole);
  expect(lines).toHaveLength(2);
  const losses = lines.map((l) => Number(/loss ([\d.]+)/.exec(l)![1]));
  expect(losses[1]!).toBeLessThan(losses[0]!);
  expect(losses[1]!).toBeLessThan(0.5 * Math.log(3));
  expect(lines[1]).toMatch(/\((native|ts)\)$/);
});
