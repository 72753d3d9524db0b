// Where and when a run happened: machine, commit, date, peak memory.
import { execFileSync } from 'node:child_process';
import os from 'node:os';

/** The machine a run used (load average at its start: the noise floor of a shared machine). */
export function machineInfo(
  backend: string,
  threads = 1,
): { cpu: string; cores: number; node: string; os: string; backend: string; threads: number; loadAverage: number[] } {
  return {
    threads,
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length,
    node: process.version,
    os: `${os.type()} ${os.release()} ${process.arch}`,
    backend,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/** CPU time every core of the machine has spent busy so far, in seconds (all processes, from `os.cpus()`). */
export function machineBusySec(): number {
  let ms = 0;
  for (const c of os.cpus()) ms += c.times.user + c.times.nice + c.times.sys + c.times.irq;
  return ms / 1000;
}

/** The git commit of the working tree (`unknown` outside a repository). */
export function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

/** Peak resident set size of this process so far, in MiB. */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}
