import t from 'tap';

// package.json's pretest runs `tap build`: tap is installed built with its default plugins, and a
// runner that finds its build unlike the configured plugins rebuilds it for later runs but still
// starts this run's test files with the loaders of the build it loaded (on a fresh clone: the
// TypeScript plugin's loader, ~0.5 s of CPU a file, for tests that are JavaScript already).
t.test('the test files run with the plugins package.json configures, not tap\'s defaults', async (t) => {
  const imports = process.execArgv.filter((a) => a.startsWith('--import'));
  t.ok(imports.some((a) => a.includes('@tapjs/processinfo')), `tap's own loader is there (${imports.join(' ')})`);
  t.notOk(imports.some((a) => a.includes('@tapjs/typescript')), 'the TypeScript plugin, which package.json turns off, loads no loader: the tests run from dist/ as JavaScript');
});
