// What the kernels benchmark ran on, printed with every result.
import os from 'node:os';

/** The machine and runtime a benchmark ran on. */
export interface MachineInfo {
  cpuModel: string;
  /** Logical CPUs visible to the process. */
  cores: number;
  node: string;
  v8: string;
  os: string;
  arch: string;
  totalMemGiB: number;
  /** 1/5/15-minute load averages when the run started: a shared machine's noise floor. */
  loadAverage: number[];
}

/** Describes this machine from `os` and `process`. */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
    node: process.version,
    v8: process.versions.v8,
    os: `${os.type()} ${os.release()}`,
    arch: process.arch,
    totalMemGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}
