// Shared by the README's two commands: run pnpm without assuming it is installed, and time stages.
import { spawnSync } from 'node:child_process';

export const PNPM_VERSION = '10.34.9';

/** Run a command with inherited stdio (or captured, when `capture`); returns { status, stdout }. */
export function run(cmd, args, { capture = false, env = process.env, cwd = process.cwd() } = {}) {
  const res = spawnSync(cmd, args, {
    cwd,
    env,
    stdio: capture ? ['ignore', 'pipe', 'inherit'] : 'inherit',
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (capture && res.stdout) process.stdout.write(res.stdout);
  return { status: res.status ?? 1, stdout: res.stdout ?? '' };
}

/** pnpm through a pinned npx, so a fresh machine with only Node and npm works. */
export function pnpm(args, opts) {
  return run('npx', ['-y', `pnpm@${PNPM_VERSION}`, ...args], opts);
}

/** Install the workspace (frozen lockfile under CI). */
export function install() {
  const args = ['install'];
  if (process.env.CI) args.push('--frozen-lockfile');
  return pnpm(args);
}

export function fmtSeconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}
