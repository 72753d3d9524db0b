/** The demo's progress bar: redrawn in place on a terminal, a line every 10% otherwise, silent with `--json`. */
export class DemoProgress {
  private readonly t0 = Date.now();
  private lastDraw = 0;
  private lastDecile = -1;

  constructor(
    private readonly out: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly enabled: boolean,
  ) {}

  /** Show `seen` of `total` images and each learner's recent prequential accuracy. */
  update(seen: number, total: number, accuracy: Record<string, number>): void {
    if (!this.enabled) return;
    const now = Date.now();
    const frac = total > 0 ? seen / total : 1;
    const accs = Object.entries(accuracy)
      .map(([name, a]) => `${name} ${Number.isNaN(a) ? '  -  ' : `${(100 * a).toFixed(1)}%`}`)
      .join('  ');
    const secs = ((now - this.t0) / 1000).toFixed(0);
    if (this.out.isTTY) {
      if (now - this.lastDraw < 100 && seen < total) return;
      this.lastDraw = now;
      const width = 28;
      const bar = '█'.repeat(Math.round(frac * width)).padEnd(width, '░');
      this.out.write(`\r${bar} ${seen.toLocaleString('en-US')}/${total.toLocaleString('en-US')} images  ${accs}  ${secs}s \x1b[K`);
    } else {
      const decile = Math.floor(frac * 10);
      if (decile === this.lastDecile) return;
      this.lastDecile = decile;
      this.out.write(`[${String(decile * 10).padStart(3)}%] ${seen}/${total} images  ${accs}  ${secs}s\n`);
    }
  }

  /** Clear the bar so a normal line can be printed. */
  clear(): void {
    if (this.enabled && this.out.isTTY) this.out.write('\r\x1b[K');
  }
}
