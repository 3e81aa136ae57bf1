import { loadavg } from 'node:os';
import { fleetVisitor } from '../src/scenario/fleet-visitor.js';
import type { MaintenanceFleet } from '../src/scenario/maintenance-fleet.js';
import { validateMaintenanceScenario } from '../src/scenario/maintenance-scenario-file.js';
import { runMaintenanceScenario, type VisitorFactory } from '../src/scenario/maintenance-week.js';
import { FakeVisitor } from '../test/support/fake-visitor.js';
import { bound } from './support/bench-bound.js';

/**
 * One night of after-hours maintenance for a fleet, in virtual time (issue 13):
 *   node dist/bench/maintenance-night.js [--pbxs N] [--lan SHARE]   (default 10,000 PBXs, 30 % LAN)
 *
 * The fleet: N PBXs running their firmware in a memory lab, a share of them with
 * LAN teleservice joined to the provider network, the others reached only by
 * modem — the centre has 8 modems and visits at most 64 PBXs over the LAN at
 * once. The plan: 20:00–06:00, error memory, KDS backup, protocol-log archive.
 * The night is run twice in this process, the same fleet size and plan each
 * time:
 *   baseline — the runner and the centre database with a visitor that does no
 *              work (connected after 10 virtual seconds, every step done at
 *              once): what the runner, the records and the driver cost;
 *   night    — the centre's real visitor (SessionVisitor): dial or LAN
 *              connect, PIN, login, the steps' session commands over the
 *              simulated lines, backups sealed and archives written.
 * Printed per run: fleet build time, wall and CPU time of the night, visits
 * completed, when the last visit ended (virtual), peak RSS.
 */
const args = process.argv.slice(2);
const arg = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const PBXS = arg('--pbxs', 10_000);
const LAN = arg('--lan', 0.3);
const MODEMS = 8;
const LAN_CONCURRENCY = 64;

/** The visitor of the baseline: every device answers after 10 virtual seconds, every step is done at once and crosses nothing. */
const idle: VisitorFactory = (fleet: MaintenanceFleet) => {
  const v = new FakeVisitor(fleet.clock);
  for (const id of fleet.ids) v.add(id, { channel: fleet.channelOf(id), stepMs: 0 });
  return v;
};

interface Run {
  label: string;
  buildMs: number;
  wallMs: number;
  cpuMs: number;
  done: number;
  failed: number;
  lastEnd: string;
  peakRssMiB: number;
}

async function night(label: string, visitor: VisitorFactory): Promise<Run> {
  const scenario = validateMaintenanceScenario({
    name: `${label}: one night, ${PBXS} PBXs`,
    maintenance: {
      start: '2026-12-07T12:00:00Z',
      nights: 1,
      fleet: { pbxs: PBXS, lan: LAN },
      centre: { modems: MODEMS, lanConcurrency: LAN_CONCURRENCY },
      plan: { window: '20:00-06:00', steps: ['errors', 'kds-backup', 'archive'] },
    },
    expect: [{ night: 1, done: PBXS }],
  });
  global.gc?.();
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  const r = await runMaintenanceScenario(scenario, visitor);
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const n = r.nights[0];
  return { label, buildMs: r.build.wallMs, wallMs: n.wallMs, cpuMs: n.cpuMs, done: n.done, failed: n.failed, lastEnd: new Date(n.lastEnd).toISOString().slice(11, 16), peakRssMiB: peak / 2 ** 20 };
}

function line(r: Run): string {
  return `${r.label.padEnd(8)} ${PBXS} PBXs: night ${(r.wallMs / 1000).toFixed(1)} s wall, ${(r.cpuMs / 1000).toFixed(1)} s CPU (${((r.cpuMs * 1000) / PBXS).toFixed(0)} µs CPU per visit); ${r.done} visits completed, ${r.failed} failed, last ended ${r.lastEnd}Z; fleet built in ${(r.buildMs / 1000).toFixed(1)} s; peak RSS ${r.peakRssMiB.toFixed(0)} MiB`;
}

// Bound: 40 ms of wall time per PBX and run under a load of ~15 on 2 cores (measured 12–25), twice, plus a minute.
bound('maintenance-night', Math.ceil(60 + (2 * PBXS * 40) / 1000));
console.log(`maintenance-night bench: ${PBXS} PBXs (${Math.round(LAN * 100)} % with LAN teleservice, the rest modem-only), ${MODEMS} centre modems, LAN concurrency ${LAN_CONCURRENCY}, window 20:00–06:00, steps errors, kds-backup, archive; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const base = await night('baseline', idle);
console.log(line(base));
const real = await night('night', fleetVisitor);
console.log(line(real));
console.log(`the real visits cost ${((real.cpuMs - base.cpuMs) / 1000).toFixed(1)} s CPU more than the runner alone (${(real.cpuMs / Math.max(1, base.cpuMs)).toFixed(1)}×); load average after ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
if (real.done !== PBXS) {
  console.error(`maintenance-night: only ${real.done} of ${PBXS} visits completed`);
  process.exitCode = 1;
}
