import type { ReportAssets } from './report-assets.js';
import { REPORT_CLIENT_SCRIPT } from './report-client.js';
import type { LearnerReport, Maybe, PromotionReport, ReportData } from './report-data.js';

const esc = (s: unknown): string =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const pct = (v: number | null | undefined): string => (v === null || v === undefined || Number.isNaN(v) ? '–' : `${(100 * v).toFixed(1)}%`);
const pts = (v: number | null): string => (v === null ? '–' : `${v >= 0 ? '+' : ''}${(100 * v).toFixed(1)} pts`);

function section(id: string, title: string, blurb: string, body: string): string {
  return `<section id="${id}"><h2>${esc(title)}</h2><p class="blurb">${blurb}</p>${body}</section>`;
}

function noData(reason: string): string {
  return `<div class="empty"><strong>No data.</strong> ${esc(reason)}</div>`;
}

function chart(name: string, caption: string): string {
  return `<figure class="chart"><div data-chart="${name}"></div><figcaption>${esc(caption)}</figcaption></figure>`;
}

function learnerCards(learners: LearnerReport[]): string {
  return `<div class="cards">${learners
    .map((l) => {
      const method = [l.replayEnabled ? 'replay' : null, l.ewcEnabled ? 'online EWC' : null].filter(Boolean).join(' + ') || 'fine-tuning only';
      const scen = l.scenario
        ? `<div><span>final accuracy, all tasks</span><b>${pct(l.scenario.metrics.acc)}</b></div><div><span>forgetting</span><b>${l.scenario.metrics.forgetting === null ? '–' : `${(100 * l.scenario.metrics.forgetting).toFixed(1)} pts`}</b></div>`
        : '';
      return `<div class="card"><h3>${esc(l.name)}</h3><p class="muted">${esc(l.preset)} · ${esc(method)} · ${esc(l.backend)} kernels</p>
        <div class="kv"><div><span>examples seen</span><b>${l.examplesSeen.toLocaleString('en-US')}</b></div>
        <div><span>prequential accuracy</span><b>${pct(l.accuracy)}</b></div>
        <div><span>drifts · consolidations</span><b>${l.drifts} · ${l.consolidations}</b></div>${scen}</div></div>`;
    })
    .join('')}</div>`;
}

function learnerSections(m: Maybe<LearnerReport[]>): string {
  if (!m.ok) {
    return ['accuracy', 'matrix', 'replay'].map((id) => section(id, { accuracy: 'Accuracy over time', matrix: 'Accuracy matrix', replay: 'Replay buffer' }[id]!, '', noData(m.reason))).join('');
  }
  const ls = m.value;
  const out: string[] = [];
  const hasHistory = ls.some((l) => l.history.length > 0);
  const hasEvents = ls.some((l) => l.events.length > 0);
  out.push(
    section(
      'accuracy',
      'Accuracy over time',
      'Test-then-train accuracy over the last 1,000 examples, as the stream went by. Dashed lines: drift detected.',
      (hasHistory ? chart('accuracy-over-time', 'prequential accuracy per learner') : noData('fewer than 100 examples learned, so no point of the curve yet')) +
        (hasEvents ? chart('events-timeline', 'drift and consolidation (sleep phase) events, by example') : noData('no drift or consolidation event recorded')),
    ),
  );
  const withScenario = ls.filter((l) => l.scenario);
  const metrics = withScenario.length
    ? `<table><thead><tr><th>learner</th><th>tasks</th><th>final accuracy (ACC)</th><th>backward transfer (BWT)</th><th>forgetting</th></tr></thead><tbody>${withScenario
        .map((l) => {
          const s = l.scenario!;
          return `<tr><td>${esc(l.name)}</td><td>${s.tasks.length}</td><td>${pct(s.metrics.acc)}</td><td>${pts(s.metrics.bwt)}</td><td>${pts(s.metrics.forgetting)}</td></tr>`;
        })
        .join('')}</tbody></table><p class="muted small">BWT = mean of R[T][j] − R[j][j] over j &lt; T, divided by T − 1; forgetting = mean of max over earlier rows − final, over j &lt; T.</p>`
    : '';
  out.push(
    section(
      'matrix',
      'Accuracy matrix',
      'Row i: accuracy on every task seen so far, measured right after learning task i. Fading colours along a column are forgetting.',
      withScenario.length
        ? chart('accuracy-matrix', 'accuracy on held-out test images of each task') + chart('first-task', 'accuracy on the first task as more tasks are learned') + metrics
        : noData('no task-by-task evaluation in this store (a `retain learn --scenario` or `retain demo` run records one)'),
    ),
  );
  const withReplay = ls.filter((l) => l.replay && l.replay.size > 0);
  out.push(
    section(
      'replay',
      'Replay buffer',
      'What each learner keeps to rehearse, by domain (or class): a balanced buffer is what stops old tasks from fading.',
      withReplay.length
        ? chart('replay-composition', 'stored examples per domain') +
            `<p class="muted small">${withReplay.map((l) => `${esc(l.name)}: ${l.replay!.size} of ${l.replay!.capacity} slots used`).join(' · ')}</p>`
        : noData(ls.some((l) => l.replay) ? 'the replay buffer is empty' : 'replay is disabled for every learner here'),
    ),
  );
  return out.join('');
}

