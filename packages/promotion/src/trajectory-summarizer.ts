import { trajectoryFailed, type Trajectory } from './trajectory.js';

/** Finds the best past trajectory for a task (a CaseIndex from another package fits this shape). */
export interface BestTrajectoryLookup {
  bestFor(task: string): string | null | undefined;
}

/** Options of a {@link TrajectorySummarizer}. */
export interface TrajectorySummarizerOptions {
  lookup?: BestTrajectoryLookup | ((task: string) => string | null | undefined);
  /** Task text longer than this is cut with an ellipsis. */
  maxTaskChars?: number;
}

/**
 * One-line human summaries of trajectories for reports and status, e.g.
 * `t-7 [support] "reset my password" → tool:reset reward 1 ok 12ms · best past: t-3`.
 */
export class TrajectorySummarizer {
  private readonly lookup: ((task: string) => string | null | undefined) | null;
  private readonly maxTaskChars: number;

  constructor(options: TrajectorySummarizerOptions = {}) {
    const l = options.lookup;
    this.lookup = l === undefined ? null : typeof l === 'function' ? l : (task) => l.bestFor(task);
    this.maxTaskChars = options.maxTaskChars ?? 60;
  }

  /** The one-line summary of `t`. */
  summarize(t: Trajectory): string {
    const domain = t.domain !== undefined ? ` [${t.domain}]` : '';
    const what = t.task !== undefined ? JSON.stringify(this.cut(oneLine(t.task))) : describeInput(t.input);
    const status = trajectoryFailed(t) ? `error${typeof t.error === 'string' ? `: ${this.cut(oneLine(t.error))}` : ''}` : 'ok';
    const reward = Number(t.reward.toFixed(4));
    const latency = Math.round(t.latencyMs);
    return `${t.id}${domain} ${what} → ${String(t.action)} reward ${reward} ${status} ${latency}ms${this.hint(t)}`;
  }

  private hint(t: Trajectory): string {
    if (this.lookup === null || t.task === undefined) return '';
    let best: string | null | undefined;
    try {
      best = this.lookup(t.task);
    } catch {
      // A summary is a convenience: a failing lookup must not break the report it decorates.
      return '';
    }
    return typeof best === 'string' && best.length > 0 && best !== t.id ? ` · best past: ${best}` : '';
  }

  private cut(s: string): string {
    return s.length <= this.maxTaskChars ? s : `${s.slice(0, Math.max(0, this.maxTaskChars - 1))}…`;
  }
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function describeInput(input: Trajectory['input']): string {
  if (Array.isArray(input)) return `input[${input.length}]`;
  const keys = Object.keys(input);
  const shown = keys.slice(0, 4).join(',');
  return `input{${shown}${keys.length > 4 ? ',…' : ''}}`;
}
