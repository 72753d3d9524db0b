import { z } from 'zod';
import { InvalidArgumentError, parseAt } from '@retain/core';
import type { DriftDetector } from './detector.js';
import {
  type ChangePoint,
  type DetectionMetrics,
  type DetectionTally,
  metricsFromTallies,
  tallyDetections,
} from './evaluation.js';
import { PeriodicTrigger } from './periodic-trigger.js';

/** A stream whose change points are known. */
export interface LabelledStream {
  name?: string;
  values: ArrayLike<number>;
  changes: readonly ChangePoint[];
}

/** Options of {@link evaluateDetectors}. */
export interface EvaluateOptions {
  /** Detector factories by name; each stream gets a fresh detector. */
  detectors: Readonly<Record<string, () => DriftDetector>>;
  streams: readonly LabelledStream[];
  /** An alarm later than this after a change's end is a false alarm. */
  maxDelay: number;
  /** Alarms this early before a change still count (default 0). */
  maxEarly?: number;
  /** Period of the fixed-schedule baseline added as `periodic(P)`; 0 leaves it out (default maxDelay). */
  baselinePeriod?: number;
  /** False-alarm rate unit in updates (default 1000). */
  unit?: number;
}

/** One row of the evaluation table. */
export interface DetectorEvaluation extends DetectionMetrics {
  detector: string;
  /** Alarm indices per stream. */
  alarms: number[][];
}

const optionsSchema = z.object({
  maxDelay: z.number().int().min(1),
  maxEarly: z.number().int().min(0).default(0),
  baselinePeriod: z.number().int().min(0).optional(),
  unit: z.number().int().min(1).default(1000),
});

/** Run every detector over every stream and report delay, missed rate, MTFA and F1 beside the periodic baseline. */
export function evaluateDetectors(options: EvaluateOptions): DetectorEvaluation[] {
  const o = parseAt(optionsSchema, options, 'options');
  if (options.streams.length === 0) throw new InvalidArgumentError('options.streams', 'must not be empty');
  const factories: [string, () => DriftDetector][] = Object.entries(options.detectors);
  const period = o.baselinePeriod ?? o.maxDelay;
  if (period > 0) factories.push([`periodic(${period})`, () => new PeriodicTrigger({ period })]);
  return factories.map(([name, make]) => {
    const tallies: DetectionTally[] = [];
    const alarms: number[][] = [];
    for (const stream of options.streams) {
      const found = runDetector(make(), stream.values);
      alarms.push(found);
      tallies.push(
        tallyDetections(found, stream.changes, stream.values.length, { maxDelay: o.maxDelay, maxEarly: o.maxEarly }),
      );
    }
    return { detector: name, ...metricsFromTallies(tallies, o.unit), alarms };
  });
}

/** Feed a stream to a detector and return the indices at which it reported a drift. */
export function runDetector(detector: DriftDetector, values: ArrayLike<number>): number[] {
  const alarms: number[] = [];
  for (let i = 0; i < values.length; i++) {
    detector.update(values[i]!);
    if (detector.driftDetected) alarms.push(i);
  }
  return alarms;
}