function promotionSection(m: Maybe<PromotionReport>): string {
  const blurb = 'A challenger is trained from the champion, both run the same benchmark, and every gate must pass before the challenger becomes the current version.';
  if (!m.ok) return section('promotion', 'Versions and promotion', blurb, noData(m.reason));
  const p = m.value;
  const withRewards = p.cycles.some((c) => c.challengerReward !== null);
  const withGates = p.cycles.some((c) => c.decision && c.decision.gates.length > 0);
  const cycles = `<table><thead><tr><th>cycle</th><th>when</th><th>outcome</th><th>samples</th><th>decision</th></tr></thead><tbody>${p.cycles
    .map(
      (c) =>
        `<tr><td>${esc(c.id)}</td><td>${esc(c.createdAt.replace('T', ' ').slice(0, 19))}</td><td class="${esc(c.outcome)}">${esc(c.outcome)}${c.promotedVersionId ? ` → ${esc(c.promotedVersionId)}` : ''}</td><td>${c.sampleCount}</td><td>${
          c.decision ? (c.decision.reasons.length ? esc(c.decision.reasons.join('; ')) : `all ${c.decision.gates.length} gates passed (${esc(c.decision.mode)})`) : esc(c.summary)
        }</td></tr>`,
    )
    .join('')}</tbody></table>`;
  const versions = `<table><thead><tr><th>version</th><th>created</th><th>source</th><th>benchmark reward</th><th>size</th></tr></thead><tbody>${p.versions
    .map(
      (v) =>
        `<tr><td>${esc(v.id)}${v.id === p.current ? ' <span class="badge">current</span>' : ''}</td><td>${esc(v.createdAt.replace('T', ' ').slice(0, 19))}</td><td>${esc(v.source)}${v.reportId ? ` (${esc(v.reportId)})` : ''}</td><td>${pct(v.reward)}</td><td>${(v.byteLength / 1024).toFixed(0)} KiB</td></tr>`,
    )
    .join('')}</tbody></table>`;
  return section(
    'promotion',
    'Versions and promotion',
    blurb,
    (withRewards ? chart('promotion-rewards', 'benchmark reward of champion and challenger, per cycle') : noData('no cycle reached the benchmark')) +
      (withGates ? chart('promotion-gates', 'gate results per cycle (value vs threshold)') : '') +
      `<h3>Cycles</h3>${p.cycles.length ? cycles : noData('no promotion cycle has run')}<h3>Versions</h3>${p.versions.length ? versions : noData('no model version stored')}`,
  );
}

const STYLE = `
:root { color-scheme: light; --fg: #1d2330; --muted: #667085; --line: #e4e7ec; --accent: #3b5bdb; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: #f6f7f9; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 28px 60px; }
header h1 { margin: 0 0 4px; font-size: 26px; }
h2 { margin: 0 0 4px; font-size: 20px; } h3 { margin: 18px 0 8px; font-size: 16px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 20px 22px; margin: 18px 0; }
.blurb, .muted { color: var(--muted); margin: 0 0 12px; } .small { font-size: 13px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 14px; margin-top: 16px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; }
.card h3 { margin: 0; } .kv { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 14px; }
.kv span { display: block; color: var(--muted); font-size: 12px; } .kv b { font-size: 18px; }
figure.chart { margin: 8px 0 18px; } figcaption { color: var(--muted); font-size: 13px; }
.empty { border: 1px dashed #c8ccd4; border-radius: 8px; padding: 14px; color: var(--muted); background: #fafbfc; margin: 8px 0; }
table { border-collapse: collapse; width: 100%; font-size: 14px; } th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; } td.accepted { color: #2b8a3e; font-weight: 600; } td.rejected, td.failed { color: #c92a2a; font-weight: 600; }
.badge { background: var(--accent); color: #fff; border-radius: 6px; padding: 1px 6px; font-size: 12px; }
nav a { margin-right: 14px; color: var(--accent); text-decoration: none; }
`;

/** The report as one self-contained HTML page (data, styles, d3 and Plot inline; no network). */
export function renderReportHtml(data: ReportData, assets: ReportAssets): string {
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const learners = data.learners.ok ? learnerCards(data.learners.value) : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>retain report · ${esc(data.store)}</title><style>${STYLE}</style></head>
<body><main>
<header><h1>retain report</h1><p class="muted">store <code>${esc(data.store)}</code> · generated ${esc(data.generatedAt.replace('T', ' ').slice(0, 19))} UTC · charts by Observable Plot ${esc(assets.versions.plot)}</p>
<nav><a href="#accuracy">accuracy</a><a href="#matrix">accuracy matrix</a><a href="#replay">replay buffer</a><a href="#promotion">promotion</a></nav>${learners}</header>
${learnerSections(data.learners)}
${promotionSection(data.promotion)}
</main>
<script type="application/json" id="retain-report-data">${json}</script>
<script>${assets.d3}</script>
<script>${assets.plot}</script>
<script>${REPORT_CLIENT_SCRIPT}</script>
</body></html>
`;
}
