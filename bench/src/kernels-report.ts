// The human-readable table of a kernels benchmark run.
import type { KernelsBenchResult } from './kernels-result.js';

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const num = (v: number | null, digits = 1): string =>
  v === null ? 'n/a' : v >= 1000 ? Math.round(v).toLocaleString('en-US') : v.toFixed(digits);
const times = (v: number | null): string => (v === null ? 'n/a' : `${v.toFixed(2)}×`);
const met = (v: boolean | null): string => (v === null ? 'not measured' : v ? 'MET' : 'not met');
const ms = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

/** Renders the run as plain-text tables with the machine described on top. */
export function renderReport(r: KernelsBenchResult): string {
  const m = r.machine;
  const { native, js, tfjsWasm } = r.backends;
  const out: string[] = [];
  out.push('retain kernels benchmark');
  out.push(`machine   ${m.cpuModel}, ${m.cores} cores, ${m.totalMemGiB} GiB, ${m.os} ${m.arch}, Node ${m.node} (V8 ${m.v8})`);
  out.push(`load      ${m.loadAverage.join(' / ')} (1/5/15 min at start)`);
  out.push(
    native.available
      ? `native    @retain/kernels ${native.version}, CPU features: ${native.cpuFeatures.join(', ') || 'none reported'}`
      : `native    !! UNAVAILABLE, native figures are n/a: ${native.error}`,
  );
  out.push(js.available ? `ts        @retain/kernels ${js.version} (pure TypeScript)` : `ts        UNAVAILABLE: ${js.error}`);
  out.push(
    `tfjs      @tensorflow/tfjs ${tfjsWasm.tfjsVersion} + tfjs-backend-wasm ${tfjsWasm.wasmBackendVersion}: ` +
      `${tfjsWasm.wasmFile}, SIMD ${tfjsWasm.simd ? 'on' : 'off'}, threads ${tfjsWasm.threads} (${tfjsWasm.threadsNote})`,
  );
  out.push(`          timed: ${tfjsWasm.variant}`);
  out.push(`model     ${r.config.model}; batch ${r.config.batch}; SGD lr ${r.config.lr}`);
  out.push(
    `rounds    train step ${r.config.rounds.trainStep}, fisher ${r.config.rounds.fisher}, ewc ${r.config.rounds.ewc}` +
      `${r.config.quick ? ' (--quick)' : ''}; median of rounds, spread = (max − min) / median`,
  );
  out.push('          cpu ms/op: process CPU time per op; well below ms/op means neighbours took the CPU');
  out.push('');
  out.push(
    table(
      ['timed case', 'ms/op median', 'min', 'max', 'spread', 'cpu ms/op', 'ops/round'],
      Object.entries(r.timings).map(([name, t]) => [
        name,
        ms(t.medianMs),
        ms(t.minMs),
        ms(t.maxMs),
        `${(t.spread * 100).toFixed(0)}%`,
        ms(t.cpuMedianMs),
        String(t.iterations),
      ]),
    ),
  );
  out.push('');
  out.push(
    table(
      ['figure', 'native', 'ts', 'tfjs-wasm'],
      [
        ['train step, examples/s', num(r.trainStep.native, 0), num(r.trainStep.js, 0), num(r.trainStep.tfjsWasm, 0)],
        ['train step vs tfjs-wasm', times(r.ratios.nativeOverTfjs), times(r.ratios.jsOverTfjs), '1.00×'],
        [
          'train step vs tfjs hand-tuned*',
          times(r.tfjsVariants.nativeOverCustomGrad),
          times(r.tfjsVariants.jsOverCustomGrad),
          `${num(r.tfjsVariants.customGrad, 0)}/s`,
        ],
        [
          `Fisher(${r.config.fisherExamples}) / lossGrad(${r.config.fisherExamples})`,
          times(r.fisher.ratioToForwardBackward),
          times(r.fisher.ratioToForwardBackwardJs),
          '',
        ],
        ['EWC penalty+grad, GB/s', num(r.ewc.nativeGBps, 2), num(r.ewc.jsGBps, 2), ''],
        ['EWC native / ts', times(r.ratios.ewcNativeOverJs), '', ''],
        [
          'by CPU time: vs tfjs, Fisher, EWC/ts',
          [r.ratiosByCpuTime.nativeOverTfjs, r.ratiosByCpuTime.fisherToForwardBackward, r.ratiosByCpuTime.ewcNativeOverJs]
            .map(times)
            .join(', '),
          [r.ratiosByCpuTime.jsOverTfjs, r.ratiosByCpuTime.fisherToForwardBackwardJs].map(times).join(', '),
          '',
        ],
        [
          'loss at init → after 1 step',
          lossPair(r.checks.native),
          lossPair(r.checks.js),
          lossPair(r.checks.tfjsWasm),
        ],
      ],
    ),
  );
  out.push(`EWC bytes: ${r.conventions.ewc}`);
  out.push(
    '* not the headline peer: tf.customGrad dense layers that transpose explicitly, because tfjs-wasm multiplies\n' +
      '  transposed operands (the matMul gradient) on a much slower path than plain ones.',
  );
  out.push('');
  out.push(
    table(
      ['target', 'measured', 'result'],
      [
        ['native train step ≥ 15× tfjs-wasm', times(r.ratios.nativeOverTfjs), met(r.targets.trainStepNativeAtLeast15xTfjs)],
        ['ts train step ≥ 0.5× tfjs-wasm', times(r.ratios.jsOverTfjs), met(r.targets.trainStepJsAtLeastHalfTfjs)],
        ['native Fisher / lossGrad ≤ 2.0', times(r.fisher.ratioToForwardBackward), met(r.targets.fisherRatioAtMost2)],
        ['native EWC ≥ 3× ts', times(r.ratios.ewcNativeOverJs), met(r.targets.ewcNativeAtLeast3xJs)],
      ],
    ),
  );
  return out.join('\n');
}

function lossPair(c: { atInit: number | null; afterOneStep: number | null }): string {
  return c.atInit === null || c.afterOneStep === null ? 'n/a' : `${c.atInit.toFixed(5)} → ${c.afterOneStep.toFixed(5)}`;
}
