import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import t from 'tap';
import { Circle } from '../../firmware-sim/circles.js';
import { buildProgram } from '../../src/cli/program.js';
import { firstLoginOverTcp, runCli, runCliAsync, startLab, tempDir, writeLabConfig } from '../support/lab-child.js';
import { addUser } from '../support/add-user.js';

/**
 * The `hicom-sim` executable as a user runs it: offline KDS files (new,
 * open, show, wrong password, tampered, truncated), saving a KDS from a
 * running lab, the configuration round trip and its errors, `--help` on
 * every command and an unknown command.
 */
const VERSION = 'HE300M.00.001.01';
const SERVICE_ENV = { HICOM_USER: 'SERVICE', HICOM_PASSWORD: '31994' };

t.test('offline KDS: new, open, show; wrong password, tampered and truncated files', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'offline.kds');
  const made = runCli(['kds', 'new', file, '--type', 'OfficeCom', '--system-version', VERSION]);
  t.equal(made.status, 0, `kds new succeeds (${made.stderr.trim()})`);
  t.match(made.stdout, /offline KDS for OfficeCom HE300M\.00\.001\.01/, 'kds new says what it made');

  const opened = runCli(['kds', 'open', file], { env: SERVICE_ENV });
  t.equal(opened.status, 0, `kds open with HICOM_USER/HICOM_PASSWORD succeeds (${opened.stderr.trim()})`);
  t.match(opened.stdout, /system: \(offline KDS\) OfficeCom HE300M\.00\.001\.01/, 'kds open shows type and system version');
  t.match(opened.stdout, /opened as: SERVICE \(system-maintenance\)/, 'the saved user table decides the circle');

  const shown = runCli(['kds', 'show', file, 'station.100'], { env: SERVICE_ENV });
  t.equal(shown.status, 0, 'kds show succeeds');
  t.match(shown.stdout, /^station\.100\.port = "UP0E-1"$/m, 'kds show prints the items under the prefix');
  t.notMatch(shown.stdout, /station\.101/, 'and only those');

  const piped = runCli(['kds', 'show', file, 'c1'], { input: 'SERVICE\n31994\n' });
  t.match(piped.stdout, /c1\.system-name = "Hicom OfficeCom"/, 'name and password can be piped on stdin');

  const wrong = runCli(['kds', 'open', file], { env: { HICOM_USER: 'SERVICE', HICOM_PASSWORD: 'nope' } });
  t.not(wrong.status, 0, 'a wrong password exits non-zero');
  t.match(wrong.stderr, /^hicom-sim: .*offline\.kds: wrong password, or the file was changed after it was saved\n$/, 'with one clear line');

  const bytes = readFileSync(file);
  const tampered = Buffer.from(bytes);
  tampered[Math.floor(tampered.length / 2)] ^= 0x01;
  writeFileSync(join(dir, 'tampered.kds'), tampered);
  const t1 = runCli(['kds', 'show', join(dir, 'tampered.kds')], { env: SERVICE_ENV });
  t.not(t1.status, 0, 'a file with one flipped bit is refused');
  t.match(t1.stderr, /wrong password, or the file was changed after it was saved/, 'the refusal says the file was changed');
  t.equal(t1.stdout, '', 'nothing of a tampered file is shown');

  const header = Buffer.from(bytes);
  header[6] ^= 0x01; // the scrypt cost byte: covered by the GCM additional data
  writeFileSync(join(dir, 'header.kds'), header);
  t.not(runCli(['kds', 'open', join(dir, 'header.kds')], { env: SERVICE_ENV }).status, 0, 'a changed header byte is refused as well');

  writeFileSync(join(dir, 'short.kds'), bytes.subarray(0, bytes.length - 100));
  const t2 = runCli(['kds', 'open', join(dir, 'short.kds')], { env: SERVICE_ENV });
  t.not(t2.status, 0, 'a truncated file is refused');
  t.match(t2.stderr, /KDS file is truncated or has extra bytes/, 'the refusal says it is truncated');

  writeFileSync(join(dir, 'junk.kds'), 'not a kds file at all\n');
  t.match(runCli(['kds', 'open', join(dir, 'junk.kds')], { env: SERVICE_ENV }).stderr, /not a hicom-sim KDS file/, 'a foreign file is named as such');
  t.match(runCli(['kds', 'open', join(dir, 'missing.kds')], { env: SERVICE_ENV }).stderr, /cannot read .*missing\.kds: no such file or directory/, 'a missing file is named');
  const badVersion = runCli(['kds', 'new', join(dir, 'x.kds'), '--type', 'OfficeCom', '--system-version', 'V1']);
  t.equal(badVersion.status, 2, 'a bad system version exits 2');
  t.match(badVersion.stderr, /"V1" is not a system version/, 'and names the value');
});

