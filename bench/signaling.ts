import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Circle } from '../firmware-sim/circles.js';
import { VirtualClock } from '../firmware-sim/clock.js';
import type { Pbx } from '../firmware-sim/pbx.js';
import { validateConfig } from '../src/config.js';
import { Lab } from '../src/lab.js';

/**
 * Error signaling and the centre in virtual time.
 *   node dist/bench/signaling.js [--fleet N]   (default fleet 10000; --fleet 500 for a quick run)
 * 1) one PBX, 7 days: a class-B error every 6 h, the centre busy for 2 calls each time, daily function tests;
 * 2) N PBXs, 7 days, about one class-B error per PBX per day, a centre with 8 modems.
 */
const DAY = 86_400_000;
const CENTRE_MODEMS = 8;

function set(pbx: Pbx, items: Record<string, string>): void {
  const actor = { user: 'bench', circle: Circle.SystemMaintenance, rights: pbx.rightsFor(Circle.SystemMaintenance), local: true };
  for (const [k, v] of Object.entries(items)) pbx.changeItem(actor, k, v);
}

async function run(pbxCount: number, days: number, errorEveryMs: (i: number) => number, busyEach: number): Promise<{ ms: number; events: number; reports: number; peakRss: number }> {
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
  for (const { pbx } of lab.pbxs.values()) {
    set(pbx, { 'callback.1.number': `0${modems[i % CENTRE_MODEMS].number}`, 'signaling.enabled': 'yes', 'signaling.interval': String(1 + (i % 15)), 'signaling.functest': 'yes', 'signaling.functest-days': '1' });
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
  for (let h = 0; h < days * 24; h++) {
    clock.advance(3600_000);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  const ms = performance.now() - t0;
  const reports = lab.centre?.receivers.reduce((n, r) => n + r.received, 0) ?? 0;
  await lab.close();
  rmSync(dir, { recursive: true, force: true });
  return { ms, events: clock.fired - fired0, reports, peakRss };
}

const fleetArg = process.argv.indexOf('--fleet');
const fleet = fleetArg > 0 ? Number(process.argv[fleetArg + 1]) : 10_000;
const one = await run(1, 7, () => 6 * 3600_000, 2);
console.log(`1 PBX x 7 days (error every 6 h, centre busy 2x each, daily function test): ${one.ms.toFixed(1)} ms, ${one.events} timer events, ${one.reports} reports`);
const many = await run(fleet, 7, () => DAY, 0);
console.log(`${fleet} PBXs x 7 days, ~1 class-B error/PBX/day + daily function test, centre with ${CENTRE_MODEMS} modems: ${(many.ms / 1000).toFixed(1)} s, ${many.events} timer events (${Math.round(many.events / (many.ms / 1000))} events/s), ${many.reports} reports, peak RSS ${(many.peakRss / 2 ** 20).toFixed(0)} MiB`);
