#!/usr/bin/env node
// The `retain` command line. Exit codes: 0 ok, 1 failure, 2 usage error.
import fs from 'node:fs';
import { Command, CommanderError, InvalidArgumentError as CommanderArgError, Option } from 'commander';
import { RetainError } from '@retain/core';
import type { LearnerConfigInput } from './config.js';
import { learnJsonl, learnScenario, type LearnOptions } from './cli/learn-command.js';
import { readJsonl } from './cli/jsonl-reader.js';
import { checkpointsOf, evaluateFile, exportSafetensors, importSafetensors, openExistingStore, predictInputs, statusOf } from './cli/store-commands.js';
import { ingestTrajectories, promotionStatusOf, reportsOf, rollbackTo, versionsOf } from './cli/promotion-commands.js';
import { rebuildCaseIndex, runLearnerCycle } from './promotion/learner-cycle.js';
import { summarizeReport } from '@retain/promotion';
import { DEFAULT_DEMO_STORE, runDemo } from './demo/index.js';
import { writeReport } from './report/index.js';

const DEFAULT_STORE = './.retain';

function int(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new CommanderArgError(`expected a non-negative integer, got ${value}`);
  return n;
}
function num(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new CommanderArgError(`expected a number, got ${value}`);
  return n;
}
function intList(value: string): number[] {
  if (value.trim() === '') return [];
  return value.split(',').map((v) => int(v.trim()));
}

function print(json: boolean, value: unknown, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
}

/** Learner config from `--config FILE` plus the model/optimizer flags. */
function configFrom(o: Record<string, unknown>): LearnerConfigInput {
  const base = o['config'] ? (JSON.parse(fs.readFileSync(String(o['config']), 'utf8')) as LearnerConfigInput) : {};
  const model = { ...(base.model ?? {}) } as Record<string, unknown>;
  const optimizer = { ...(base.optimizer ?? {}) } as Record<string, unknown>;
  if (o['hidden'] !== undefined) model['hidden'] = o['hidden'];
  if (o['classes'] !== undefined) model['classes'] = o['classes'];
  if (o['dropout'] !== undefined) model['dropout'] = o['dropout'];
  if (o['lr'] !== undefined) optimizer['lr'] = o['lr'];
  if (o['optimizer'] !== undefined) optimizer['kind'] = o['optimizer'];
  return {
    ...base,
    ...(o['preset'] ? { preset: o['preset'] as LearnerConfigInput['preset'] } : {}),
    ...(o['seed'] !== undefined ? { seed: o['seed'] as number } : {}),
    ...(o['batchSize'] !== undefined ? { batchSize: o['batchSize'] as number } : {}),
    model,
    optimizer,
  } as LearnerConfigInput;
}

function summaryText(s: Awaited<ReturnType<typeof learnJsonl>>): string {
  const acc = Number.isNaN(s.accuracy) ? '-' : `${(100 * s.accuracy).toFixed(2)}%`;
  return [
    `learned ${s.learned} examples (${s.rejected} rejected)${s.resumedFrom !== null ? `, resumed from checkpoint ${s.resumedFrom}` : ''}`,
    `examples seen ${s.examplesSeen}, prequential accuracy ${acc}, drifts ${s.drifts}, consolidations ${s.consolidations}, backend ${s.backend}`,
    `checkpoint ${s.checkpoint} saved in ${s.store}`,
  ].join('\n');
}

