import { createRequire } from 'node:module';

// Read from package.json (one level above both src/ and dist/) so the reported version cannot drift.
const pkg = createRequire(import.meta.url)('../package.json') as { version: string };

/** The version of @retain/kernels, reported in `info.version` of the TS backend. */
export const KERNELS_VERSION: string = pkg.version;
