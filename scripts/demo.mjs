#!/usr/bin/env node
// The README's command 1: install, build (native kernels included), then `retain demo`: permuted MNIST through a
// fine-tune and a stable learner side by side, one promotion cycle, and the HTML report.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { install, pnpm } from './lib/run.mjs';

process.chdir(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));
if (install().status !== 0) process.exit(1);
if (pnpm(['exec', 'turbo', 'run', 'build', '--output-logs=errors-only']).status !== 0) process.exit(1);
process.exit(pnpm(['--silent', 'retain', 'demo', ...process.argv.slice(2)]).status);
