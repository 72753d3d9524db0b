// Published figures beside which ours are printed (REFERENCE.md §4). Accuracies in percent.

/** How a published figure is used: a bar ours must reach, a sanity value to land near, or context only. */
export type FigureKind = 'target' | 'sanity' | 'reference';

/** One published figure. */
export interface PublishedFigure {
  value: number;
  kind: FigureKind;
  source: string;
}

const VDV4 = 'van de Ven & Tolias 2019, Table 4';
const VDV3 = 'van de Ven & Tolias 2019, Table 3';
const HSU = 'Hsu et al. 2018, Table 2 (~1,100 stored)';
const AVA = 'Avalanche baselines, online replay';

const replayMethods = ['replay-uniform', 'replay-reservoir', 'replay-loss-reservoir', 'replay-prioritized-loss', 'replay-prioritized-recency', 'replay-mixed', 'replay-class-balanced', 'replay-task-balanced', 'er-ace'];

function split(none: number, ewc: number, si: number, lwf: number, joint: number): Record<string, PublishedFigure> {
  const r = (value: number): PublishedFigure => ({ value, kind: 'reference', source: VDV3 });
  return { 'fine-tune': r(none), ewc: r(ewc), si: r(si), lwf: r(lwf), joint: r(joint) };
}

/** scenario → method → published figure. */
export const PUBLISHED: Record<string, Record<string, PublishedFigure>> = {
  'permuted-mnist': {
    'fine-tune': { value: 78.51, kind: 'sanity', source: VDV4 },
    ewc: { value: 94.31, kind: 'target', source: VDV4 },
    'online-ewc': { value: 94.42, kind: 'target', source: VDV4 },
    si: { value: 95.33, kind: 'target', source: VDV4 },
    lwf: { value: 72.64, kind: 'reference', source: VDV4 },
    joint: { value: 97.59, kind: 'sanity', source: VDV4 },
    'replay-ewc': { value: 97.0, kind: 'target', source: 'issue target (≤ 2,000 stored); DGR+distill 97.35 in ' + VDV4 },
  },
  'split-mnist-task': split(85.15, 85.48, 99.14, 99.6, 99.64),
  'split-mnist-domain': split(57.33, 57.8, 63.77, 71.02, 98.41),
  'split-mnist-class': {
    ...split(19.9, 19.9, 20.04, 24.17, 97.93),
    // Hsu's figure comes from another protocol (the scenario below): context here.
    ...Object.fromEntries(replayMethods.map((m) => [m, { value: 90.78, kind: 'reference' as const, source: HSU }])),
  },
  'split-mnist-class-hsu': Object.fromEntries(replayMethods.map((m) => [m, { value: 90.78, kind: 'target' as const, source: HSU }])),
  'online-split-mnist-class': Object.fromEntries(replayMethods.map((m) => [m, { value: 92, kind: 'target' as const, source: AVA }])),
};

/** The published figure for a cell (a method variant `m+k=v` uses the base method's), or undefined. */
export function publishedFor(scenario: string, method: string): PublishedFigure | undefined {
  return PUBLISHED[scenario]?.[method.split('+')[0]!];
}

/** Whether our mean reaches the figure: targets need ≥, sanity figures within 2 points, references are context. */
export function meets(figure: PublishedFigure, ours: number): boolean | null {
  if (figure.kind === 'target') return ours >= figure.value;
  if (figure.kind === 'sanity') return Math.abs(ours - figure.value) <= 2;
  return null;
}
