import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { generateDtmf } from '../../dsp/dtmf-generator.js';
import { COMMAND_NAMES, buildProgram } from '../../src/cli/program.js';
import { writeWavFile } from '../../src/storage/wav-file.js';
import { CLI, runCli } from '../support/lab-child.js';
import { modulesLoadedBy } from '../support/module-trace.js';

/**
 * What a command line costs at start (issue 15, CLI start): `--version` loads
 * nothing but the entry point and the file that reads the version; a command
 * loads its own registration and its run module, not the other commands',
 * not pino, not the firmware.
 */
const root = join(CLI, '../../..');
const ours = (urls: string[]): string[] => urls.filter((u) => u.startsWith('file:')).map((u) => relative(root, fileURLToPath(u)));
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

t.test('the command table names exactly the commands their modules register, in the order of the root help', async (t) => {
  const whole = await buildProgram();
  t.same(whole.commands.map((c) => c.name()), [...COMMAND_NAMES, 'help'], 'every top-level command, then help');
  for (const name of COMMAND_NAMES) {
    const one = await buildProgram([name, '--help']);
    t.same(one.commands.map((c) => c.name()), [name, 'help'], `hicom-sim ${name} …: only ${name} is registered`);
  }
  t.same((await buildProgram(['--log-level', 'warn', 'dtmf'])).commands.map((c) => c.name()), ['dtmf', 'help'], 'a root option with its value before the command');
  for (const argv of [[], ['help', 'dtmf'], ['frobnicate'], ['-h', 'dtmf'], ['--version']]) {
    t.equal((await buildProgram(argv)).commands.length, COMMAND_NAMES.length + 1, `hicom-sim ${argv.join(' ')}: every command (root help, help, unknown command)`);
  }
});

t.test('hicom-sim --version loads only the entry point and the version reader', async (t) => {
  for (const flag of ['--version', '-V']) {
    const run = modulesLoadedBy(CLI, [flag]);
    t.equal(run.status, 0, `${flag} exits 0 (${run.stderr.trim()})`);
    t.equal(run.stdout, `${version}\n`, `${flag} prints package.json's version and nothing else`);
    t.same(ours(run.urls), ['dist/bin/hicom-sim.js', 'dist/src/cli/package-version.js'], `${flag}: no commander, no command module`);
  }
  const withMore = runCli(['--version', '--log-level', 'warn']);
  t.equal(withMore.stdout, `${version}\n`, '--version among other root options still answers through commander');
});

t.test('hicom-sim dtmf decode loads the dtmf command and the DSP, nothing of the other commands', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'module-graph-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const wav = join(dir, 'digits.wav');
  writeWavFile(wav, generateDtmf('159', { onMs: 50, offMs: 50 }).samples, { sampleRate: 8000 });
  const run = modulesLoadedBy(CLI, ['dtmf', 'decode', wav]);
  t.equal(run.status, 0, `the decode succeeds (${run.stderr.trim()})`);
  t.match(run.stdout, /^digits: 159$/m, 'and finds the digits');
  const files = ours(run.urls);
  t.ok(files.includes('dist/src/cli/dtmf-decode-run.js'), 'the decode\'s run module is loaded');
  t.same(files.filter((f) => /dtmf-gen|dtmf-generator|audio-channel/.test(f)), [], 'not the generator\'s, nor the channel impairments');
  const commandModules = files.filter((f) => /^dist\/src\/cli\/[^/]+\.js$/.test(f)).map((f) => f.slice('dist/src/cli/'.length, -3));
  t.same(commandModules.filter((m) => COMMAND_NAMES.includes(m) && m !== 'dtmf'), [], 'no other command registration is loaded');
  t.same(commandModules.filter((m) => m.endsWith('-run') && m !== 'dtmf-decode-run'), [], 'no other command run module is loaded');
  t.same(files.filter((f) => /^dist\/(firmware-sim|modem)\/|^dist\/src\/(lab|centre|service|portal|database|fleet)\//.test(f)), [], 'no firmware, modem, lab or centre module');
  t.same(run.urls.filter((u) => /node_modules\/(pino|fastify|kysely|better-sqlite3|serialport|yaml)/.test(u)), [], 'no pino, fastify, database or serial package');
  t.same(run.urls.filter((u) => /node_modules\/commander\//.test(u)), [], 'a plain decode line runs without commander (src/cli/dtmf-decode-line.ts)');
  t.same(commandModules, ['package-version', 'dtmf-decode-line', 'dtmf-decode-run'], 'and without the program, its registrations or option parsers (the entry point reads the version itself)');
  const viaCommander = modulesLoadedBy(CLI, ['--log-level', 'info', 'dtmf', 'decode', wav]);
  t.equal(viaCommander.stdout, run.stdout, 'the same decode through commander (a root option before it) prints the same');
  t.ok(viaCommander.urls.some((u) => /node_modules\/commander\//.test(u)), 'and that line does go through commander');
});

t.test('a root option with its value before the command: errors name the command', async (t) => {
  const r = runCli(['--log-level', 'warn', 'dtmf']);
  t.equal(r.status, 2, 'a group without its sub-command is a usage error');
  t.match(r.stderr, /^hicom-sim: dtmf needs a command: decode, gen/, 'naming the group and its commands, as for --log-level=warn (it said "no command given")');
});
