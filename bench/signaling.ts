import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../core/clock.js';
import { validateConfig } from '../src/lab/config.js';
import { Lab } from '../src/lab/lab.js';
import { configure } from '../test/support/teleservice-lab.js';
import { bound } from './support/bench-bound.js';

/**
 * Error signaling and the centre in virtual time.
 *   node dist/bench/signaling.js [--fleet N]   (default fleet 10000; --fleet 500 for a quick run)
 * 1) one PBX, 7 days: a class-B error every 6 h, the centre busy for 2 calls each time, daily function tests;
 * 2) N PBXs, 7 days, about one class-B error per PBX per day, a centre with 8 modems.
 */
const DAY = 86_400_000;
const CENTRE_MODEMS = 8;

interface RunFigures {
  /** Wall time of Lab.start and the KDS set-up. */
  startMs: number;
  /** Wall and CPU (user + system) time of the days in virtual time; CPU is steadier on a shared machine. */
  ms: number;
  cpuMs: number;
  events: number;
  reports: number;
  /** Unsuccessful signaling calls (centre busy) and 5-failure stops, summed over the fleet. */
  failed: number;
  stopped: number;
  peakRss: number;
}

async function run(pbxCount: number, days: number, errorEveryMs: (i: number) => number, busyEach: number): Promise<RunFigures> {
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'bench-signaling-'));
  const clock = new VirtualClock();
  const modems = Array.from({ length: CENTRE_MODEMS }, (_, k) => ({ name: `centre-${k + 1}`, number: `08990${String(k).padStart(2, '0')}`, bind: 'tcp:127.0.0.1:1' }));
  const config = validateConfig({
    stateDir: dir,
    pbxs: Array.from({ length: pbxCount }, (_, i) => ({ id: `F${String(i).padStart(6, '0')}`, fmc: false, trunks: [`7${String(i).padStart(6, '0')}`] })),
    modems,
    centre: { modem: 'centre-1' },
  }, dir);
  const lab = await Lab.start(config, { clock, mode: 'memory', hashCost: 16, centreDir: join(dir, 'centre'), centreFsync: false });
  for (let k = 1; k < CENTRE_MODEMS; k++) lab.centre?.attachSlot(lab.modems.get(`centre-${k + 1}`)!.slot, `centre-${k + 1}`);
  let i = 0;
  let failed = 0;
  let stopped = 0;
  for (const { pbx, signaling } of lab.pbxs.values()) {
    signaling.onEvent((e) => {
      if (e.type === 'failed') failed++;
      else if (e.type === 'stopped') stopped++;
    });
    configure(pbx, { 'callback.1.number': `0${modems[i % CENTRE_MODEMS].number}`, 'signaling.enabled': 'yes', 'signaling.interval': String(1 + (i % 15)), 'signaling.functest': 'yes', 'signaling.functest-days': '1' });
    const every = errorEveryMs(i);
    const raise = (): void => {
      pbx.errors.add({ time: clock.now(), cls: 'B', code: 0x210, location: 'S1', text: 'bench', pseudo: false });
      if (busyEach) lab.exchange.setFaults(modems[0].number, { busyNextCalls: busyEach });
      clock.setTimer(every, raise);
    };
    clock.setTimer(Math.floor((i * 7919) % every), raise);
    i++;
  }
  let peakRss = process.memoryUsage().rss;
  const fired0 = clock.fired;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (let h = 0; h < days * 24; h++) {
    clock.advance(3600_000);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const reports = lab.centre?.receivers.reduce((n, r) => n + r.received, 0) ?? 0;
  await lab.close();
  rmSync(dir, { recursive: true, force: true });
  return { startMs: t0 - started, ms, cpuMs: (cpu.user + cpu.system) / 1000, events: clock.fired - fired0, reports, failed, stopped, peakRss };
}

const fleetArg = process.argv.indexOf('--fleet');
const fleet = fleetArg > 0 ? Number(process.argv[fleetArg + 1]) : 10_000;
// 10,000 PBXs took 100 s on the loaded 2-core box (56 s quiet): a minute plus 50 ms per PBX.
bound('signaling', Math.ceil(60 + fleet * 0.05));
// The first run pays for JIT compilation of every path; the next ones show the steady cost.
const ones: RunFigures[] = [];
for (let k = 0; k < 3; k++) ones.push(await run(1, 7, () => 6 * 3600_000, 2));
const [one] = ones;
const warm = ones.slice(1).reduce((a, b) => (b.ms < a.ms ? b : a));
console.log(`1 PBX x 7 days (error every 6 h, centre busy 2x each, daily function test): first run ${one.ms.toFixed(1)} ms (CPU ${one.cpuMs.toFixed(1)} ms), warm ${warm.ms.toFixed(1)} ms (CPU ${warm.cpuMs.toFixed(1)} ms, ${(one.ms / warm.ms).toFixed(1)}x faster); ${one.events} timer events, ${one.reports} reports, ${one.failed} busy retries`);
const many = await run(fleet, 7, () => DAY, 0);
console.log(`${fleet} PBXs x 7 days, ~1 class-B error/PBX/day + daily function test, centre with ${CENTRE_MODEMS} modems: ${(many.ms / 1000).toFixed(1)} s (CPU ${(many.cpuMs / 1000).toFixed(1)} s; start ${(many.startMs / 1000).toFixed(1)} s), ${many.events} timer events (${Math.round(many.events / (many.ms / 1000))} events/s), ${many.reports} reports, ${many.failed} busy retries, ${many.stopped} stops after 5 failures, peak RSS ${(many.peakRss / 2 ** 20).toFixed(0)} MiB`);
