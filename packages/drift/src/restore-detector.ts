import { InvalidArgumentError } from '@retain/core';
import { ADWIN } from './adwin.js';
import { DDM } from './ddm.js';
import type { DriftDetector } from './detector.js';
import { EDDM } from './eddm.js';
import { HDDM_A } from './hddm-a.js';
import { HDDM_W } from './hddm-w.js';
import { KLDriftDetector } from './kl-drift-detector.js';
import { KSWIN } from './kswin.js';
import { PageHinkley } from './page-hinkley.js';
import { PeriodicTrigger } from './periodic-trigger.js';

const makers: Record<string, () => DriftDetector> = {
  ADWIN: () => new ADWIN(),
  PageHinkley: () => new PageHinkley(),
  KSWIN: () => new KSWIN(),
  DDM: () => new DDM(),
  EDDM: () => new EDDM(),
  HDDM_A: () => new HDDM_A(),
  HDDM_W: () => new HDDM_W(),
  KL: () => new KLDriftDetector(),
  PeriodicTrigger: () => new PeriodicTrigger(),
};

/** Rebuild any detector of this package from its snapshot, choosing the class by `kind`. */
export function restoreDetector(snapshot: unknown): DriftDetector {
  const kind = typeof snapshot === 'object' && snapshot !== null ? (snapshot as { kind?: unknown }).kind : undefined;
  const make = typeof kind === 'string' && Object.hasOwn(makers, kind) ? makers[kind] : undefined;
  if (make === undefined) {
    throw new InvalidArgumentError('snapshot.kind', `unknown detector kind ${JSON.stringify(kind)}`);
  }
  return make().restore(snapshot);
}
