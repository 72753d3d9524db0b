import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { NotFoundError } from '@retain/core';

/** The browser builds the report inlines, so it opens offline: d3 first, then Observable Plot (which needs `d3`). */
export interface ReportAssets {
  d3: string;
  plot: string;
  versions: { d3: string; plot: string };
}

function packageRoot(name: string): string {
  const require = createRequire(import.meta.url);
  // Both packages export only "." (no package.json subpath): walk up from the entry to the folder that owns it.
  let dir = path.dirname(require.resolve(name));
  while (!fs.existsSync(path.join(dir, 'package.json')) || (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string }).name !== name) {
    const up = path.dirname(dir);
    if (up === dir) throw new NotFoundError('package', name);
    dir = up;
  }
  return dir;
}

function read(name: string, file: string): { text: string; version: string } {
  const root = packageRoot(name);
  const full = path.join(root, file);
  if (!fs.existsSync(full)) throw new NotFoundError(`${name} browser build`, full);
  const version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  // A literal "</script" inside inlined code would end the script element early.
  return { text: fs.readFileSync(full, 'utf8').replace(/<\/script/gi, '<\\/script'), version };
}

let cached: ReportAssets | null = null;

/** Read (once) the minified UMD builds of d3 and @observablehq/plot from node_modules. */
export function reportAssets(): ReportAssets {
  if (cached) return cached;
  const d3 = read('d3', 'dist/d3.min.js');
  const plot = read('@observablehq/plot', 'dist/plot.umd.min.js');
  cached = { d3: d3.text, plot: plot.text, versions: { d3: d3.version, plot: plot.version } };
  return cached;
}
