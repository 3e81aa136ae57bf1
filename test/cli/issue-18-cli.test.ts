import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { APS_HEADER_SIZE } from '../../firmware-sim/aps-image.js';
import { makeFixtures, KDS_CREDENTIALS } from '../support/bad-input-fixtures.js';
import { CLI, freePort, runCliAsync, tempDir } from '../support/lab-child.js';

/**
 * Issue 18's defects one by one, as a user meets them through the built CLI
 * (the table-driven test covers the classes; these pin each reported case).
 */
const dir = tempDir(t, 'hicom-issue18-');
const fixtures = makeFixtures(join(dir, 'inputs'));
for (const name of ['HICOM_USER', 'HICOM_PASSWORD', 'HICOM_PIN']) delete process.env[name];

function oneLine(t: Test, r: { status: number | null; stderr: string }, code: number, pattern: RegExp, what: string): void {
  t.equal(r.status, code, `${what}: exit ${code}`);
  t.match(r.stderr, new RegExp(`^hicom-sim: ${pattern.source}[^\\n]*\\n$`), `${what}: one line naming it`);
}

t.test('assistant: lines that cannot be sent are refused before anything waits for a reply', async (t) => {
  const free = await freePort();
  const runs = await Promise.all([
    runCliAsync(['assistant', '-e', 'kds write'], { env: KDS_CREDENTIALS, timeoutMs: 10_000 }),
    runCliAsync(['assistant', '--connect', `tcp:127.0.0.1:${free}`, '-e', 'aps load'], { env: KDS_CREDENTIALS, timeoutMs: 10_000 }),
    runCliAsync(['assistant'], { env: KDS_CREDENTIALS, input: '\u0004\n', timeoutMs: 10_000 }),
    runCliAsync(['assistant'], { env: KDS_CREDENTIALS, input: '\u0000\n', timeoutMs: 10_000 }),
  ]);
  oneLine(t, runs[0], 2, /-e #1: usage: kds write <file>/, '-e "kds write" without a file');
  oneLine(t, runs[1], 2, /-e #1: usage: aps load <file>/, '-e "aps load" without a file, before connecting (not exit 3)');
  oneLine(t, runs[2], 2, /standard input line 1: control character "\\u0004"/, 'a piped line that is only ^D');
  oneLine(t, runs[3], 2, /standard input line 1: control character "\\u0000"/, 'a piped line that is only NUL');
});

t.test('assistant: conflicting options and a missing PIN are refused, not ignored', async (t) => {
  const modem = `tcp:127.0.0.1:${await freePort()}`;
  const [pinAndCallback, codeAlone, connectCallback, noPin, badPinEnv] = await Promise.all([
    runCliAsync(['assistant', '--modem', modem, '--dial', '0301234791', '--pin', '12345', '--callback', '2', '--code', '4711'], { env: KDS_CREDENTIALS }),
    runCliAsync(['assistant', '--modem', modem, '--dial', '0301234791', '--code', '4711'], { env: KDS_CREDENTIALS }),
    runCliAsync(['assistant', '--connect', modem, '--callback', '2'], { env: KDS_CREDENTIALS }),
    runCliAsync(['assistant', '--modem', modem, '--dial', '0301234791'], { env: KDS_CREDENTIALS }),
    runCliAsync(['assistant', '--modem', modem, '--dial', '0301234791'], { env: { ...KDS_CREDENTIALS, HICOM_PIN: 'abc' } }),
  ]);
  oneLine(t, pinAndCallback, 2, /assistant: option '--pin <pin>' cannot be used with option '--callback <index>'/, '--pin with --callback');
  oneLine(t, codeAlone, 2, /--code is the access code of a callback: give --callback INDEX with it/, '--code without --callback');
  oneLine(t, connectCallback, 2, /assistant: option '--connect <spec>' cannot be used with option '--callback <index>'/, '--connect with --callback');
  oneLine(t, noPin, 2, /no answer for "PIN:" \(standard input is closed/, '--modem --dial without --pin, stdin closed');
  oneLine(t, badPinEnv, 2, /the PIN is 5 digits/, 'HICOM_PIN=abc is checked locally, not sent to burn an attempt');
});

t.test('assistant: a timeout past what Node timers take is refused, not turned into 1 ms with a warning per timer', async (t) => {
  const r = await runCliAsync(['assistant', '--connect', `tcp:127.0.0.1:${await freePort()}`, '--timeout', '99999999999999', '-e', 'show system'], { env: KDS_CREDENTIALS });
  oneLine(t, r, 2, /assistant: option '--timeout <ms>' argument '99999999999999' is invalid\. It must be a whole number from 1 to 2147483647/, '--timeout 99999999999999');
  t.notMatch(r.stderr, /TimeoutOverflowWarning/, 'no TimeoutOverflowWarning');
});

t.test('kds: the file is checked before the password is asked; the wizard says which answer is missing', async (t) => {
  const [missing, wizard] = await Promise.all([
    runCliAsync(['kds', 'open', '/nonexistent.kds']),
    runCliAsync(['kds', 'new', join(dir, 'wizard.kds')], { input: 'OfficeCom\n' }),
  ]);
  oneLine(t, missing, 2, /cannot read \/nonexistent\.kds: no such file or directory/, 'kds open of a missing file with no credentials anywhere');
  oneLine(t, wizard, 2, /no answer for "System version \(e\.g\. HE300M\.00\.001\.01\):" \(standard input is closed or has no more lines\)/, 'kds new with one piped answer of two');
});

t.test('Ctrl-D at a prompt on a terminal aborts instead of being taken as a character', async (t) => {
  // A real pty: python's pty.fork runs the CLI on a terminal, answers the
  // prompts before the last with their lines and types Ctrl-D at the last.
  const script = `
import json, os, pty, select, sys, time
steps = [(p.encode(), a) for p, a in json.loads(sys.argv[1])]; argv = sys.argv[2:]
env = {k: v for k, v in os.environ.items() if k not in ('NODE_OPTIONS', 'HICOM_USER', 'HICOM_PASSWORD')}
pid, fd = pty.fork()
if pid == 0:
    os.execve(argv[0], argv, env)
out = b''; deadline = time.time() + 10; sent = False
while time.time() < deadline:
    if steps and steps[0][0] in out:
        (_, answer), steps = steps[0], steps[1:]
        out = b''
        if answer is None: os.write(fd, b'\\x04'); sent = True
        else: os.write(fd, answer.encode() + b'\\r')
    r, _, _ = select.select([fd], [], [], 0.2)
    if not r: continue
    try: data = os.read(fd, 4096)
    except OSError: break
    if not data: break
    out += data
done, status = 0, -1
while done == 0 and time.time() < deadline + 2:
    done, status = os.waitpid(pid, os.WNOHANG)
    if done == 0: time.sleep(0.05)
if done == 0: os.kill(pid, 9); os.waitpid(pid, 0); status = -1
print(json.dumps({'out': out.decode('utf8', 'replace'), 'code': os.waitstatus_to_exitcode(status) if status != -1 else None, 'sent': sent}))
`;
  const cases: Array<[string, Array<[string, string | null]>, string[]]> = [
    ['User: ', [['User: ', null]], ['kds', 'open', fixtures.valid.kds]],
    ['Password: ', [['User: ', 'SERVICE'], ['Password: ', null]], ['kds', 'open', fixtures.valid.kds]],
    ['PBX type', [['PBX type', null]], ['kds', 'new', join(dir, 'tty.kds')]],
  ];
  for (const [prompt, steps, args] of cases) {
    const r = spawnSync('/usr/bin/python3', ['-c', script, JSON.stringify(steps), process.execPath, CLI, ...args], { encoding: 'utf8', timeout: 20_000 });
    const got = JSON.parse(r.stdout || '{}') as { out?: string; code?: number | null; sent?: boolean };
    t.ok(got.sent, `${args.join(' ')}: the prompt "${prompt.trim()}" appeared on the terminal`);
    t.equal(got.code, 2, `${args.join(' ')}: Ctrl-D at "${prompt.trim()}" ends the command with exit 2 (not a hang, not a character)`);
    t.match(got.out, /hicom-sim: no answer for "[^"]+" \(Ctrl-D\)/, `${args.join(' ')}: and says so`);
  }
});

t.test('aps check: a flipped header-length byte is named as damage, not as an unsupported format', async (t) => {
  const image = readFileSync(fixtures.valid.aps);
  image[10] ^= 0x01; // the header length field follows the 2-byte format version at offset 8
  const file = join(dir, 'header.aps');
  writeFileSync(file, image);
  const r = await runCliAsync(['aps', 'check', file]);
  oneLine(t, r, 2, /.*header\.aps: APS image header is damaged: header length \d+, format 1 has 128/, 'aps check');
  t.notMatch(r.stderr, /format 1 is not supported/, 'the format it does support is not blamed');
  t.equal(image.readUInt16BE(10), APS_HEADER_SIZE ^ 0x0100, 'the byte flipped is the header length');
});

t.test('read-only centre commands on a state directory with no database create nothing', async (t) => {
  const state = join(dir, 'never-made');
  for (const args of [['centre', 'status'], ['centre', 'device', 'list'], ['centre', 'device', 'show', 'DEV1'], ['centre', 'token', 'list'], ['centre', 'person', 'list']]) {
    const r = await runCliAsync([...args, '-s', state]);
    oneLine(t, r, 2, /no centre database at .*never-made\/centre\/centre\.db/, args.join(' '));
    t.notOk(existsSync(state), `${args.join(' ')}: the state directory was not created`);
  }
});

t.test('help of a command that does not exist lists only the commands people use', async (t) => {
  const r = await runCliAsync(['help', 'nosuch']);
  oneLine(t, r, 2, /help: unknown command "nosuch"; commands: lab, /, 'help nosuch');
  t.notMatch(r.stderr, /lab-lan-relay/, 'the hidden relay the lab runs itself is not offered');
});
