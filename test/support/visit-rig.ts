/**
 * Real maintenance visits in virtual time: firmware PBXs with LAN
 * teleservice on in-process lines, the centre's database (either engine),
 * the SessionVisitor with its vault and archive shelf, and the runner.
 * The function test's report is delivered to the centre's report store as
 * the PBX would signal it, `reportDelayMs` after the test was raised.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { VirtualClock } from '../../core/clock.js';
import type { LineEndpoint } from '../../core/line-endpoint.js';
import { Circle } from '../../firmware-sim/circles.js';
import { encodeReport } from '../../firmware-sim/error-report.js';
import { Pbx } from '../../firmware-sim/pbx.js';
import { PbxType } from '../../firmware-sim/pbx-type.js';
import { RemoteAccess } from '../../firmware-sim/remote-access.js';
import { MemoryStateStore } from '../../firmware-sim/state-store.js';
import { HeldLine } from '../../src/adapters/held-line.js';
import { createLinePair } from '../../src/adapters/line-pair.js';
import { DatabaseReportStore } from '../../src/centre/database-report-store.js';
import type { CentreDatabase } from '../../src/database/centre-database.js';
import { DeviceRegistry } from '../../src/database/device-registry.js';
import type { DeviceAccess } from '../../src/database/maintenance-access.js';
import { MaintenanceRecords, type PlanRecord } from '../../src/database/maintenance-records.js';
import { MaintenanceReports } from '../../src/database/maintenance-reports.js';
import { serviceNetworkRules } from '../../src/lab/service-network-rules.js';
import { ArchiveShelf } from '../../src/maintenance/archive-shelf.js';
import { KdsBackupVault } from '../../src/maintenance/kds-backup-vault.js';
import type { MaintenanceStep } from '../../src/maintenance/maintenance-plan.js';
import { MaintenanceRunner, type WindowSummary } from '../../src/maintenance/maintenance-runner.js';
import { SessionVisitor, type VisitLines } from '../../src/maintenance/session-visitor.js';
import { runInVirtualTime } from '../../src/maintenance/virtual-time-driver.js';
import { MasterKey } from '../../src/storage/master-key.js';
import { addUser } from './add-user.js';
import type { EngineFixture } from './both-engines.js';
import { AdminTerminal, firstLogin, TEST_HASH_COST } from './pbx-harness.js';
import { RecordingLog } from './revisor-fixtures.js';

/** Monday 7 December 2026, 12:00 UTC; the plan's window opens at 20:00 UTC. */
export const VISIT_START = Date.UTC(2026, 11, 7, 12, 0);
export const SERVICE_USER = { name: 'service', circle: Circle.SystemMaintenance, password: 'svc-pw-1' };
export const PIN = '24680';
/** The provider's address on the service network. */
export const PROVIDER = '172.30.0.1';
export const ALL_STEPS: MaintenanceStep[] = ['errors', 'kds-backup', 'archive', 'aps', 'function-test'];

export interface RigPbx {
  id: string;
  pbx: Pbx;
  /** Records every entry ever logged (RecordingLog.ledger), archived or not. */
  log: RecordingLog;
  local: AdminTerminal;
  remote: RemoteAccess;
  /** Lines to it that are open now. */
  open: Set<LineEndpoint>;
}

export interface VisitRig {
  db: CentreDatabase;
  clock: VirtualClock;
  records: MaintenanceRecords;
  reports: MaintenanceReports;
  vault: KdsBackupVault;
  shelf: ArchiveShelf;
  pbxs: Map<string, RigPbx>;
  access: Map<string, DeviceAccess>;
  runner: MaintenanceRunner;
  visitor: SessionVisitor;
  /** Called with each line the visitor opens; a test breaks lines through it. */
  onLine: (id: string, line: LineEndpoint) => void;
  plan(over?: Partial<Omit<PlanRecord, 'id'>>): Promise<PlanRecord>;
  night(plan: PlanRecord): Promise<WindowSummary | undefined>;
  /** The PBX's protocol log as `user (format) command` lines. */
  logged(id: string): string[];
}

