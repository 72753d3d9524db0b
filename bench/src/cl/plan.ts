// The full benchmark matrix: which cells `pnpm bench:cl` runs, and with how many seeds.
import { METHODS } from './methods.js';
import { SCENARIOS, protocolFor } from './protocols.js';
import { publishedFor } from './published.js';

/** One planned cell. */
export interface PlannedCell {
  scenario: string;
  method: string;
  seed: number;
}

/** Rows with a published figure get three seeds, the others one; cheapest scenarios first. */
export function fullPlan(): PlannedCell[] {
  const order = ['split-mnist-class', 'split-mnist-class-hsu', 'online-split-mnist-class', 'split-mnist-task', 'split-mnist-domain', 'permuted-mnist'];
  const cells: PlannedCell[] = [];
  for (const scenario of order.filter((s) => (SCENARIOS as readonly string[]).includes(s))) {
    const planned = protocolFor(scenario).methods;
    for (const method of METHODS.filter((m) => !planned || planned.includes(m))) {
      const seeds = publishedFor(scenario, method) ? 3 : 1;
      for (let seed = 0; seed < seeds; seed++) cells.push({ scenario, method, seed });
    }
  }
  return cells;
}
