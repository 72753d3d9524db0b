import { runDemoLearning } from './demo-learning.js';
const [tasks, train, test] = process.argv.slice(2).map(Number);
const r = runDemoLearning({ scale: { tasks: tasks!, trainPerTask: train!, testPerTask: test!, benchmarkPerTask: 40, seed: 1 },
  onTask: (t) => console.log(t.task, 'ft', t.accuracy['fine-tune'].map((a) => a.toFixed(3)).join(' '), '| st', t.accuracy.stable.map((a) => a.toFixed(3)).join(' ')) });
console.log('ms', r.ms, r.learners.stable.stats().backend, 'drifts', r.learners.stable.stats().drifts, r.learners['fine-tune'].stats().drifts, 'cons', r.learners.stable.stats().consolidations);
