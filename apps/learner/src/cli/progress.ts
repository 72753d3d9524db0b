/** Progress output: a redrawn line on a TTY, plain lines otherwise, JSON lines with `--json`. */
export class Progress {
  private readonly t0 = Date.now();
  private lastDraw = 0;
  constructor(
    private readonly mode: 'tty' | 'plain' | 'json',
    private readonly total?: number,
  ) {}

  static for(json: boolean, total?: number): Progress {
    return new Progress(json ? 'json' : process.stderr.isTTY ? 'tty' : 'plain', total);
  }

  /** Report progress; throttled. */
  update(seen: number, accuracy: number, drifts: number, force = false): void {
    const now = Date.now();
    if (!force && now - this.lastDraw < (this.mode === 'tty' ? 100 : 5000)) return;
    this.lastDraw = now;
    const secs = (now - this.t0) / 1000;
    const rate = secs > 0 ? Math.round(seen / secs) : 0;
    const acc = Number.isNaN(accuracy) ? '  -  ' : `${(100 * accuracy).toFixed(1)}%`;
    if (this.mode === 'json') return;
    if (this.mode === 'tty') {
      const width = 30;
      const frac = this.total ? Math.min(1, seen / this.total) : 0;
      const bar = this.total ? `[${'#'.repeat(Math.round(frac * width)).padEnd(width, '.')}] ` : '';
      process.stderr.write(`\r${bar}${seen}${this.total ? `/${this.total}` : ''} examples  ${rate}/s  acc ${acc}  drifts ${drifts}   `);
    } else {
      process.stderr.write(`${seen} examples, ${rate}/s, accuracy ${acc}, drifts ${drifts}\n`);
    }
  }

  /** Print an event line (drift, consolidation, task end). */
  event(kind: string, detail: Record<string, unknown>, text: string): void {
    if (this.mode === 'json') process.stdout.write(`${JSON.stringify({ event: kind, ...detail })}\n`);
    else {
      if (this.mode === 'tty') process.stderr.write('\r\x1b[K');
      process.stderr.write(`${text}\n`);
    }
  }

  done(): void {
    if (this.mode === 'tty') process.stderr.write('\n');
  }
}
