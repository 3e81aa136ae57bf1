import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_CONFIG_YAML } from '../src/lab/config.js';
import { ControlTestClient } from '../test/support/control-client.js';
import { median } from '../test/support/sample-stats.js';
import { writeFileSync } from 'node:fs';

/**
 * A virtual week through the control port, whole process:
 *   node dist/bench/control-week.js [--runs N]   (default 5)
 * Each run starts `hicom-sim lab --virtual-time --control unix:…` on the
 * embedded default lab (files on disk, SQLite centre), turns on the daily
 * function test, subscribes to every event, and times one
 * `run-until {timeout: "7d"}` from request to reply: seven function-test
 * reports travel through the IMOD, the network and the centre modem on the way.
 * Beside it, from the same lab, the round trip of `clock.now` — the port's
 * own cost — so the week's figure can be read against it.
 */
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
const CLI = resolve('dist/bin/hicom-sim.js');
const ROUND_TRIPS = 200;
process.stdout.write(`control-week: ${runs} runs of a virtual week (a lab child each); bound ${runs * 30} s\n`);
if (loadavg()[0] > 4) process.stdout.write(`note: load average ${loadavg()[0].toFixed(1)} on this machine while measuring\n`);

interface Run {
  weekMs: number;
  events: number;
  reports: number;
  roundTripMs: number;
}

async function once(): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-control-'));
  const config = join(dir, 'lab.yaml');
  writeFileSync(config, DEFAULT_CONFIG_YAML.replace(/127\.0\.0\.1:7\d{3}/g, '127.0.0.1:0'));
  const socket = join(dir, 'c.sock');
  const child = spawn(process.execPath, [CLI, 'lab', '-c', config, '-s', join(dir, 'state'), '--log-level', 'warn', '--virtual-time', '--control', `unix:${socket}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  try {
    await new Promise<void>((ready, fail) => {
      let out = '';
      child.stdout!.on('data', (b: Buffer) => {
        out += b.toString('utf8');
        if (out.includes('Ctrl-C stops the lab.')) ready();
      });
      child.once('exit', () => fail(new Error(`lab exited early: ${out}`)));
    });
    const c = await ControlTestClient.connect(`unix:${socket}`);
    await c.next();
    for (const [path, value] of [['callback.1.number', '00899000'], ['signaling.enabled', 'yes'], ['signaling.functest', 'yes'], ['signaling.functest-days', '1']]) {
      await c.ok('pbx.kds-set', { pbx: 'HSIM-0001', path, value });
    }
    await c.ok('events.subscribe', { events: ['*'] });
    const trips: number[] = [];
    for (let i = 0; i < ROUND_TRIPS; i++) {
      const t0 = performance.now();
      await c.ok('clock.now');
      trips.push(performance.now() - t0);
    }
    const t0 = performance.now();
    const { events, reply } = await c.request('run-until', { event: 'lab.stopping', timeout: '7d' }, 60_000);
    const weekMs = performance.now() - t0;
    if (!('ok' in reply)) throw new Error(`run-until failed: ${JSON.stringify(reply)}`);
    c.close();
    return { weekMs, events: events.length, reports: events.filter((e) => e.event === 'report.stored').length, roundTripMs: median(trips) };
  } finally {
    clearTimeout(killer);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('close', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

const results: Run[] = [];
for (let i = 0; i < runs; i++) results.push(await once());
const week = median(results.map((r) => r.weekMs));
process.stdout.write(`virtual week via run-until (request to reply, median of ${runs}): ${week.toFixed(0)} ms wall — ${(7 * 86_400_000 / week).toExponential(2)}× real time\n`);
process.stdout.write(`  events sent to the subscriber: ${results[0].events}, reports the centre stored: ${results[0].reports} (a function test every day; the 7th falls due at the very end)\n`);
process.stdout.write(`  runs: ${results.map((r) => r.weekMs.toFixed(0)).join(', ')} ms\n`);
process.stdout.write(`baseline, same labs: clock.now round trip ${median(results.map((r) => r.roundTripMs)).toFixed(3)} ms (median of ${ROUND_TRIPS} per run)\n`);
