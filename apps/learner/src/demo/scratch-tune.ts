import { runDemoLearning } from './demo-learning.js';
import { stableConfig } from './demo-config.js';
import { parseLearnerConfig } from '../config.js';
const [tasks, train, test] = process.argv.slice(2).map(Number);
const over = JSON.parse(process.env.OVER ?? '{}');
const merge = (a: any, b: any): any => { if (typeof a !== 'object' || typeof b !== 'object' || Array.isArray(b)) return b ?? a; const o = { ...a }; for (const k of Object.keys(b)) o[k] = merge(a[k], b[k]); return o; };
const stable = merge(stableConfig(1, train!), over);
const r = runDemoLearning({ scale: { tasks: tasks!, trainPerTask: train!, testPerTask: test!, benchmarkPerTask: 40, seed: Number(process.env.SEED ?? 1) }, configs: { stable },
  onTask: (t) => console.log(t.task, 'ft', t.accuracy['fine-tune'].map((a) => a.toFixed(3)).join(' '), '| st', t.accuracy.stable.map((a) => a.toFixed(3)).join(' ')) });
console.log('ms', r.ms, r.learners.stable.stats().backend, 'drifts', r.learners.stable.stats().drifts, r.learners['fine-tune'].stats().drifts, 'cons', r.learners.stable.stats().consolidations, JSON.stringify(parseLearnerConfig(stable).ewc));
