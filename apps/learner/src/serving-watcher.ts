import { NotFoundError } from '@retain/core';
import type { Kernels } from '@retain/kernels';
import { openPromotionStore, type SqlitePromotionStore } from '@retain/promotion';
import { ServingModel } from './serving-model.js';

/**
 * Serves predictions from a store's promoted `current` version and swaps to a newly promoted (or rolled
 * back) version without a restart. The swap replaces one reference after the new model is fully built, so a
 * request sees either the old model or the new one, never a half-written one.
 */
export class ServingWatcher {
  private model: { versionId: string; model: ServingModel } | null = null;
  private readonly store: SqlitePromotionStore;
  private readonly stop: () => void;

  constructor(dir: string, options: { intervalMs?: number; kernels?: Kernels; onSwap?: (versionId: string | null) => void } = {}) {
    this.store = openPromotionStore(dir);
    const watcher = this.store.watchCurrent(
      (current) => {
        this.model = current
          ? { versionId: current.version.id, model: ServingModel.fromArtifact(current.version.weights, current.version.spec, options.kernels) }
          : null;
        options.onSwap?.(this.model?.versionId ?? null);
      },
      { intervalMs: options.intervalMs ?? 200 },
    );
    this.stop = () => watcher.close();
  }

  /** Id of the version being served, or null before the first promotion. */
  get versionId(): string | null {
    return this.model?.versionId ?? null;
  }

  /** Predict with the current version (throws when none is promoted yet). */
  predict(input: Parameters<ServingModel['predict']>[0]): ReturnType<ServingModel['predict']> & { versionId: string } {
    const m = this.model;
    if (!m) throw new NotFoundError('current version', 'no version has been promoted yet');
    return { ...m.model.predict(input), versionId: m.versionId };
  }

  close(): void {
    this.stop();
    this.store.close();
  }
}
