import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DtmfDetector, detectDtmf } from '../dsp/dtmf-detector.js';
import { readWavFile, toRate, writeWavFile } from '../src/storage/wav-file.js';
import { matchedDigits } from '../test/support/external-tools.js';
import { q24Corpus } from '../test/support/q24-corpus.js';
import { speechCorpus, SPEECH_RATE } from '../test/support/speech-corpus.js';
import { talkOffCorpus } from '../test/support/talk-off-corpus.js';
import { bound } from './support/bench-bound.js';
import { median } from '../test/support/sample-stats.js';
import { spread, timedRun } from '../test/support/process-timing.js';

/**
 * DTMF decoding speed, ours against multimon-ng on the same audio, and talk-off.
 *
 * 1. Whole process against whole process: `hicom-sim dtmf decode FILE.wav` (the
 *    built CLI) and `multimon-ng -a DTMF -t raw` on the same 825 s Q.24-style
 *    recording (test/support/q24-corpus.ts) — ours on the 8 kHz WAV, multimon-ng
 *    on sox's conversion to its native 22,050 Hz raw s16le. The runs alternate,
 *    and with them the start-up references (ours on a 1 s WAV, `hicom-sim
 *    --version`, multimon-ng on an empty file, a bare `node -e 0`); median and
 *    spread of each, and the CLI's start as a multiple of the bare node's.
 * 2. In-process: our detector on the decoded samples, no process, no file.
 *    multimon-ng has no library to call; its decode time without process start
 *    is estimated as its whole-process median minus its median on an empty file.
 * 3. Talk-off: false digits on the espeak-ng speech corpus (ours and
 *    multimon-ng, same clips) and on an hour of generated speech/music (ours).
 *
 * Run: npx tsc -p . && node dist/bench/dtmf.js [OTHER/dist/bin/hicom-sim.js]
 * The optional argument is another build of the CLI (e.g. main before a
 * change, unpacked with `git archive` and built): its `dtmf decode` of the
 * same file runs in the same alternating rounds, as a before/after baseline.
 */
const SECONDS = 825;
const RUNS = 9;
const PROCESS_TIMEOUT_MS = 60_000;
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const cli = join(root, 'dist/bin/hicom-sim.js');
const other = process.argv[2];

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Runs a command to its end; wall time in ms and its stdout. */
function timed(command: string, args: string[]): { ms: number; cpuMs: number | undefined; stdout: string } {
  return timedRun(command, args, PROCESS_TIMEOUT_MS);
}

function multimonDigits(stdout: string): string {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('DTMF: '))
    .map((l) => l.slice(6).trim())
    .join('');
}

function oursDigits(stdout: string): string {
  const last = stdout.trim().split('\n').pop() ?? '';
  return last.startsWith('digits: ') ? last.slice(8) : '';
}

function hasMultimon(): boolean {
  return spawnSync('multimon-ng', ['-h'], { stdio: 'ignore' }).error === undefined;
}

