// Before the tests' build (package.json pretest): removes from dist/ every compiled file whose
// TypeScript source is gone, so a deleted test cannot run from an old build. The build itself is
// incremental (tsconfig.json, dist/.tsbuildinfo): on a fresh clone `npm install` has just built
// dist/ and the tests' build finds nothing to do, where `rm -rf dist` made it compile everything twice.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
/** dist/a/b.js and dist/a/b.js.map come from a/b.ts (tsconfig rootDir is the repository). */
const OUTPUT = /\.js(\.map)?$/;

let removed = 0;
if (existsSync(dist)) {
  for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !OUTPUT.test(entry.name)) continue;
    const file = join(entry.parentPath, entry.name);
    const source = join(root, relative(dist, file).replace(OUTPUT, '.ts'));
    if (existsSync(source)) continue;
    rmSync(file);
    removed++;
  }
}
if (removed > 0) console.log(`prune-dist: removed ${removed} compiled file(s) whose source is gone`);
