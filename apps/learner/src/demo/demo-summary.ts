/** What `retain demo` did, returned and printed (JSON with `--json`). */
export interface DemoSummary {
  store: string;
  report: string;
  /** Wall time of the whole demo, and of its learning part. */
  ms: number;
  learningMs: number;
  backend: string;
  tasks: number;
  trainPerTask: number;
  /** Accuracy matrices R[i][j] per learner. */
  matrices: Record<'fine-tune' | 'stable', number[][]>;
  promotion: {
    reportId: string;
    outcome: string;
    promotedVersionId: string | null;
    baselineReward: number | null;
    challengerReward: number | null;
    gates: { gate: string; passed: boolean }[];
    reasons: string[];
  } | null;
  /** One paragraph telling a newcomer what just happened. */
  paragraph: string;
}

const p1 = (v: number): string => `${(100 * v).toFixed(1)}%`;
const mean = (a: readonly number[]): number => a.reduce((s, v) => s + v, 0) / a.length;

/** The closing paragraph, written from the measured numbers only. */
export function demoParagraph(s: Omit<DemoSummary, 'paragraph'>): string {
  const ft = s.matrices['fine-tune'];
  const st = s.matrices.stable;
  const T = ft.length;
  if (T === 0) return 'No task was learned.';
  const ftFirst = ft[T - 1]![0]!;
  const stFirst = st[T - 1]![0]!;
  const parts = [
    `Both learners saw the same ${(T * s.trainPerTask).toLocaleString('en-US')} images, one at a time, over ${T} tasks (each a new pixel permutation of MNIST), in ${(s.learningMs / 1000).toFixed(0)} s on ${s.backend} kernels.`,
    `Right after task 1 they scored ${p1(ft[0]![0]!)} (fine-tune) and ${p1(st[0]![0]!)} (stable) on it; after task ${T} the fine-tuning learner is down to ${p1(ftFirst)} on task 1 — it forgot — while the stable learner, rehearsing from its replay buffer and anchored by online EWC, still scores ${p1(stFirst)}.`,
    `Averaged over all ${T} tasks: ${p1(mean(ft[T - 1]!))} for fine-tune against ${p1(mean(st[T - 1]!))} for stable.`,
  ];
  const p = s.promotion;
  if (p) {
    const verdict =
      p.outcome === 'accepted'
        ? `every gate passed and ${p.promotedVersionId} became the current version`
        : p.outcome === 'rejected'
          ? `the gates rejected it (${p.reasons.join('; ')}), so the champion stays`
          : `the cycle was ${p.outcome}${p.reasons.length ? ` (${p.reasons.join('; ')})` : ''}`;
    const rewards = p.challengerReward !== null && p.baselineReward !== null ? ` scored ${p1(p.challengerReward)} against the champion's ${p1(p.baselineReward)} on held-out images of every task, and` : '';
    parts.push(`Then traffic from an unseen permutation arrived: a challenger trained from the stable champion on it${rewards} ${verdict}.`);
  }
  parts.push(`The report (${s.report}) shows the curves, the accuracy matrix, the replay buffer and the promotion decision.`);
  return parts.join(' ');
}