out(`DTMF bench: ${SECONDS} s Q.24-style recording, ${RUNS} alternating runs per program${other ? `, and the decode of ${other}` : ''}`);
// About 90 s on the loaded 2-core box, most of it the speech corpus through multimon-ng (and its synthesis on a fresh machine).
bound('dtmf', 300);
out(`  machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const dir = mkdtempSync(join(tmpdir(), 'dtmf-bench-'));
try {
  const corpus = q24Corpus(SECONDS);
  const wav = join(dir, 'q24.wav');
  const oneSecond = join(dir, 'one-second.wav');
  writeWavFile(wav, corpus.samples, { sampleRate: 8000 });
  writeWavFile(oneSecond, corpus.samples.subarray(0, 8000), { sampleRate: 8000 });
  const mm = hasMultimon();
  const raw = join(dir, 'q24.raw');
  const empty = join(dir, 'empty.raw');
  if (mm) {
    spawnSync('sox', ['-D', wav, '-t', 'raw', '-e', 'signed-integer', '-b', '16', '-r', '22050', raw], { stdio: 'inherit' });
    writeFileSync(empty, '');
  }

  // 1. Whole processes, alternating.
  const times: Record<string, number[]> = { ours: [], mm: [], other: [], oursStart: [], oursVersion: [], mmStart: [], node: [] };
  /** CPU time (user + system) of the same runs where /proc gives it. */
  const cpu: Record<'ours' | 'mm' | 'other', number[]> = { ours: [], mm: [], other: [] };
  let ours = '';
  let theirs = '';
  for (let run = 0; run < RUNS; run++) {
    const a = timed(process.execPath, [cli, 'dtmf', 'decode', wav]);
    times.ours.push(a.ms);
    if (a.cpuMs !== undefined) cpu.ours.push(a.cpuMs);
    ours = oursDigits(a.stdout);
    if (mm) {
      const b = timed('multimon-ng', ['-q', '-c', '-a', 'DTMF', '-t', 'raw', raw]);
      times.mm.push(b.ms);
      if (b.cpuMs !== undefined) cpu.mm.push(b.cpuMs);
      theirs = multimonDigits(b.stdout);
      times.mmStart.push(timed('multimon-ng', ['-q', '-c', '-a', 'DTMF', '-t', 'raw', empty]).ms);
    }
    if (other) {
      const c = timed(process.execPath, [other, 'dtmf', 'decode', wav]);
      times.other.push(c.ms);
      if (c.cpuMs !== undefined) cpu.other.push(c.cpuMs);
    }
    times.oursStart.push(timed(process.execPath, [cli, 'dtmf', 'decode', oneSecond]).ms);
    times.oursVersion.push(timed(process.execPath, [cli, '--version']).ms);
    times.node.push(timed(process.execPath, ['-e', '0']).ms);
  }
  const sent = corpus.sent;
  out(`\n  whole process on the same ${SECONDS} s (${sent.length} digits sent), wall time:`);
  out(`    hicom-sim dtmf decode FILE.wav      ${spread(times.ours)}  ${matchedDigits(sent, ours)}/${sent.length} found, ${ours.length - matchedDigits(sent, ours)} extra`);
  if (mm) {
    out(`    multimon-ng -a DTMF -t raw (22 kHz) ${spread(times.mm)}  ${matchedDigits(sent, theirs)}/${sent.length} found, ${theirs.length - matchedDigits(sent, theirs)} extra`);
    out(`    ratio multimon-ng / ours (median)   ${(median(times.mm) / median(times.ours)).toFixed(2)}  (> 1: ours faster)`);
    if (cpu.ours.length > 0 && cpu.mm.length > 0) {
      out(`    CPU time (user + system, 10 ms steps): ours ${spread(cpu.ours)}, multimon-ng ${spread(cpu.mm)}; ratio ${(median(cpu.mm) / median(cpu.ours)).toFixed(2)}`);
    }
  } else {
    out('    multimon-ng: not installed, no comparison');
  }
  if (other) {
    out(`    other build's dtmf decode           ${spread(times.other)}${cpu.other.length > 0 ? `  CPU ${spread(cpu.other)}` : ''}`);
  }
  out(`    references: ours on a 1 s WAV ${spread(times.oursStart)}; node -e 0 ${spread(times.node)}${mm ? `; multimon-ng on an empty file ${spread(times.mmStart)}` : ''}`);
  // Issue 15's CLI-start goals, from the same alternating runs.
  const bare = median(times.node);
  out(`    CLI start: hicom-sim --version ${spread(times.oursVersion)} = ${(median(times.oursVersion) / bare).toFixed(2)}× node -e 0 (goal ≤ 1.5×)`);
  out(`               dtmf decode of a 1 s WAV = ${(median(times.oursStart) / bare).toFixed(2)}× node -e 0 (goal ≤ 2×)`);

  // 2. In-process.
  const samples = toRate(readWavFile(wav));
  const inProcess: number[] = [];
  const inProcessCpu: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const d = new DtmfDetector();
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    d.process(samples);
    d.flush();
    const cpu = process.cpuUsage(cpu0);
    inProcess.push(performance.now() - t0);
    inProcessCpu.push((cpu.user + cpu.system) / 1000);
  }
  const oursMs = median(inProcess);
  const oursCpuMs = median(inProcessCpu);
  out(`\n  in-process decode (no process start, no file):`);
  out(`    ours: DtmfDetector on the samples   ${spread(inProcess)}  = ${((SECONDS * 1000) / oursMs).toFixed(0)}× real time`);
  out(`          CPU time of the same runs     ${spread(inProcessCpu)}  = ${((SECONDS * 1000) / oursCpuMs).toFixed(0)}× real time (steadier on a shared machine)`);
  if (mm) {
    const mmMs = median(times.mm) - median(times.mmStart);
    out(`    multimon-ng: no library to call; whole-process median minus empty-file median ≈ ${mmMs.toFixed(0)} ms = ${((SECONDS * 1000) / mmMs).toFixed(0)}× real time (file read included)`);
  }

  // 3. Talk-off.
  out('\n  talk-off (false digits):');
  const clips = speechCorpus();
  const minutes = clips.reduce((s, c) => s + c.samples.length, 0) / SPEECH_RATE / 60;
  const oursFull = clips.reduce((n, c) => n + detectDtmf(c.samples).length, 0);
  const oursLow = clips.reduce((n, c) => n + detectDtmf(c.samples.map((v) => v * 10 ** (-15 / 20))).length, 0);
  let mmSpeech = 'not run';
  if (mm) {
    let n = 0;
    for (const c of clips) {
      const clip = join(dir, 'clip.wav');
      const clipRaw = join(dir, 'clip.raw');
      writeWavFile(clip, c.samples, { sampleRate: SPEECH_RATE });
      spawnSync('sox', ['-D', clip, '-t', 'raw', '-e', 'signed-integer', '-b', '16', '-r', '22050', clipRaw]);
      n += multimonDigits(timed('multimon-ng', ['-q', '-c', '-a', 'DTMF', '-t', 'raw', clipRaw]).stdout).length;
    }
    mmSpeech = String(n);
  }
  out(`    espeak-ng speech, ${clips.length} clips, ${minutes.toFixed(0)} min: ours ${oursFull} at full level, ${oursLow} at 15 dB down; multimon-ng ${mmSpeech} at full level`);
  const hour = talkOffCorpus(3600, 3600);
  out(`    generated speech/music, 1 hour: ours ${detectDtmf(hour).length}`);
  out(`  load average at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
