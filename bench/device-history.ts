/**
 * The portal's check-in history of one busy device for an old period
 * (docs/perf.md "Centre: one device's check-in history"), in-process, on
 * SQLite and on PostgreSQL: a device with HISTORY check-ins once a minute
 * (about 139 days), and the page (`historyTable`, 500 rows) of one day
 * DAYS_BACK days before its newest check-in. The walk from the newest
 * check-in back to the period's start is the same for every build; what
 * differs is what comes out of the database. Baseline in the same run,
 * alternating round by round, on the same database: `--previous DIST` (the
 * `dist/` of an earlier build), its own `historyTable`. Per build: the
 * median time of a page, the history rows walked per ms, and this
 * process's CPU per page (on PostgreSQL the server's is not in it).
 * Run: npx tsc -p . && node dist/bench/device-history.js [--previous DIR/dist] [--rounds N]
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { DeviceRegistry } from '../src/database/device-registry.js';
import { openDatabase } from '../src/database/open-database.js';
import { parseDatabaseUrl } from '../src/database/database-url.js';
import type { PortalAccount } from '../src/database/portal-accounts.js';
import { AccessScope } from '../src/portal/access-scope.js';
import { historyTable, PAGE_ROWS } from '../src/portal/history-views.js';
import { MasterKey } from '../src/storage/master-key.js';
import { startPostgresCluster } from '../test/support/postgres-cluster.js';
import { median } from '../test/support/sample-stats.js';
import { bound } from './support/bench-bound.js';

const { values: args } = parseArgs({ options: { previous: { type: 'string' }, rounds: { type: 'string', default: '5' } } });
const ROUNDS = Number(args.rounds);
/** Check-ins of the busy device: once a minute for about 139 days. */
const HISTORY = 200_000;
const MIN = 60_000;
const DAY = 1440 * MIN;
const DAYS_BACK = 100;
const T0 = 1_780_000_000_000;
const previous = args.previous === undefined ? undefined : resolve(args.previous);
if (previous && !existsSync(join(previous, 'src/portal/history-views.js'))) {
  process.stderr.write(`--previous ${previous}: no src/portal/history-views.js there (give the dist/ folder of a build)\n`);
  process.exit(2);
}
bound(`device history (2 engines × ${ROUNDS} rounds × ${previous ? 2 : 1} builds, a history of ${HISTORY.toLocaleString('en-US')} check-ins)`, 120 + ROUNDS * 2 * 2 * 30);

type HistoryTable = typeof historyTable;
const builds: Array<{ name: string; historyTable: HistoryTable }> = [{ name: 'this build', historyTable }];
if (previous) builds.push({ name: 'previous build', historyTable: ((await import(pathToFileURL(join(previous, 'src/portal/history-views.js')).href)) as { historyTable: HistoryTable }).historyTable });

const dir = mkdtempSync(join(tmpdir(), 'device-history-bench-'));
const cluster = await startPostgresCluster();
try {
  const scope = new AccessScope({ id: 1, role: 'manager' } as PortalAccount, []);
  const newest = T0 + (HISTORY - 1) * MIN;
  const period = { from: newest - DAYS_BACK * DAY, to: newest - (DAYS_BACK - 1) * DAY };
  /** Rows the walk reads: from the newest back to the first before the period. */
  const walked = Math.ceil((newest - period.from) / MIN) + 2;
  process.stdout.write(`one device, ${HISTORY.toLocaleString('en-US')} check-ins once a minute; the page (${PAGE_ROWS} rows) of the day ${DAYS_BACK} days before the newest: ${walked.toLocaleString('en-US')} rows walked; median of ${ROUNDS} rounds, builds alternating\n`);
  for (const url of [`sqlite:${join(dir, 'centre.db')}`, await cluster.createDatabase('history_bench')]) {
    const db = await openDatabase(parseDatabaseUrl(url));
    const registry = await DeviceRegistry.open(db, MasterKey.load(dir, {}));
    await registry.add('BUSY', 'key-depot', {}, { actor: 'bench' });
    await registry.add('OTHER', 'key-depot', {}, { actor: 'bench' });
    // The history as the intake leaves it (each row linked to the one before, the replay window to the newest), written in three statements.
    const status = JSON.stringify({ kind: 'key-depot', door: 'closed', keys: [1, 2, 3, 4], queue: 0, mains: true, interval: 60 });
    await sql`with recursive s(k) as (select 0 union all select k + 1 from s where k < ${sql.lit(HISTORY - 1)})
      insert into check_ins (device_id, received_at, counter, device_time_ms, source, status)
      select 'BUSY', ${sql.lit(T0)} + cast(k as bigint) * ${sql.lit(MIN)}, k + 1, ${sql.lit(T0)} + cast(k as bigint) * ${sql.lit(MIN)}, '127.0.0.1:4000', ${status} from s order by k`.execute(db.kysely);
    await sql`update check_ins set prev_id = l.prev from (select id, lag(id) over (order by id) as prev from check_ins) l where check_ins.id = l.id`.execute(db.kysely);
    await sql`update supervision_states set last_check_in_id = (select max(id) from check_ins) where device_id = 'BUSY'`.execute(db.kysely);
    const times = builds.map(() => [] as number[]);
    const cpus = builds.map(() => [] as number[]);
    for (let r = 0; r < ROUNDS; r++) {
      for (const [k, b] of builds.entries()) {
        const t0 = performance.now();
        const cpu0 = process.cpuUsage();
        const { table, truncated } = await b.historyTable(db.kysely, scope, 'see-history', 'check-ins', period, 'BUSY', PAGE_ROWS);
        const cpu = process.cpuUsage(cpu0);
        times[k].push(performance.now() - t0);
        cpus[k].push((cpu.user + cpu.system) / 1000);
        const first = Number(table.rows[0]?.[2]);
        if (table.rows.length !== PAGE_ROWS || !truncated || first !== (period.from - T0) / MIN + 1) throw new Error(`${b.name}: ${table.rows.length} rows from counter ${first}, truncated ${truncated}`);
      }
    }
    for (const [k, b] of builds.entries()) {
      const ms = median(times[k]);
      process.stdout.write(`  ${db.engine.padEnd(8)} ${b.name.padEnd(15)} ${ms.toFixed(1).padStart(7)} ms per page  ${Math.round(walked / ms).toLocaleString('en-US').padStart(7)} rows walked/ms  this process's CPU ${median(cpus[k]).toFixed(1).padStart(7)} ms per page\n`);
    }
    await db.close();
  }
  process.stdout.write(`load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} at the end\n`);
} finally {
  cluster.stop();
  rmSync(dir, { recursive: true, force: true });
}
