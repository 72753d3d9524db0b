/**
 * The step-size bound a quadratic penalty keeps under SGD (see `Regularizer.bindStepSize`): an explicit step of
 * size s on a coordinate with coefficient k diverges when s·k > 2, so importances are capped to make s·k ≤ 1 and a
 * penalty step lands at most on its anchor. Adam scales each coordinate's step itself: no cap.
 */
export class CurvatureLimit {
  private stepSize: () => number | null = () => null;
  private cappedLast = 0;

  /** Entries the last `apply` capped. */
  get capped(): number {
    return this.cappedLast;
  }

  bind(stepSize: () => number | null): void {
    this.stepSize = stepSize;
  }

  /**
   * Cap every entry of each buffer (EWC's Fisher, SI's Ω) so that `coefficient` × entry × step size ≤ 1 summed over
   * the buffers; does nothing without a bound step size or with a zero coefficient.
   */
  apply(buffers: readonly Float32Array[], coefficient: number): void {
    this.cappedLast = 0;
    const s = this.stepSize();
    if (s === null || coefficient === 0 || buffers.length === 0) return;
    const limit = Math.fround(1 / (s * coefficient * buffers.length));
    for (const importance of buffers) {
      for (let i = 0; i < importance.length; i++) {
        if (importance[i]! > limit) {
          importance[i] = limit;
          this.cappedLast++;
        }
      }
    }
  }
}
