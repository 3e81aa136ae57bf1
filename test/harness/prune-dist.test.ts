import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';

// scripts/prune-dist.mjs finds the repository from its own place, so it runs from a copy in a scratch tree.
const script = new URL('../../../scripts/prune-dist.mjs', import.meta.url).pathname;

t.test('the tests\' build drops compiled files whose source is gone, and only those', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'prune-dist-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'scripts'));
  copyFileSync(script, join(root, 'scripts', 'prune-dist.mjs'));
  for (const dir of ['test/kept', 'dist/test/kept', 'dist/test/gone']) mkdirSync(join(root, dir), { recursive: true });
  writeFileSync(join(root, 'test/kept/a.test.ts'), '');
  for (const f of ['dist/test/kept/a.test.js', 'dist/test/kept/a.test.js.map', 'dist/test/gone/b.test.js', 'dist/test/gone/b.test.js.map', 'dist/.tsbuildinfo']) writeFileSync(join(root, f), '');
  const run = spawnSync(process.execPath, [join(root, 'scripts', 'prune-dist.mjs')], { encoding: 'utf8' });
  t.equal(run.status, 0, `it succeeds (${run.stderr})`);
  t.equal(existsSync(join(root, 'dist/test/gone/b.test.js')), false, 'a test whose source was deleted is gone, so it cannot run from an old build');
  t.equal(existsSync(join(root, 'dist/test/gone/b.test.js.map')), false, 'and its source map');
  t.equal(existsSync(join(root, 'dist/test/kept/a.test.js')) && existsSync(join(root, 'dist/test/kept/a.test.js.map')), true, 'a compiled file whose source is there stays (the incremental build does not make it again)');
  t.equal(existsSync(join(root, 'dist/.tsbuildinfo')), true, 'the build\'s own record stays');
  t.match(run.stdout, /removed 2 compiled file/, 'and it says what it removed');
  const again = spawnSync(process.execPath, [join(root, 'scripts', 'prune-dist.mjs')], { encoding: 'utf8' });
  t.equal(again.stdout, '', 'a second run finds nothing and says nothing');
});
