import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { generateDtmf } from '../../dsp/dtmf-generator.js';
import { readWavFile, writeWavFile } from '../../src/storage/wav-file.js';
import { CLI, runCli } from '../support/lab-child.js';

t.test('dtmf gen writes a WAV that dtmf decode reads back, at 44.1 kHz and at 8 kHz', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dtmf-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const rate of [44100, 8000]) {
    const file = join(dir, `d${rate}.wav`);
    const gen = runCli(['dtmf', 'gen', '0123456789*#ABCD', '-o', file, '--rate', String(rate), '--on', '60', '--off', '40', '--level', '-12'], { timeoutMs: 60_000 });
    t.equal(gen.status, 0, `${rate} Hz: gen exits 0 (${gen.stderr})`);
    t.equal(readWavFile(file).sampleRate, rate, `${rate} Hz: file has the asked rate`);
    const text = runCli(['dtmf', 'decode', file], { timeoutMs: 60_000 });
    t.equal(text.status, 0, `${rate} Hz: decode exits 0`);
    t.match(text.stdout, /digits: 0123456789\*#ABCD/, `${rate} Hz: text output ends with the digit string`);
    t.match(text.stdout, /^\s+0\.0 ms {2}0 /m, `${rate} Hz: first digit at 0 ms`);
    const json = runCli(['dtmf', 'decode', file, '--json'], { timeoutMs: 60_000 });
    const parsed = JSON.parse(json.stdout) as { text: string; sampleRate: number; digits: Array<{ digit: string; startMs: number; lowDbm0: number }> };
    t.equal(parsed.text, '0123456789*#ABCD', `${rate} Hz: JSON text field`);
    t.equal(parsed.sampleRate, rate, `${rate} Hz: JSON reports the file's rate`);
    t.ok(parsed.digits.every((d, i) => Math.abs(d.startMs - i * 100) <= 4), `${rate} Hz: JSON start times on the 100 ms grid`);
    t.ok(parsed.digits.every((d) => Math.abs(d.lowDbm0 + 12) < 0.5), `${rate} Hz: JSON levels near −12 dBm0`);
  }
});

t.test('bad digits, bad options and bad files exit non-zero with one clear line', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dtmf-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const junk = join(dir, 'junk.wav');
  writeFileSync(junk, 'RIFF\x10\x00\x00\x00WAVEfmt ');
  const cases: Array<[string[], RegExp]> = [
    [['dtmf', 'gen', '12X4', '-o', join(dir, 'x.wav')], /'X' at position 3 is not a DTMF digit/],
    [['dtmf', 'gen', '12', '-o', join(dir, 'x.wav'), '--rate', 'fast'], /option '--rate <Hz>' argument 'fast' is invalid\. It must be a whole number from 4000 to 192000/],
    [['dtmf', 'gen', '12', '-o', join(dir, 'no/such/dir/x.wav')], /cannot write .*no\/such\/dir\/x\.wav: no such file or directory/],
    [['dtmf', 'decode', join(dir, 'missing.wav')], /cannot read .*missing\.wav: no such file or directory/],
    [['dtmf', 'decode', junk], /junk\.wav: no 'fmt ' chunk/],
  ];
  for (const [args, pattern] of cases) {
    const r = runCli(args, { timeoutMs: 60_000 });
    t.equal(r.status, 2, `${args.join(' ')}: exit 2 (bad input)`);
    t.match(r.stderr, pattern, `${args.join(' ')}: says what is wrong`);
  }
});

t.test('a plain decode line (run without commander) prints and fails exactly as the same decode through commander', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dtmf-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'd.wav');
  t.equal(runCli(['dtmf', 'gen', '47#', '-o', file]).status, 0, 'gen writes the file');
  const junk = join(dir, 'junk.wav');
  writeFileSync(junk, 'RIFF\x10\x00\x00\x00WAVEfmt ');
  for (const args of [[file], [file, '--json'], ['--json', file], [join(dir, 'missing.wav')], [junk], [dir]]) {
    const plain = runCli(['dtmf', 'decode', ...args]);
    // A root option first sends the same decode through commander (src/cli/dtmf-decode-line.ts takes only the plain line).
    const commander = runCli(['--log-level', 'warn', 'dtmf', 'decode', ...args]);
    const label = `dtmf decode ${args.map((a) => a.replace(dir, 'DIR')).join(' ')}`;
    t.equal(plain.status, commander.status, `${label}: the same exit code (${plain.status})`);
    t.equal(plain.stdout, commander.stdout, `${label}: the same output`);
    t.equal(plain.stderr, commander.stderr, `${label}: the same error line`);
  }
  t.match(runCli(['dtmf', 'decode', file, '--json']).stdout, /"text":"47#"/, 'the JSON of the plain line has the digits');
  t.match(runCli(['dtmf', 'decode', join(dir, 'missing.wav')]).stderr, /^hicom-sim: cannot read .*missing\.wav: no such file or directory\n$/, 'a missing file: one line');
  t.equal(runCli(['dtmf', 'decode', file, file]).status, 2, 'two files go to commander, which refuses the extra argument');
  t.match(runCli(['dtmf', 'decode', '-h']).stdout, /Usage: hicom-sim dtmf decode/, '-h goes to commander: the command\'s help');
});

t.test('the plain decode line runs its JavaScript without TurboFan (src/cli/dtmf-decode-line.ts DTMF_DECODE_V8_FLAGS)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dtmf-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'many.wav');
  // 2,000 digits: enough for V8 to mark the code that builds each digit's record as hot.
  writeWavFile(file, generateDtmf('0123456789ABCD*#'.repeat(125), { onMs: 50, offMs: 50 }).samples, { sampleRate: 8000 });
  const marked = (args: string[]): string[] => {
    // Without tap's NODE_OPTIONS (its loader would run JavaScript of its own first), as lab-child.ts runs the CLI.
    const r = spawnSync('/usr/bin/env', ['-u', 'NODE_OPTIONS', process.execPath, '--trace-opt', CLI, ...args], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
    t.equal(r.status, 0, `${args.join(' ')}: exits 0`);
    t.match(r.stdout, /^digits: (0123456789ABCD\*#){125}$/m, `${args.join(' ')}: finds the 2,000 digits`);
    return r.stdout.split('\n').filter((l) => /^\[marking .* for optimization to TURBOFAN/.test(l));
  };
  t.same(marked(['dtmf', 'decode', file]), [], 'the plain line: V8 marks no function for TurboFan');
  t.not(marked(['--log-level', 'warn', 'dtmf', 'decode', file]).length, 0, 'the same decode through commander (default flags) does: the flag is what stops it');
});
