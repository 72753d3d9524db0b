const WINDOW = 1000;

/** Saved form of {@link PrequentialStats}. */
export interface PrequentialStatsSnapshot {
  version: 1;
  examplesSeen: number;
  rejected: number;
  evaluated: number;
  correct: number;
  lossSum: number;
  window: number[];
  domainCounts: Record<string, number>;
  drifts: number;
  consolidations: number;
}

/** Stream counters of a learner: prequential accuracy and loss (overall and last 1,000), domains, events. */
export class PrequentialStats {
  examplesSeen = 0;
  rejected = 0;
  drifts = 0;
  consolidations = 0;
  domainCounts: Record<string, number> = {};
  private evaluated = 0;
  private correct = 0;
  private lossSum = 0;
  private window: number[] = [];

  /** Record one prequential prediction. */
  record(correct: boolean, loss: number): void {
    this.evaluated++;
    if (correct) this.correct++;
    this.lossSum += loss;
    this.window.push(correct ? 1 : 0);
    if (this.window.length > WINDOW) this.window.shift();
  }

  /** Count one learned example of `domain`. */
  see(domain: string): void {
    this.examplesSeen++;
    this.domainCounts[domain] = (this.domainCounts[domain] ?? 0) + 1;
  }

  get accuracy(): number {
    return this.evaluated ? this.correct / this.evaluated : Number.NaN;
  }

  get avgLoss(): number {
    return this.evaluated ? this.lossSum / this.evaluated : Number.NaN;
  }

  get recentAccuracy(): number {
    if (this.window.length === 0) return Number.NaN;
    let s = 0;
    for (const v of this.window) s += v;
    return s / this.window.length;
  }

  snapshot(): PrequentialStatsSnapshot {
    return {
      version: 1,
      examplesSeen: this.examplesSeen,
      rejected: this.rejected,
      evaluated: this.evaluated,
      correct: this.correct,
      lossSum: this.lossSum,
      window: this.window.slice(),
      domainCounts: { ...this.domainCounts },
      drifts: this.drifts,
      consolidations: this.consolidations,
    };
  }

  static restore(s: PrequentialStatsSnapshot): PrequentialStats {
    const st = new PrequentialStats();
    st.examplesSeen = s.examplesSeen;
    st.rejected = s.rejected;
    st.evaluated = s.evaluated;
    st.correct = s.correct;
    st.lossSum = s.lossSum;
    st.window = s.window.slice();
    st.domainCounts = { ...s.domainCounts };
    st.drifts = s.drifts;
    st.consolidations = s.consolidations;
    return st;
  }
}
