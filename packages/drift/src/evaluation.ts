import { z } from 'zod';
import { InvalidArgumentError, parseAt } from '@retain/core';

/** A true change: its index, or `[start, end]` for a change spread over several updates. */
export type ChangePoint = number | readonly [number, number];

/** How alarms are matched to change points (River's drift-evaluation semantics). */
export interface MatchOptions {
  /** An alarm up to this many updates after a change's end still counts as detecting it. */
  maxDelay: number;
  /** An alarm up to this many updates before a change's start counts too (default 0). */
  maxEarly?: number;
}

/** Which alarms hit which change (by index into the change list), and which hit none. */
export interface Matching {
  hits: Map<number, number[]>;
  falseAlarms: number[];
}

/** Every metric of one detector on one stream (or pooled over several). */
export interface DetectionMetrics {
  nSamples: number;
  nDrifts: number;
  nAlarms: number;
  /** Share of alarms inside a detection window (NaN with no alarm). */
  precision: number;
  /** Share of changes with at least one alarm (NaN with no change). */
  episodeRecall: number;
  /** Harmonic mean of precision and episode recall. */
  f1: number;
  /** 1 − episode recall. */
  missedDetectionRate: number;
  /** Mean of (first alarm − start) over the detected changes (NaN if none). */
  detectionDelay: number;
  /** False alarms per `unit` updates. */
  falseAlarmRate: number;
  /** Mean gap between consecutive false alarms (NaN below two). */
  meanTimeBetweenFalseAlarms: number;
}

const matchSchema = z.object({
  maxDelay: z.number().int().min(1),
  maxEarly: z.number().int().min(0).default(0),
});

function windows(changes: readonly ChangePoint[], opts: MatchOptions): [number, number, number][] {
  const o = parseAt(matchSchema, opts, 'options');
  return changes.map((c, i) => {
    const [start, end] = typeof c === 'number' ? [c, c] : c;
    if (!Number.isInteger(start) || !Number.isInteger(end) || end < start) {
      throw new InvalidArgumentError(`changes[${i}]`, `must be an integer or [start, end] with start ≤ end, got ${JSON.stringify(c)}`);
    }
    return [start, start - o.maxEarly, end + o.maxDelay];
  });
}

/** Assign each alarm to the earliest change whose window `[start − maxEarly, end + maxDelay]` holds it. */
export function matchAlarms(alarms: readonly number[], changes: readonly ChangePoint[], opts: MatchOptions): Matching {
  const wins = windows(changes, opts);
  const hits = new Map<number, number[]>();
  const falseAlarms: number[] = [];
  for (const a of alarms) {
    const i = wins.findIndex(([, lo, hi]) => lo <= a && a <= hi);
    if (i < 0) falseAlarms.push(a);
    else {
      const list = hits.get(i);
      if (list) list.push(a);
      else hits.set(i, [a]);
    }
  }
  return { hits, falseAlarms };
}

/** Counts a set of streams pools before the ratios are taken. */
export interface DetectionTally {
  nSamples: number;
  nDrifts: number;
  nAlarms: number;
  hitAlarms: number;
  caught: number;
  delays: number[];
  falseAlarms: number;
  falseAlarmGaps: number[];
}

/** The counts behind {@link DetectionMetrics} for one stream. */
export function tallyDetections(
  alarms: readonly number[],
  changes: readonly ChangePoint[],
  nSamples: number,
  opts: MatchOptions,
): DetectionTally {
  const wins = windows(changes, opts);
  const m = matchAlarms(alarms, changes, opts);
  let hitAlarms = 0;
  const delays: number[] = [];
  for (const [i, list] of m.hits) {
    hitAlarms += list.length;
    delays.push(Math.min(...list) - wins[i]![0]);
  }
  const gaps: number[] = [];
  for (let i = 1; i < m.falseAlarms.length; i++) gaps.push(m.falseAlarms[i]! - m.falseAlarms[i - 1]!);
  return {
    nSamples,
    nDrifts: changes.length,
    nAlarms: alarms.length,
    hitAlarms,
    caught: m.hits.size,
    delays,
    falseAlarms: m.falseAlarms.length,
    falseAlarmGaps: gaps,
  };
}

/** Ratios from pooled tallies; false-alarm gaps never span two streams. */
export function metricsFromTallies(tallies: readonly DetectionTally[], unit = 1): DetectionMetrics {
  const t = tallies.reduce<DetectionTally>(
    (acc, x) => ({
      nSamples: acc.nSamples + x.nSamples,
      nDrifts: acc.nDrifts + x.nDrifts,
      nAlarms: acc.nAlarms + x.nAlarms,
      hitAlarms: acc.hitAlarms + x.hitAlarms,
      caught: acc.caught + x.caught,
      delays: acc.delays.concat(x.delays),
      falseAlarms: acc.falseAlarms + x.falseAlarms,
      falseAlarmGaps: acc.falseAlarmGaps.concat(x.falseAlarmGaps),
    }),
    { nSamples: 0, nDrifts: 0, nAlarms: 0, hitAlarms: 0, caught: 0, delays: [], falseAlarms: 0, falseAlarmGaps: [] },
  );
  const precision = t.nAlarms === 0 ? NaN : t.hitAlarms / t.nAlarms;
  const episodeRecall = t.nDrifts === 0 ? NaN : t.caught / t.nDrifts;
  const f1 =
    Number.isNaN(precision) || Number.isNaN(episodeRecall)
      ? NaN
      : precision + episodeRecall === 0
        ? 0
        : (2 * precision * episodeRecall) / (precision + episodeRecall);
  return {
    nSamples: t.nSamples,
    nDrifts: t.nDrifts,
    nAlarms: t.nAlarms,
    precision,
    episodeRecall,
    f1,
    missedDetectionRate: Number.isNaN(episodeRecall) ? NaN : 1 - episodeRecall,
    detectionDelay: mean(t.delays),
    falseAlarmRate: t.nSamples === 0 ? NaN : (t.falseAlarms / t.nSamples) * unit,
    meanTimeBetweenFalseAlarms: mean(t.falseAlarmGaps),
  };
}

/** All metrics of one alarm list on one stream. */
export function detectionMetrics(
  alarms: readonly number[],
  changes: readonly ChangePoint[],
  nSamples: number,
  opts: MatchOptions & { unit?: number },
): DetectionMetrics {
  return metricsFromTallies([tallyDetections(alarms, changes, nSamples, opts)], opts.unit ?? 1);
}

function mean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}