export function buildProgram(): Command {
  const program = new Command('retain')
    .description('online continual learning: learn from a stream without forgetting, detect drift, checkpoint durably')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  const storeOpt = () => new Option('--store <dir>', 'store directory').default(DEFAULT_STORE);

  const learnOptions = (cmd: Command) =>
    cmd
      .addOption(storeOpt())
      .option('--preset <name>', 'fast | stable | prioritized | balanced')
      .option('--config <file>', 'JSON file of learner config overrides')
      .option('--hidden <sizes>', 'hidden layer sizes, comma separated (empty for a linear model)', intList)
      .option('--classes <n>', 'fix the number of classes up front (otherwise outputs grow)', int)
      .option('--dropout <rate>', 'dropout on hidden layers', num)
      .option('--optimizer <kind>', 'sgd | adam')
      .option('--lr <rate>', 'learning rate', num)
      .option('--batch-size <n>', 'new examples per step', int)
      .option('--seed <n>', 'seed of every random choice', int)
      .option('--checkpoint-every <n>', 'examples between automatic checkpoints', int, 1000)
      .option('--json', 'machine-readable output');

  learnOptions(
    program
      .command('learn')
      .description('learn from a JSONL stream (--input FILE or -) or an MNIST scenario (--scenario)')
      .option('--input <file>', 'JSONL of examples {id, input, target, domain?}; - for stdin')
      .addOption(new Option('--scenario <name>', 'built-in scenario').choices(['permuted-mnist', 'split-mnist', 'split-mnist-task', 'split-mnist-domain']))
      .option('--tasks <n>', 'tasks of permuted MNIST', int, 3)
      .option('--limit <n>', 'training images read from MNIST', int)
      .option('--test-limit <n>', 'test images read from MNIST', int, 1000),
  ).action(async (o: Record<string, unknown>) => {
    if (!o['input'] && !o['scenario']) throw new CommanderError(2, 'retain.usage', 'learn needs --input FILE or --scenario NAME');
    const opts: LearnOptions = {
      store: String(o['store']),
      json: !!o['json'],
      checkpointEvery: o['checkpointEvery'] as number,
      config: configFrom(o),
      ...(o['input'] ? { input: String(o['input']) } : {}),
      ...(o['scenario'] ? { scenario: String(o['scenario']), tasks: o['tasks'] as number, testLimit: o['testLimit'] as number } : {}),
      ...(o['limit'] !== undefined ? { limit: o['limit'] as number } : {}),
    };
    const summary = opts.input ? await learnJsonl(opts) : await learnScenario(opts);
    print(!!o['json'], summary, () => summaryText(summary));
  });

  program
    .command('resume')
    .description('continue the last learn run (or the run of --checkpoint ID) from where its checkpoint stopped')
    .addOption(storeOpt())
    .option('--checkpoint <id>', 'checkpoint to resume from', int)
    .option('--json', 'machine-readable output')
    .action(async (o: Record<string, unknown>) => {
      const store = openExistingStore(String(o['store']));
      const cps = store.listCheckpoints();
      store.close();
      const cp = o['checkpoint'] !== undefined ? cps.find((c) => c.id === o['checkpoint']) : cps.at(-1);
      if (!cp) throw new RetainError('E_NOT_FOUND', `checkpoint ${String(o['checkpoint'] ?? 'latest')} not found`);
      if (!cp.inputPath) throw new RetainError('E_NOT_FOUND', `checkpoint ${cp.id} records no input to resume`);
      const base: LearnOptions = { store: String(o['store']), json: !!o['json'], config: {}, checkpoint: cp.id };
      const summary = cp.inputPath.startsWith('scenario:')
        ? await learnScenario({ ...base, ...scenarioOf(cp.inputPath) })
        : await learnJsonl({ ...base, input: cp.inputPath });
      print(!!o['json'], summary, () => summaryText(summary));
    });

  program
    .command('status')
    .description('examples seen, rejected, accuracy, drifts, consolidations, backend, last checkpoint')
    .addOption(storeOpt())
    .option('--json', 'machine-readable output')
    .action((o: Record<string, unknown>) => {
      const status = { ...statusOf(String(o['store'])), promotion: promotionStatusOf(String(o['store'])) };
      print(!!o['json'], status, () => {
        const l = status.learner as Record<string, unknown>;
        if (!l['lastCheckpoint']) return `store ${status.store}: no checkpoint yet`;
        const acc = typeof l['accuracy'] === 'number' && !Number.isNaN(l['accuracy']) ? `${(100 * (l['accuracy'] as number)).toFixed(2)}%` : '-';
        const cp = l['lastCheckpoint'] as Record<string, unknown>;
        return [
          `store ${status.store}`,
          `examples seen ${String(l['examplesSeen'])} (rejected ${String(l['rejected'])}), prequential accuracy ${acc}`,
          `drifts ${String(l['drifts'])}, consolidations ${String(l['consolidations'])}, classes ${String(l['classes'])}, backend ${String(l['backend'])}`,
          `last checkpoint ${String(cp['id'])} at ${String(cp['createdAt'])} (${String(l['checkpoints'])} retained)`,
          `current version ${status.promotion.currentVersion?.id ?? 'none'} (${status.promotion.versionCount} versions, ${status.promotion.trajectoryCount} trajectories, ${status.promotion.reportCount} reports)`,
          ...(status.promotion.latestReport ? [`latest cycle: ${status.promotion.latestReport.summary}`] : []),
        ].join('\n');
      });
    });

  program
    .command('checkpoints')
    .description('list the retained checkpoints')
    .addOption(storeOpt())
    .option('--json', 'machine-readable output')
    .action((o: Record<string, unknown>) => {
      const list = checkpointsOf(String(o['store']));
      print(!!o['json'], list, () =>
        list.map((c) => `${String(c.id).padStart(5)}  ${c.createdAt}  ${String(c.examplesSeen).padStart(9)} examples${c.pinned ? '  pinned' : ''}${c.inputPath ? `  ${c.inputPath}@${c.inputOffset}` : ''}`).join('\n') ||
        'no checkpoints',
      );
    });

  program
    .command('predict')
    .description('predict labels for JSON inputs (one per line: an array, an object of fields, or {input})')
    .argument('[input]', 'one JSON input; without it, lines are read from --input or stdin')
    .addOption(storeOpt())
    .option('--input <file>', 'JSONL file of inputs')
    .action(async (arg: string | undefined, o: Record<string, unknown>) => {
      const lines = arg !== undefined ? (async function* () { yield { lineNo: 1, text: arg }; })() : readJsonl(o['input'] ? String(o['input']) : '-');
      const bad = await predictInputs(String(o['store']), lines, (row) => process.stdout.write(`${JSON.stringify(row)}\n`));
      if (bad > 0) process.exitCode = 1;
    });

  program
    .command('evaluate')
    .description('accuracy and loss of the current model on labelled JSONL')
    .requiredOption('--input <file>', 'JSONL of labelled examples')
    .addOption(storeOpt())
    .option('--json', 'machine-readable output')
    .action(async (o: Record<string, unknown>) => {
      const r = await evaluateFile(String(o['store']), String(o['input']));
      print(!!o['json'], r, () => `accuracy ${(100 * r.accuracy).toFixed(2)}% and loss ${r.loss.toFixed(4)} on ${r.n} examples (${r.rejected} rejected)`);
    });

  program
    .command('export')
    .description('export the model weights (fc{l}.weight / fc{l}.bias) for PyTorch and NumPy')
    .addOption(new Option('--format <format>', 'export format').choices(['safetensors']).default('safetensors'))
    .requiredOption('--out <file>', 'output file')
    .option('--checkpoint <id>', 'checkpoint to export (default: latest)', int)
    .addOption(storeOpt())
    .option('--json', 'machine-readable output')
    .action((o: Record<string, unknown>) => {
      const r = exportSafetensors(String(o['store']), String(o['out']), o['checkpoint'] as number | undefined);
      print(!!o['json'], r, () => `wrote ${r.file} (${r.bytes} bytes): ${r.tensors.join(', ')}`);
    });
  program
    .command('import')
    .description('load weights from a safetensors file (fc{l}.weight / fc{l}.bias) into the learner; commits a checkpoint')
    .requiredOption('--in <file>', 'safetensors file')
    .addOption(storeOpt())
    .option('--json', 'machine-readable output')
    .action((o: Record<string, unknown>) => {
      const r = importSafetensors(String(o['store']), String(o['in']));
      print(!!o['json'], r, () => `imported ${r.tensors} tensors; checkpoint ${r.checkpoint}`);
    });

  program
    .command('demo')
    .description('permuted MNIST through a fine-tune and a stable learner side by side, a promotion cycle, and the HTML report')
    .option('--store <dir>', 'demo directory', DEFAULT_DEMO_STORE)
    .option('--out <file>', 'report file (default <store>/report.html)')
    .option('--no-promotion', 'skip the promotion cycle')
    .option('--json', 'print only the final summary as JSON')
    .action(async (o: Record<string, unknown>) => {
      await runDemo({
        store: String(o['store']),
        ...(o['out'] ? { out: String(o['out']) } : {}),
        promotion: o['promotion'] !== false,
        json: !!o['json'],
      });
    });

  program
    .command('report')
    .description('render a self-contained HTML report of a store (accuracy, matrix, replay, drift, versions)')
    .addOption(storeOpt())
    .option('--out <file>', 'output file (default <store>/report.html)')
    .option('--json', 'machine-readable output')
    .action((o: Record<string, unknown>) => {
      writeReport({ store: String(o['store']), ...(o['out'] ? { out: String(o['out']) } : {}), json: !!o['json'] });
    });

  program
    .command('cycle')
    .description('one champion/challenger cycle: new trajectories → challenger → benchmark → gates → promote or not')
    .addOption(storeOpt())
    .option('--dry-run', 'train and evaluate, report, but promote and save nothing')
    .option('--min-new-trajectories <n>', 'skip (with a report) below this many new trajectories', int, 1)
    .option('--baseline-version <id>', 'evaluate against this version instead of the current one')
    .option('--benchmark <file>', 'benchmark suite JSON, a path inside the store (default: benchmark.json there, else the seed suite)')
    .option('--json', 'machine-readable output')
    .action(async (o: Record<string, unknown>) => {
      openExistingStore(String(o['store'])).close();
      const report = await runLearnerCycle({
        store: String(o['store']),
        dryRun: !!o['dryRun'],
        minNewTrajectories: o['minNewTrajectories'] as number,
        ...(o['baselineVersion'] ? { baselineVersionId: String(o['baselineVersion']) } : {}),
        ...(o['benchmark'] ? { benchmark: { path: String(o['benchmark']) } } : {}),
      });
      print(!!o['json'], report, () => summarizeReport(report));
      if (report.outcome === 'failed') process.exitCode = 1;
    });

  program
    .command('versions')
    .description('list model versions and the history of what was current when')
    .addOption(storeOpt())
    .option('--json', 'machine-readable output')
    .action((o: Record<string, unknown>) => {
      const v = versionsOf(String(o['store']));
      print(!!o['json'], v, () =>
        [
          ...(v.versions as { id: string; createdAt: string; byteLength: number; checkpointId: string | null }[]).map(
            (x) => `${x.id === v.current ? '*' : ' '} ${x.id.padEnd(6)} ${x.createdAt}  ${x.byteLength} bytes${x.checkpointId ? `  checkpoint ${x.checkpointId}` : ''}`,
          ),
          ...(v.versions.length === 0 ? ['no versions yet'] : []),
        ].join('\n'),
      );
    });

  program
    .command('rollback')
    .description('make an older version current (recorded in the history)')
    .argument('<id>', 'version id, e.g. v1')
    .addOption(storeOpt())
    .option('--json', 'machine-readable output')
    .action((id: string, o: Record<string, unknown>) => {
      const entry = rollbackTo(String(o['store']), id);
      print(!!o['json'], entry, () => `current version is now ${id}`);
    });

  program
    .command('reports')
    .description('list cycle reports, or show one')
    .argument('[id]', 'report id')
    .addOption(storeOpt())
    .option('--json', 'machine-readable output')
    .action((id: string | undefined, o: Record<string, unknown>) => {
      const r = reportsOf(String(o['store']), id);
      print(!!o['json'] || id !== undefined, r, () => (r as { summary: string }[]).map((x) => x.summary).join('\n') || 'no reports yet');
    });

  program
    .command('case-index')
    .description('rebuild the case index (task text → best past trajectory by reward)')
    .requiredOption('--rebuild', 'rebuild it from every trajectory')
    .addOption(storeOpt())
    .option('--json', 'machine-readable output')
    .action((o: Record<string, unknown>) => {
      openExistingStore(String(o['store'])).close();
      const r = rebuildCaseIndex(String(o['store']));
      print(!!o['json'], r, () => `case index: ${r.cases} cases in ${r.file}`);
    });

  const trajectories = program.command('trajectories').description('logged interactions that train challengers');
  trajectories
    .command('ingest')
    .description('add trajectories from a JSONL file (bad lines are reported and skipped)')
    .argument('<file>', 'JSONL of trajectories')
    .addOption(storeOpt())
    .option('--json', 'machine-readable output')
    .action((file: string, o: Record<string, unknown>) => {
      const r = ingestTrajectories(String(o['store']), file);
      print(!!o['json'], r, () =>
        [`${r.inserted} trajectories added (${r.duplicates} already there, ${r.bad} bad lines)`, ...r.badLines.map((b) => `line ${b.line}: ${b.message}`)].join('\n'),
      );
      if (r.bad > 0) process.exitCode = 1;
    });
  return program;
}

function scenarioOf(inputPath: string): Pick<LearnOptions, 'scenario' | 'tasks' | 'limit'> {
  const [, name, tasks, limit] = inputPath.split(':');
  const t = Number(tasks?.split('=')[1]);
  const l = limit?.split('=')[1];
  return { scenario: name!, tasks: t, ...(l && l !== 'all' ? { limit: Number(l) } : {}) };
}

/** Run the CLI; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      if (err.code === 'retain.usage') process.stderr.write(`error: ${err.message}\n`);
      return 2;
    }
    if (err instanceof RetainError) {
      process.stderr.write(`retain: ${err.message} [${err.code}]\n`);
      return 1;
    }
    process.stderr.write(`retain: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${fs.realpathSync(process.argv[1])}`).href;
if (isMain) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
