export { type Batch, type EncodedExample, BatchBuffer, checkBatch } from './batch.js';
export { type GrowFill, growOutputBuffer, copyNewOutputs, checkNewClasses } from './grow-output.js';
export { modelSpecSchema, grownSizes } from './model-spec.js';
export {
  Optimizer,
  optimizerConfigSchema,
  type OptimizerConfig,
  type ResolvedOptimizerConfig,
  type OptimizerSnapshot,
} from './optimizer.js';
export type { Regularizer } from './regularizer.js';
export { FisherEstimator, type FisherSource, type FisherData } from './fisher.js';
export { EWC, ewcConfigSchema, type EwcConfig, type EwcSnapshot } from './ewc.js';
export { SynapticIntelligence, siConfigSchema, type SiConfig, type SiSnapshot } from './synaptic-intelligence.js';
export {
  Distillation,
  distillationConfigSchema,
  UNSEEN_CLASS_LOGIT,
  type DistillationConfig,
  type DistillationSnapshot,
} from './distillation.js';
export { TrainStep, trainStepConfigSchema, type TrainStepOptions, type StepResult, type TrainStepSnapshot } from './train-step.js';
export {
  ConsolidationScheduler,
  schedulerConfigSchema,
  type SchedulerConfig,
  type ConsolidationReason,
  type SchedulerSnapshot,
} from './consolidation-scheduler.js';
export {
  Consolidator,
  consolidatorConfigSchema,
  type ConsolidatorConfig,
  type ConsolidatorParts,
  type ConsolidateInput,
  type ConsolidationReport,
  type ConsolidatorSnapshot,
} from './consolidator.js';
export { Curriculum, curriculumConfigSchema, type CurriculumConfig, type CurriculumSnapshot } from './curriculum.js';