export async function visitRig(f: EngineFixture, ids: string[] = ['HSIM-0001'], options: { reportDelayMs?: number; apsImages?: Map<string, Buffer> } = {}): Promise<VisitRig> {
  const db = await f.open();
  const master = MasterKey.load(f.stateDir, {});
  const registry = await DeviceRegistry.open(db, master);
  const clock = new VirtualClock(VISIT_START);
  const records = new MaintenanceRecords(db);
  const reports = new MaintenanceReports(db);
  const store = new DatabaseReportStore(db, { channel: 'modem' });
  const dir = join(f.stateDir, 'centre', 'maintenance');
  mkdirSync(dir, { recursive: true });
  const vault = new KdsBackupVault(join(dir, 'kds-backups'), master);
  const shelf = new ArchiveShelf(join(dir, 'archives'));
  const pbxs = new Map<string, RigPbx>();
  const access = new Map<string, DeviceAccess>();
  for (const id of ids) {
    await registry.add(id, 'pbx', { customerName: 'Müller' }, { actor: 'test' });
    const log = new RecordingLog();
    const pbx = new Pbx({ clock, log, store: new MemoryStateStore(), systemId: id, type: PbxType.OfficePro, hashCost: TEST_HASH_COST, addressRules: serviceNetworkRules });
    pbx.start();
    const local = new AdminTerminal(pbx);
    firstLogin(local);
    const status = addUser(local, SERVICE_USER);
    if (status !== 'OK') throw new Error(`rig: user add service: ${status}`);
    local.cmd('pin set');
    local.cmd(PIN);
    local.cmd(PIN);
    local.cmd('set lan.service-network 172.30.0.0/24');
    local.cmd('set lan.teleservice yes');
    local.cmd('logout');
    pbxs.set(id, { id, pbx, log, local, remote: new RemoteAccess(pbx), open: new Set() });
    access.set(id, { deviceId: id, lan: { host: '192.168.101.10', port: 2300, route: 'direct' }, serviceUser: SERVICE_USER.name, pin: PIN, password: SERVICE_USER.password });
  }
  const lines: VisitLines = {
    async lan(id) {
      const p = pbxs.get(id);
      if (!p) throw new Error(`${id}: no route to host`);
      const pair = createLinePair(`lan ${id}`);
      // The PBX greets (or refuses and closes) the moment it is connected: held for the visitor, as a socket would.
      const line = new HeldLine(pair.dte);
      p.remote.acceptLan(pair.dce, PROVIDER);
      p.open.add(pair.dte);
      pair.dte.onClose(() => p.open.delete(pair.dte));
      rig.onLine(id, line);
      return line;
    },
    async modem(id) {
      throw new Error(`${id}: this rig has no modems`);
    },
  };
  /** Function tests raised, by device: delivered as a report once their delay has passed. */
  const raised = new Map<string, number>();
  const reportDelayMs = options.reportDelayMs ?? 3 * 60_000;
  const visitor = new SessionVisitor({
    access,
    lines,
    now: () => clock.now(),
    clock,
    reports: {
      file: (r) => reports.file(r),
      functionTestReported: (deviceId, since) => reports.functionTestReported(deviceId, since),
      async reported(deviceId, errorId, since) {
        const p = pbxs.get(deviceId)!;
        const record = p.pbx.errors.list().find((e) => e.id === errorId);
        if (record && !raised.has(`${deviceId}:${errorId}`)) raised.set(`${deviceId}:${errorId}`, clock.now());
        if (record && clock.now() - (raised.get(`${deviceId}:${errorId}`) ?? 0) >= reportDelayMs) {
          await store.appendReport(encodeReport({ systemId: deviceId, pbxType: p.pbx.type, apsVersion: p.pbx.apsVersion, seq: errorId, time: clock.now(), records: [record] }), clock.now());
        }
        return reports.reported(deviceId, errorId, since);
      },
    },
    vault,
    shelf,
    apsImage: (v) => options.apsImages?.get(v),
    functionTestPollMs: 30_000,
  });
  const runner = new MaintenanceRunner({ clock, records, visitor, modems: 2, lanConcurrency: 8, retryBackoffMs: 30_000, busyRetryMs: 5 * 60_000 });
  const rig: VisitRig = {
    db, clock, records, reports, vault, shelf, pbxs, access, runner, visitor, onLine: () => undefined,
    plan: (over = {}) => records.addPlan({
      name: 'nightly', selection: { devices: ids }, windowCron: '0 20 * * *', windowMinutes: 120, timeZone: 'UTC', holidays: [], steps: ALL_STEPS,
      targetAps: null, loadAps: false, backupRetention: 3, maxRetries: 2, serviceUser: SERVICE_USER.name, createdAt: VISIT_START, createdBy: 'test', ...over,
    }, { actor: 'test' }),
    night: (plan) => runInVirtualTime(clock, runner, runner.runNextWindow(plan)),
    logged: (id) => pbxs.get(id)!.log.read().map((e) => `${e.user} (${e.format}) ${e.command}`),
  };
  return rig;
}
