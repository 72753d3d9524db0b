import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, NotFoundError, RetainError, type InputFeatures } from '@retain/core';
import { LearnerStore, STORE_FILE } from '../learner-store.js';
import { loadLearner } from '../learner-persistence.js';
import type { OnlineLearner } from '../online-learner.js';
import { encodeSafetensors } from '../safetensors.js';
import { paramLayout } from '@retain/core';
import { readJsonl } from './jsonl-reader.js';
import { caseIndexOf, currentServingModel } from './promotion-commands.js';

/** Open an existing store (a missing one is a NotFoundError, not a silently created empty store). */
export function openExistingStore(dir: string): LearnerStore {
  if (!fs.existsSync(path.join(dir, STORE_FILE))) throw new NotFoundError('store', path.resolve(dir));
  return LearnerStore.open(dir);
}

/** Load the learner of a store at its latest (or given) checkpoint. */
export function learnerOf(store: LearnerStore, checkpoint?: number): OnlineLearner {
  const learner = loadLearner(store, checkpoint);
  if (!learner) throw new NotFoundError('checkpoint', `${checkpoint ?? 'latest'} in ${store.dir} (run retain learn first)`);
  return learner;
}

/** `retain status`: the learner's counters and its last checkpoint. */
export function statusOf(dir: string): { store: string; learner: Record<string, unknown> } {
  const store = openExistingStore(dir);
  try {
    const checkpoints = store.listCheckpoints();
    const last = checkpoints.at(-1);
    let learner: Record<string, unknown> = { examplesSeen: 0, checkpoints: 0, lastCheckpoint: null };
    if (last) {
      const l = learnerOf(store);
      const st = l.stats();
      learner = {
        examplesSeen: st.examplesSeen,
        rejected: st.rejected,
        accuracy: st.accuracy,
        recentAccuracy: st.recentAccuracy,
        avgLoss: st.avgLoss,
        drifts: st.drifts,
        consolidations: st.consolidations,
        classes: st.classes,
        steps: st.steps,
        backend: st.backend,
        model: l.core.parts ? { sizes: [...l.core.parts.trainStep.sizes], activation: l.config.model.activation } : null,
        replay: l.replayStats(),
        checkpoints: checkpoints.length,
        lastCheckpoint: { id: last.id, createdAt: last.createdAt, examplesSeen: last.examplesSeen, input: last.inputPath, offset: last.inputOffset },
      };
    }
    return { store: path.resolve(dir), learner };
  } finally {
    store.close();
  }
}

/** `retain checkpoints`: every retained checkpoint. */
export function checkpointsOf(dir: string): ReturnType<LearnerStore['listCheckpoints']> {
  const store = openExistingStore(dir);
  try {
    return store.listCheckpoints();
  } finally {
    store.close();
  }
}

/** `retain predict`: one prediction per input (an array of numbers, an object of fields, or `{ input, task? }`). */
export async function predictInputs(
  dir: string,
  inputs: AsyncIterable<{ lineNo: number; text: string }>,
  emit: (row: unknown) => void,
): Promise<number> {
  const store = openExistingStore(dir);
  let bad = 0;
  try {
    // Serving uses the promoted current version when there is one, else the latest checkpoint.
    const current = currentServingModel(dir);
    const predict = current ? (x: InputFeatures) => current.model.predict(x) : (() => {
      const learner = learnerOf(store);
      return (x: InputFeatures) => learner.predictOne(x);
    })();
    const source = current ? `version ${current.versionId}` : 'latest checkpoint';
    const cases = caseIndexOf(dir);
    for await (const { lineNo, text } of inputs) {
      try {
        const parsed = JSON.parse(text) as unknown;
        const wrapped = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && 'input' in parsed;
        const input = wrapped ? (parsed as { input: unknown }).input : parsed;
        const task = wrapped ? (parsed as { task?: unknown }).task : undefined;
        const p = predict(input as InputFeatures);
        const best = typeof task === 'string' && cases ? cases.bestFor(task) : undefined;
        emit({
          line: lineNo,
          label: p.label,
          index: p.index,
          probs: Array.from(p.probs, (v) => Number(v.toFixed(6))),
          source,
          ...(best ? { hint: best } : {}),
        });
      } catch (err) {
        if (!(err instanceof RetainError) && !(err instanceof SyntaxError)) throw err;
        bad++;
        emit({ line: lineNo, error: err.message });
      }
    }
  } finally {
    store.close();
  }
  return bad;
}

/** `retain evaluate --input FILE`: accuracy and loss of the current model on labelled JSONL. */
export async function evaluateFile(dir: string, file: string): Promise<{ accuracy: number; loss: number; n: number; rejected: number }> {
  const store = openExistingStore(dir);
  try {
    const learner = learnerOf(store);
    const examples: unknown[] = [];
    let rejected = 0;
    for await (const line of readJsonl(file)) {
      try {
        examples.push(JSON.parse(line.text));
      } catch {
        rejected++;
      }
    }
    const good: unknown[] = [];
    for (const ex of examples) {
      try {
        learner.evaluate([ex]);
        good.push(ex);
      } catch (err) {
        if (!(err instanceof RetainError)) throw err;
        rejected++;
      }
    }
    return { ...learner.evaluate(good), rejected };
  } finally {
    store.close();
  }
}

/** `retain export --format safetensors`: the model's weights as `fc{l}.weight` / `fc{l}.bias`. */
export function exportSafetensors(dir: string, out: string, checkpoint?: number): { file: string; tensors: string[]; bytes: number } {
  const store = openExistingStore(dir);
  try {
    const learner = learnerOf(store, checkpoint);
    const m = learner.model();
    const tensors = paramLayout(m.sizes).map((s) => ({ name: s.name, shape: s.shape, data: m.params.subarray(s.offset, s.offset + s.length) }));
    const buf = encodeSafetensors(tensors, {
      format: 'pt',
      retain_sizes: JSON.stringify(m.sizes),
      retain_activation: m.activation,
      retain_labels: JSON.stringify(m.labels),
    });
    if (out.length === 0) throw new InvalidArgumentError('--out', 'must be a file path');
    fs.writeFileSync(out, buf);
    return { file: path.resolve(out), tensors: tensors.map((t) => t.name), bytes: buf.length };
  } finally {
    store.close();
  }
}

/** `retain import --in FILE`: load safetensors weights into the learner and commit a checkpoint. */
export function importSafetensors(dir: string, file: string): { checkpoint: number; tensors: number } {
  const store = openExistingStore(dir);
  try {
    const learner = learnerOf(store);
    learner.importWeights(fs.readFileSync(file));
    const checkpoint = learner.saveState();
    return { checkpoint, tensors: paramLayout(learner.model().sizes).length };
  } finally {
    store.close();
  }
}
