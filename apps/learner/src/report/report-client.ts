/**
 * The script the report runs in the browser: reads the embedded JSON and draws each `[data-chart]` with
 * Observable Plot. Kept as plain ES2017 in a string because it never runs in Node; the browser test runs it.
 * Each chart element ends with `data-rendered="ok"` or `"error"` (and the error goes to the console).
 */
export const REPORT_CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('retain-report-data').textContent);
  var learners = data.learners.ok ? data.learners.value : [];
  var promotion = data.promotion.ok ? data.promotion.value : null;
  var pct = function (v) { return (100 * v).toFixed(1) + '%'; };
  var taskOrder = function (names) { return names.slice(); };

  function widthOf(el) { return Math.max(320, Math.min(1040, el.clientWidth || 900)); }

  var charts = {
    'accuracy-over-time': function (el) {
      var rows = [];
      learners.forEach(function (l) { l.history.forEach(function (h) { rows.push({ learner: l.name, at: h.at, accuracy: h.accuracy }); }); });
      var drifts = [];
      learners.forEach(function (l) { l.events.forEach(function (e) { if (e.kind === 'drift') drifts.push({ learner: l.name, at: e.at }); }); });
      return Plot.plot({
        width: widthOf(el), height: 320, marginLeft: 50,
        x: { label: 'examples seen', grid: false },
        y: { label: 'accuracy (last 1,000, prequential)', domain: [0, 1], grid: true, tickFormat: '.0%' },
        color: { legend: true },
        marks: [
          Plot.ruleX(drifts, { x: 'at', stroke: 'learner', strokeOpacity: 0.35, strokeDasharray: '3,3' }),
          Plot.line(rows, { x: 'at', y: 'accuracy', stroke: 'learner', strokeWidth: 2 }),
          Plot.tip(rows, Plot.pointerX({ x: 'at', y: 'accuracy', stroke: 'learner', title: function (d) { return d.learner + '\nexample ' + d.at + '\naccuracy ' + pct(d.accuracy); } }))
        ]
      });
    },
    'events-timeline': function (el) {
      var rows = [];
      learners.forEach(function (l) { l.events.forEach(function (e) { rows.push({ learner: l.name, kind: e.kind, at: e.at, lane: l.name + ' · ' + e.kind, detail: JSON.stringify(e.detail) }); }); });
      return Plot.plot({
        width: widthOf(el), height: 60 + 34 * new Set(rows.map(function (r) { return r.lane; })).size, marginLeft: 170,
        x: { label: 'examples seen' }, y: { label: null },
        color: { legend: true, domain: ['drift', 'consolidation'], range: ['#d62728', '#1f77b4'] },
        marks: [
          Plot.ruleY(rows, { y: 'lane', stroke: '#eee' }),
          Plot.dot(rows, { x: 'at', y: 'lane', fill: 'kind', r: 4, title: function (d) { return d.kind + ' at example ' + d.at + '\n' + d.detail; } })
        ]
      });
    },
    'accuracy-matrix': function (el) {
      var cells = [];
      var names = [];
      learners.forEach(function (l) {
        if (!l.scenario) return;
        names = l.scenario.tasks.length > names.length ? l.scenario.tasks : names;
        l.scenario.accuracy.forEach(function (row, i) {
          row.forEach(function (v, j) { cells.push({ learner: l.name, after: 'after T' + (i + 1), on: 'T' + (j + 1), accuracy: v }); });
        });
      });
      var order = names.map(function (_, i) { return 'T' + (i + 1); });
      var facets = new Set(cells.map(function (c) { return c.learner; })).size;
      var w = widthOf(el);
      var side = Math.min(44, Math.floor((w - 120) / Math.max(1, facets * order.length + facets)));
      return Plot.plot({
        width: Math.min(w, 120 + facets * (order.length + 1) * side), height: 80 + order.length * side, marginLeft: 70, marginBottom: 40,
        padding: 0.04,
        fx: { label: null }, x: { domain: order, label: 'accuracy on task', axis: 'bottom' },
        y: { domain: order.map(function (t) { return 'after ' + t; }), label: null },
        color: { type: 'linear', scheme: 'RdYlGn', domain: [0.5, 1], clamp: true, legend: true, label: 'accuracy', tickFormat: '.0%' },
        marks: [
          Plot.cell(cells, { fx: 'learner', x: 'on', y: 'after', fill: 'accuracy', inset: 0.5, title: function (d) { return d.learner + ', ' + d.after + ', on ' + d.on + ': ' + pct(d.accuracy); } }),
          Plot.text(cells, { fx: 'learner', x: 'on', y: 'after', text: function (d) { return Math.round(100 * d.accuracy); }, fontSize: side > 30 ? 11 : 8, fill: 'black' })
        ]
      });
    },
    'first-task': function (el) {
      var rows = [];
      learners.forEach(function (l) {
        if (!l.scenario) return;
        l.scenario.accuracy.forEach(function (row, i) { rows.push({ learner: l.name, after: i + 1, accuracy: row[0] }); });
      });
      return Plot.plot({
        width: widthOf(el), height: 260, marginLeft: 50,
        x: { label: 'tasks learned', ticks: rows.length ? Math.max.apply(null, rows.map(function (r) { return r.after; })) : 1, tickFormat: 'd' },
        y: { label: 'accuracy on task 1', domain: [0, 1], grid: true, tickFormat: '.0%' },
        color: { legend: true },
        marks: [
          Plot.line(rows, { x: 'after', y: 'accuracy', stroke: 'learner', strokeWidth: 2 }),
          Plot.dot(rows, { x: 'after', y: 'accuracy', fill: 'learner', r: 3.5, title: function (d) { return d.learner + ' after task ' + d.after + ': ' + pct(d.accuracy); } })
        ]
      });
    },
    'replay-composition': function (el) {
      var rows = [];
      var domains = [];
      learners.forEach(function (l) {
        if (!l.replay) return;
        l.replay.byDomain.forEach(function (d) { rows.push({ learner: l.name, domain: d.domain, count: d.count }); if (domains.indexOf(d.domain) < 0) domains.push(d.domain); });
      });
      domains.sort(function (a, b) { return a.localeCompare(b, undefined, { numeric: true }); });
      return Plot.plot({
        width: widthOf(el), height: 50 + 22 * domains.length * new Set(rows.map(function (r) { return r.learner; })).size, marginLeft: 150,
        x: { label: 'stored examples', grid: true }, y: { domain: domains, label: null }, fy: { label: null },
        marks: [
          Plot.barX(rows, { x: 'count', y: 'domain', fy: 'learner', fill: '#4e79a7', title: function (d) { return d.domain + ': ' + d.count; } }),
          Plot.text(rows, { x: 'count', y: 'domain', fy: 'learner', text: 'count', dx: 14, fontSize: 10 }),
          Plot.ruleX([0])
        ]
      });
    },
    'promotion-rewards': function (el) {
      var rows = [];
      promotion.cycles.forEach(function (c) {
        if (c.baselineReward !== null) rows.push({ cycle: c.id, role: 'champion (' + (c.baselineVersionId || '-') + ')', kind: 'champion', reward: c.baselineReward });
        if (c.challengerReward !== null) rows.push({ cycle: c.id, role: 'challenger', kind: 'challenger', reward: c.challengerReward });
      });
      return Plot.plot({
        width: Math.min(widthOf(el), 160 + 180 * promotion.cycles.length), height: 280, marginLeft: 50,
        fx: { label: null }, x: { axis: null, domain: ['champion', 'challenger'] },
        y: { label: 'benchmark reward', domain: [0, 1], grid: true, tickFormat: '.0%' },
        color: { legend: true, domain: ['champion', 'challenger'], range: ['#9c9c9c', '#59a14f'] },
        marks: [
          Plot.barY(rows, { fx: 'cycle', x: 'kind', y: 'reward', fill: 'kind', title: function (d) { return d.role + ': ' + pct(d.reward); } }),
          Plot.text(rows, { fx: 'cycle', x: 'kind', y: 'reward', text: function (d) { return pct(d.reward); }, dy: -8, fontSize: 11 }),
          Plot.ruleY([0])
        ]
      });
    },
    'promotion-gates': function (el) {
      var rows = [];
      promotion.cycles.forEach(function (c) {
        (c.decision ? c.decision.gates : []).forEach(function (g) {
          rows.push({ cycle: c.id, gate: g.gate, result: g.passed ? 'pass' : 'fail', label: (g.value <= -1e300 ? '-' : +g.value.toFixed(3)) + ' vs ' + +g.threshold.toFixed(3) });
        });
      });
      return Plot.plot({
        width: widthOf(el), height: 70 + 40 * new Set(rows.map(function (r) { return r.cycle; })).size, marginLeft: 80, marginBottom: 50,
        x: { label: null, tickRotate: 0 }, y: { label: null },
        color: { legend: true, domain: ['pass', 'fail'], range: ['#59a14f', '#e15759'] },
        marks: [
          Plot.cell(rows, { x: 'gate', y: 'cycle', fill: 'result', inset: 1, title: function (d) { return d.gate + ': ' + d.result + ' (' + d.label + ')'; } }),
          Plot.text(rows, { x: 'gate', y: 'cycle', text: 'label', fill: 'white', fontSize: 10 })
        ]
      });
    }
  };

  document.querySelectorAll('[data-chart]').forEach(function (el) {
    var name = el.getAttribute('data-chart');
    try {
      if (!charts[name]) throw new Error('unknown chart ' + name);
      el.appendChild(charts[name](el));
      el.setAttribute('data-rendered', 'ok');
    } catch (err) {
      el.setAttribute('data-rendered', 'error');
      el.textContent = 'This chart could not be drawn: ' + (err && err.message ? err.message : String(err));
      console.error('retain report: chart ' + name + ' failed', err);
    }
  });
})();
`;
