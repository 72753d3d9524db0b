export type { DriftDetector, BinaryDriftDetector, DetectorSnapshot } from './detector.js';
export { ADWIN, type AdwinOptions, type AdwinSnapshot } from './adwin.js';
export { PageHinkley, type PageHinkleyOptions, type PageHinkleySnapshot } from './page-hinkley.js';
export { KSWIN, type KswinOptions, type KswinSnapshot } from './kswin.js';
export { DDM, type DdmOptions, type DdmSnapshot } from './ddm.js';
export { EDDM, type EddmOptions, type EddmSnapshot } from './eddm.js';
export { HDDM_A, type HddmAOptions, type HddmASnapshot } from './hddm-a.js';
export { HDDM_W, type HddmWOptions, type HddmWSnapshot } from './hddm-w.js';
export { ks2Samp, KS_MAX_EXACT_N, type KsResult } from './ks-test.js';
export { PythonRandom, pythonRandomStateSchema, type PythonRandomState } from './python-random.js';
export { SUPPORTED_SNAPSHOT_VERSIONS } from './snapshot.js';
export { PeriodicTrigger, type PeriodicTriggerOptions, type PeriodicTriggerSnapshot } from './periodic-trigger.js';
export {
  KLDriftDetector,
  type KLDriftOptions,
  type KLSnapshot,
  type DriftReport,
  type DriftRecommendation,
} from './kl-drift-detector.js';
export {
  matchAlarms,
  tallyDetections,
  metricsFromTallies,
  detectionMetrics,
  type ChangePoint,
  type MatchOptions,
  type Matching,
  type DetectionMetrics,
  type DetectionTally,
} from './evaluation.js';
export {
  evaluateDetectors,
  runDetector,
  type LabelledStream,
  type EvaluateOptions,
  type DetectorEvaluation,
} from './evaluation-harness.js';
export { restoreDetector } from './restore-detector.js';
