#!/usr/bin/env node
// The README's command 1 (the main job). Until the learner lands: install, build, run the kernels benchmark.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { install, pnpm } from './lib/run.mjs';

process.chdir(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));
if (install().status !== 0) process.exit(1);
if (pnpm(['exec', 'turbo', 'run', 'build', '--output-logs=errors-only']).status !== 0) process.exit(1);
process.exit(pnpm(['bench:kernels', ...process.argv.slice(2)]).status);