t.test('kds save from a running lab, then kds show of the file', async (t) => {
  const dir = tempDir(t);
  const lab = await startLab(t, await writeLabConfig(dir));
  const c = await lab.connect();
  t.teardown(() => c.close());
  await firstLoginOverTcp(c, 'tech', 'techpw1');
  await c.run('set station.106.name "Aus Der PBX"');
  t.ok((await addUser(c, { name: 'useradm', circle: Circle.UserAdministration, password: 'uapw1' })).ok, 'a second user for the saved table');
  await c.run('logout');
  c.close();

  const file = join(dir, 'saved.kds');
  const env = { HICOM_USER: 'tech', HICOM_PASSWORD: 'techpw1' };
  const saved = await runCliAsync(['kds', 'save', file, '--connect', `tcp:127.0.0.1:${lab.files.port}`], { env });
  t.equal(saved.status, 0, `kds save succeeds (${saved.stderr.trim()})`);
  t.match(saved.stdout, /KDS of HSIM-E2E1 \(\d+ items, 3 users\) saved encrypted/, 'kds save reports what it saved');
  t.notMatch(readFileSync(file).toString('latin1'), /Aus Der PBX|station\.106/, 'the file is encrypted');

  const shown = runCli(['kds', 'show', file, 'station.106'], { env });
  t.match(shown.stdout, /^station\.106\.name = "Aus Der PBX"$/m, 'kds show of the saved file has the change');
  const opened = runCli(['kds', 'open', file], { env });
  t.match(opened.stdout, /opened as: tech \(system-maintenance\)/, 'the saver opens it in its saved circle');
  t.match(opened.stdout, /user table: tech\/system-maintenance, AMHOST, useradm\/user-administration/, 'the saved user table travels with the KDS');
  const other = runCli(['kds', 'open', file], { env: { HICOM_USER: 'useradm', HICOM_PASSWORD: 'uapw1' } });
  t.not(other.status, 0, 'another user\'s password does not open the file: the key derives from the saver\'s password');
  const badConnect = runCli(['kds', 'save', join(dir, 'x.kds'), '--connect', 'pty:/tmp/x'], { env });
  t.equal(badConnect.status, 2, '--connect takes only tcp: here');
});

t.test('config example | config check round trip, and a bad config', async (t) => {
  const dir = tempDir(t);
  const example = runCli(['config', 'example']);
  t.equal(example.status, 0, 'config example exits 0');
  const file = join(dir, 'example.yaml');
  writeFileSync(file, example.stdout);
  const checked = runCli(['config', 'check', file]);
  t.equal(checked.status, 0, `the example passes config check (${checked.stderr.trim()})`);
  t.match(checked.stdout, /OK — 2 PBX\(s\), 3 modem\(s\), 1 key depot\(s\)/, 'config check summarises the lab (the default has two PBXs)');

  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, example.stdout.replace('type: OfficePro', 'type: OfficeMax'));
  const r = runCli(['config', 'check', bad]);
  t.equal(r.status, 2, 'a bad field exits 2');
  t.match(r.stderr, /pbxs\[0\]\.type: must be one of/, 'the message names the field');
  const lab = runCli(['lab', '--config', bad]);
  t.equal(lab.status, 2, 'the lab refuses the same file with exit 2');
  t.match(lab.stderr, /pbxs\[0\]\.type/, 'naming the field');
  writeFileSync(bad, 'stateDir: [unclosed\n');
  t.match(runCli(['config', 'check', bad]).stderr, /not valid YAML\/JSON/, 'broken YAML is named as such');
  writeFileSync(bad, 'pbxs:\n  - id: HSIM-1\n    type: OfficeCom\n');
  const noTrunk = runCli(['config', 'check', bad]);
  t.equal(noTrunk.status, 2, 'a PBX without trunks is refused by config check, not only when the lab starts');
  t.match(noTrunk.stderr, /pbxs\[0\]\.trunks: at least one trunk number/, 'naming the field');
  writeFileSync(bad, 'pbxs: []\nmodems: []\nfoo: 1\n');
  t.match(runCli(['config', 'check', bad]).stderr, /unknown field "foo"/, 'an unknown field is named');
});

t.test('--help on every command exits 0; an unknown command does not', async (t) => {
  // Every command's help through commander in-process (one spawn each would
  // cost seconds of CPU on a shared machine), and the real binary for the exit codes.
  const commandPaths = (cmd: Command, prefix: string[] = []): string[][] =>
    cmd.commands.flatMap((sub) => [[...prefix, sub.name()], ...commandPaths(sub, [...prefix, sub.name()])]);
  const paths = commandPaths(await buildProgram());
  t.ok(paths.length > 10, `the program has its commands (${paths.length})`);
  for (const path of paths) {
    const program = await buildProgram();
    let out = '';
    const quiet = (cmd: Command): void => {
      cmd.exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
      cmd.commands.forEach(quiet);
    };
    quiet(program);
    const exit = await program.parseAsync(['node', 'hicom-sim', ...path, '--help']).then(
      () => ({ exitCode: -1, code: 'no help' }),
      (err: { exitCode: number; code: string }) => err,
    );
    t.same({ exitCode: exit.exitCode, code: exit.code }, { exitCode: 0, code: 'commander.helpDisplayed' }, `hicom-sim ${path.join(' ')} --help exits 0`);
    t.match(out, new RegExp(`^Usage: hicom-sim ${path.join(' ')}`), `hicom-sim ${path.join(' ')} --help prints its usage`);
  }
  const [top, sub] = await Promise.all([runCliAsync(['--help']), runCliAsync(['kds', 'save', '--help'])]);
  t.equal(top.status, 0, 'the binary: hicom-sim --help exits 0');
  t.match(top.stdout, /Usage: hicom-sim/, 'and prints the usage');
  t.equal(sub.status, 0, 'the binary: hicom-sim kds save --help exits 0');
  const unknown = runCli(['frobnicate']);
  t.not(unknown.status, 0, 'an unknown command exits non-zero');
  t.match(unknown.stderr, /unknown command 'frobnicate'/, 'and says so');
  t.not(runCli(['kds', 'frobnicate']).status, 0, 'an unknown sub-command exits non-zero');
});
