#!/usr/bin/env node
// The `retain` command line. Exit codes: 0 ok, 1 failure, 2 usage error.
import fs from 'node:fs';
import { Command, CommanderError, InvalidArgumentError as CommanderArgError, Option } from 'commander';
import { RetainError } from '@retain/core';
import type { LearnerConfigInput } from './config.js';
import { learnJsonl, learnScenario, type LearnOptions } from './cli/learn-command.js';
import { readJsonl } from './cli/jsonl-reader.js';
import { checkpointsOf, evaluateFile, exportSafetensors, openExistingStore, predictInputs, statusOf } from './cli/store-commands.js';

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
      const status = statusOf(String(o['store']));
      print(!!o['json'], status, () => {
        const l = status['learner'] as Record<string, unknown>;
        if (!l['lastCheckpoint']) return `store ${String(status['store'])}: no checkpoint yet`;
        const acc = typeof l['accuracy'] === 'number' && !Number.isNaN(l['accuracy']) ? `${(100 * (l['accuracy'] as number)).toFixed(2)}%` : '-';
        const cp = l['lastCheckpoint'] as Record<string, unknown>;
        return [
          `store ${String(status['store'])}`,
          `examples seen ${String(l['examplesSeen'])} (rejected ${String(l['rejected'])}), prequential accuracy ${acc}`,
          `drifts ${String(l['drifts'])}, consolidations ${String(l['consolidations'])}, classes ${String(l['classes'])}, backend ${String(l['backend'])}`,
          `last checkpoint ${String(cp['id'])} at ${String(cp['createdAt'])} (${String(l['checkpoints'])} retained)`,
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
