#!/usr/bin/env node
// Builds the native kernels (crates/retain-napi) with @napi-rs/cli into packages/kernels/native/:
// retain-kernels.<platform>.node (git-ignored) plus the generated loader binding.cjs / binding.d.ts.
// Without a Rust toolchain it says so and exits 0: @retain/kernels then runs its pure-TS backend.
// Extra arguments go to `napi build` (e.g. `--target aarch64-unknown-linux-gnu` in CI).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = resolve(pkgDir, '../..');

if (process.env.RETAIN_SKIP_NATIVE === '1') {
  console.log('[@retain/kernels] RETAIN_SKIP_NATIVE=1: skipping the native build; the TypeScript backend will be used.');
  process.exit(0);
}

const cargo = spawnSync('cargo', ['--version'], { encoding: 'utf8' });
if (cargo.error || cargo.status !== 0) {
  console.log(
    '[@retain/kernels] cargo was not found, so the native kernels were not built. ' +
      'The pure-TypeScript backend (same API and results, slower) will be used. ' +
      'Install Rust from https://rustup.rs and rerun `node scripts/build-native.mjs` to build them.',
  );
  process.exit(0);
}

const require = createRequire(import.meta.url);
const cliPkgPath = require.resolve('@napi-rs/cli/package.json');
const cliPkg = JSON.parse(readFileSync(cliPkgPath, 'utf8'));
const cliBin = join(dirname(cliPkgPath), cliPkg.bin.napi);

const args = [
  cliBin,
  'build',
  '--platform',
  '--release',
  '--manifest-path',
  join(repoRoot, 'crates/retain-napi/Cargo.toml'),
  '--package-json-path',
  join(pkgDir, 'package.json'),
  '--output-dir',
  join(pkgDir, 'native'),
  '--js',
  'binding.cjs',
  '--dts',
  'binding.d.ts',
  ...process.argv.slice(2),
];
console.log(`[@retain/kernels] ${cargo.stdout.trim()}; building the native kernels (release)…`);
const build = spawnSync(process.execPath, args, { cwd: pkgDir, stdio: 'inherit' });
if (build.status !== 0) {
  console.error('[@retain/kernels] the native build failed (see above).');
  process.exit(build.status ?? 1);
}
