import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../core/clock.js';
import type { Duplex } from 'node:stream';
import type { LineEndpoint } from '../../core/line-endpoint.js';
import { ModemState, type HayesModem } from '../../modem/hayes-modem.js';
import { StreamLine } from '../adapters/stream-line.js';
import type { CallTerminal } from '../../core/call.js';
import { Centre } from '../centre/centre.js';
import { ReceiverState, type CentreReceiver } from '../centre/centre-receiver.js';
import { DatabaseReportStore } from '../centre/database-report-store.js';
import { Circle } from '../../firmware-sim/circles.js';
import type { CentreDatabase } from '../database/centre-database.js';
import { DeviceRegistry } from '../database/device-registry.js';
import { MaintenanceRecords, type PlanRecord } from '../database/maintenance-records.js';
import { openDatabase } from '../database/open-database.js';
import { validateConfig } from '../lab/config.js';
import { Lab, type LabModem } from '../lab/lab.js';
import type { PbxAssembly } from '../lab/pbx-assembly.js';
import { ArchiveShelf } from '../maintenance/archive-shelf.js';
import { KdsBackupVault } from '../maintenance/kds-backup-vault.js';
import type { WindowSpan } from '../maintenance/maintenance-plan.js';
import type { VisitChannel } from '../maintenance/maintenance-runner.js';
import { HuntGroup } from '../network/hunt-group.js';
import { MasterKey } from '../storage/master-key.js';
import { fleetPbxId, type MaintenanceFault, type MaintenanceScenario, type PbxPick } from './maintenance-scenario-file.js';

/** The customer every scenario PBX is registered for: the plan selects the fleet by it, as a real plan would. */
export const FLEET_CUSTOMER = 'Scenario fleet';
/** What the fleet's PBXs are set up with, so a visit can get in: the customer PIN for the modem and the plan's service user. */
export const FLEET_PIN = '24680';
export const FLEET_SERVICE_PASSWORD = 'night-shift';
/** Nothing in a scenario is a real secret: a cheap scrypt, so 10,000 user tables build in seconds. */
const FLEET_HASH_COST = 16;
/** Where the fleet's LAN PBXs check in (an in-process address nobody answers: the night is about visits). */
const FLEET_CHECK_IN_CENTRE = '10.255.0.1:7300';
/** The centre's number: a hunt group over its modems, the number every fleet PBX signals to (callback index 1). */
export const FLEET_CENTRE_NUMBER = '0898000';
/** The fleet's PBXs report a minute after an error (a function test) is entered: `signaling.interval` 1. */
const FLEET_SIGNALING_INTERVAL_MIN = 1;
/** Modems the centre keeps answering however many visits wait: the function tests' reports must get through. */
const MODEMS_KEPT_ANSWERING = 1;
/** How often a visit looks for an idle centre modem while all are in calls. */
const MODEM_POLL_MS = 10_000;
/** People's sessions a fault opens: what `show sessions` then lists. */
const IN_USE_SESSION = {
  admin: { channel: 'local', port: 'V.24', user: 'admin', circle: Circle.Administration },
  technician: { channel: 'imod', port: 'IMOD 0897000', user: 'tech', circle: Circle.SystemMaintenance },
} as const;

/** A centre modem with its receiver. */
interface CentreLine {
  receiver: CentreReceiver;
  modem: HayesModem;
}

export interface FleetCredentials {
  serviceUser: string;
  password: string;
  pin: string;
}

/**
 * The simulated fleet of a maintenance scenario (docs/scenarios.md): a lab in
 * memory mode on a virtual clock with N PBXs running their firmware — a share
 * of them with LAN teleservice on their customer LAN, the others reached only
 * by modem — M centre modems on the simulated telephone network, and a centre
 * database (SQLite, in a scratch directory) where the PBXs are registered and
 * the plan is stored. Faults act on the lab itself: lines that break or find
 * no modem, customer LANs cut off, people logged in to a PBX.
 */
export class MaintenanceFleet {
  readonly ids: string[];
  readonly credentials: FleetCredentials;
  /** Where the visits seal the KDS backups and keep the yearly protocol archives, as a centre does. */
  readonly vault: KdsBackupVault;
  readonly shelf: ArchiveShelf;
  readonly #lan: Set<string>;
  readonly #dir: string;
  /** The centre's modem receivers (one per centre modem): they answer the PBXs' reports and lend their modem to a visit while idle. */
  readonly centre: Centre;
  readonly #receivers: CentreLine[];

  private constructor(
    readonly lab: Lab,
    readonly clock: VirtualClock,
    readonly db: CentreDatabase,
    readonly records: MaintenanceRecords,
    readonly plan: PlanRecord,
    readonly centreModems: LabModem[],
    ids: string[],
    lan: Set<string>,
    dir: string,
    credentials: FleetCredentials,
    master: MasterKey,
    centre: Centre,
    receivers: CentreLine[],
  ) {
    this.centre = centre;
    this.#receivers = receivers;
    this.vault = new KdsBackupVault(join(dir, 'kds-backups'), master);
    this.shelf = new ArchiveShelf(join(dir, 'archives'));
    this.ids = ids;
    this.#lan = lan;
    this.#dir = dir;
    this.credentials = credentials;
  }

  /** PBX i (from 0) has LAN teleservice when the running share of LAN PBXs steps up there: the LAN PBXs lie evenly over the fleet. */
  static hasLan(i: number, share: number): boolean {
    return Math.floor((i + 1) * share) > Math.floor(i * share);
  }

  static async build(s: MaintenanceScenario): Promise<MaintenanceFleet> {
    // In RAM where there is one: a night writes a backup and an archive per PBX, and 10,000 of them on disk would measure the disk.
    const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'hicom-maintenance-'));
    try {
      const clock = new VirtualClock(s.start);
      const ids = Array.from({ length: s.fleet.pbxs }, (_, i) => fleetPbxId(i + 1));
      const db = await openDatabase({ engine: 'sqlite', path: join(dir, 'centre.db') }, { durable: false });
      const master = MasterKey.load(dir, {});
      const registry = await DeviceRegistry.open(db, master, clock);
      const by = { actor: 'scenario' };
      const lan = new Set<string>();
      const pbxs = [];
      for (const [i, id] of ids.entries()) {
        const { key } = await registry.add(id, 'pbx', { customerName: FLEET_CUSTOMER }, by);
        const withLan = MaintenanceFleet.hasLan(i, s.fleet.lanShare);
        if (withLan) lan.add(id);
        pbxs.push({ id, trunks: [`7${String(i + 1).padStart(6, '0')}`], ...(withLan ? { lan: { centre: FLEET_CHECK_IN_CENTRE, key: key.toString('base64'), interval: 60, teleservice: true } } : {}) });
      }
      const modems = Array.from({ length: s.centre.modems }, (_, k) => ({ name: `centre-${k + 1}`, number: `08990${String(k).padStart(2, '0')}`, bind: `tcp:127.0.0.1:${k + 1}` }));
      const config = validateConfig({ stateDir: dir, pbxs, modems }, dir);
      const lab = await Lab.start(config, { clock, mode: 'memory', hashCost: FLEET_HASH_COST });
      const centreModems = modems.map((m) => lab.modems.get(m.name) as LabModem);
      // The centre as it runs its modems: every one in receive mode behind one number, lent to a visit while idle.
      const centre = new Centre(clock, new DatabaseReportStore(db, { channel: 'modem' }));
      const receivers: CentreLine[] = [];
      const lines = centreModems.map((m): CallTerminal => {
        const receiver = centre.attachSlot(m.slot, m.entry.name);
        receivers.push({ receiver, modem: m.modem });
        // A modem lent for a call out is taken out of the hunt group (busied out), so no report rings on it before it dials.
        return { offerCall: (call) => (receiver.state === ReceiverState.Lent ? 'busy' : m.modem.offerCall(call)) };
      });
      const hunt = new HuntGroup(lines);
      lab.exchange.addSubscriber(FLEET_CENTRE_NUMBER, hunt, { channels: hunt.channels });
      const credentials: FleetCredentials = { serviceUser: s.plan.serviceUser, password: FLEET_SERVICE_PASSWORD, pin: FLEET_PIN };
      for (const id of ids) MaintenanceFleet.#prepare(lab.pbxs.get(id) as PbxAssembly, credentials, clock.now());
      const records = new MaintenanceRecords(db);
      const plan = await records.addPlan({
        name: s.plan.name,
        selection: { customer: FLEET_CUSTOMER },
        windowCron: s.plan.window.cron,
        windowMinutes: s.plan.window.minutes,
        timeZone: s.plan.window.timeZone,
        holidays: s.plan.window.holidays,
        steps: s.plan.steps,
        targetAps: s.plan.targetAps ?? null,
        loadAps: s.plan.loadAps,
        backupRetention: s.plan.backupRetention,
        maxRetries: s.plan.maxRetries,
        serviceUser: s.plan.serviceUser,
        functionTestWaitMinutes: s.plan.functionTestWaitMinutes ?? null,
        createdAt: clock.now(),
        createdBy: 'scenario',
      }, by);
      return new MaintenanceFleet(lab, clock, db, records, plan, centreModems, ids, lan, dir, credentials, master, centre, receivers);
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** As the installer would: the customer PIN that opens the modem, and the first login done as the provider's service user (System maintenance). */
  static #prepare(pbx: PbxAssembly, c: FleetCredentials, now: number): void {
    const pin = pbx.setKds('installer', 'pin', c.pin);
    if (!pin.ok) throw new Error(`${pbx.pbx.systemId}: pin: ${pin.error}`);
    const user = pbx.pbx.users.completeFirstLogin(c.serviceUser, c.password, now, { circle: Circle.SystemMaintenance });
    if (!user.ok) throw new Error(`${pbx.pbx.systemId}: user ${c.serviceUser}: ${user.error}`);
    // Error signaling to the centre's number (with the outside-line prefix), so a function test comes back as a report.
    for (const [path, value] of [['callback.1.number', `0${FLEET_CENTRE_NUMBER}`], ['signaling.interval', String(FLEET_SIGNALING_INTERVAL_MIN)], ['signaling.enabled', 'yes']]) {
      const r = pbx.setKds('installer', path, value);
      if (!r.ok) throw new Error(`${pbx.pbx.systemId}: ${path}: ${r.error}`);
    }
  }

  /**
   * The DTE side of an idle centre modem, lent by its receiver for the
   * visit of `id` and given back when the visit closes the line; while
   * every modem is in a call (a visit, a PBX's report, a technician) it
   * waits for one, until `until`.
   */
  async borrowModem(id: string, until: number): Promise<LineEndpoint> {
    for (;;) {
      const lent = this.#lendIdle(MODEMS_KEPT_ANSWERING);
      if (lent) return new StreamLine(lent.stream, `centre ${lent.name} for ${id}`);
      if (this.clock.now() + MODEM_POLL_MS > until) throw new Error(`every centre modem was in a call until ${new Date(this.clock.now()).toISOString().slice(11, 16)}Z`);
      await new Promise<void>((resolve) => this.clock.setTimer(MODEM_POLL_MS, resolve));
    }
  }

  channelOf(id: string): VisitChannel {
    return this.#lan.has(id) ? 'lan' : 'modem';
  }

  pbx(id: string): PbxAssembly {
    const p = this.lab.pbxs.get(id);
    if (!p) throw new Error(`no PBX ${id} in the fleet`);
    return p;
  }

  /** The number a centre modem dials for the PBX's IMOD: its trunk and the IMOD's DID. */
  dialNumber(id: string): string {
    const p = this.pbx(id);
    return `${this.lab.config.pbxs.find((e) => e.id === id)?.trunks[0] ?? ''}${p.pbx.kds.get('modem.imod.did')}`;
  }

  /** A connection from the provider network to the PBX's LAN teleservice (throws when the link is down, as a refused connect). */
  lanConnect(id: string): LineEndpoint {
    const network = this.lab.lanNetwork;
    const lan = network?.customer(id);
    if (!network || !lan) throw new Error(`${id} has no LAN teleservice`);
    return network.connect(lan.address, lan.port);
  }

  /** The PBXs a fault picks: the ids it names, or `count` spread evenly over the PBXs it can act on. */
  pick(p: PbxPick, among: (id: string) => boolean): string[] {
    const pool = this.ids.filter(among);
    if ('ids' in p) {
      const bad = p.ids.filter((id) => !pool.includes(id));
      if (bad.length) throw new Error(`${bad.join(', ')}: not a PBX of the fleet this fault can act on`);
      return p.ids;
    }
    if (p.count > pool.length) throw new Error(`${p.count} PBXs asked for, ${pool.length} can take this fault`);
    return Array.from({ length: p.count }, (_, k) => pool[Math.floor(((k + 0.5) * pool.length) / p.count)]);
  }

  /**
   * Put night `night`'s faults on the lab for `window` and return what
   * undoes them at its end. Line faults act on modem PBXs, LAN cuts on LAN
   * PBXs, people on any.
   */
  applyFaults(faults: MaintenanceFault[], window: WindowSpan): () => Promise<void> {
    const undo: Array<() => void | Promise<void>> = [];
    const modemOnly = (id: string) => this.channelOf(id) === 'modem';
    for (const f of faults) {
      if ('busyModems' in f) undo.push(this.#holdModems(f.busyModems));
      else if ('lineFault' in f) {
        for (const id of this.pick(f.lineFault.pbxs, modemOnly)) {
          const line = this.modemLine(id);
          const cut = f.lineFault.cut;
          if (f.lineFault.every) {
            this.lab.setFault(line, 'afterBytes' in cut ? { dropAfterBytes: cut.afterBytes } : { dropAfterMs: cut.afterMs });
            undo.push(() => this.lab.clearFault(line));
          } else this.lab.cutLine(line, cut);
        }
      } else if ('unreachable' in f) {
        for (const id of this.pick(f.unreachable.pbxs, modemOnly)) {
          const line = this.modemLine(id);
          this.lab.setFault(line, { unreachable: true });
          undo.push(() => this.lab.clearFault(line));
        }
      } else if ('lanDown' in f) {
        for (const id of this.pick(f.lanDown.pbxs, (x) => !modemOnly(x))) {
          const lan = this.lab.lanNetwork?.customer(id);
          void lan?.setLink(false);
          undo.push(() => lan?.setLink(true));
        }
      } else if ('inUse' in f) {
        const session = IN_USE_SESSION[f.inUse.as];
        for (const id of this.pick(f.inUse.pbxs, () => true)) {
          const sessions = this.pbx(id).pbx.sessions;
          const open = sessions.open({ ...session, since: window.start });
          const timer = this.clock.setTimer(f.inUse.forMs, () => sessions.close(open));
          undo.push(() => {
            timer.cancel();
            sessions.close(open);
          });
        }
      }
    }
    return async () => {
      for (const u of undo) await u();
    };
  }

  /**
   * An idle receiver's modem, lent: idle, and its modem in command mode —
   * the receiver itself refuses while answering a call whose RING it has
   * read; the modem's own state also covers a ring it has not read yet (a
   * command typed then would abort the answer) — while more than `keep`
   * are idle.
   */
  #lendIdle(keep = 0): { stream: Duplex; name: string } | undefined {
    const idle = this.#receivers.filter(({ receiver, modem }) => receiver.state === ReceiverState.Idle && modem.state === ModemState.Command);
    if (idle.length <= keep) return undefined;
    for (const { receiver } of idle) {
      const stream = receiver.lend();
      if (stream) return { stream, name: receiver.name };
    }
    return undefined;
  }

  /**
   * Technicians' sessions on `count` centre modems all night: each modem is
   * lent by its receiver and dials the network's echo line, so it is off
   * hook in a real call — no visit can borrow it and no PBX's report gets
   * through on it. Returns what hangs them up again.
   */
  #holdModems(count: number): () => void {
    const held: Duplex[] = [];
    for (let k = 0; k < count; k++) {
      const lent = this.#lendIdle();
      if (!lent) throw new Error(`busyModems: only ${k} of the centre's modems are idle to hold`);
      lent.stream.write(`ATDT${this.lab.config.testLines.echo}\r`);
      held.push(lent.stream);
    }
    return () => {
      // The exchange releases the calls (the modems say NO CARRIER), then the receivers take their modems back.
      this.lab.cutLine(this.lab.config.testLines.echo, { afterBytes: 0 });
      for (const s of held) s.destroy();
    };
  }

  /** The PBX's IMOD as the exchange knows it (`pbxId:internal`): a fault there acts on every call a centre modem makes to it. */
  modemLine(id: string): string {
    return `${id}:${this.pbx(id).pbx.kds.get('modem.imod.number')}`;
  }

  async close(): Promise<void> {
    try {
      this.centre.close();
      await this.lab.close();
      await this.db.close();
    } finally {
      rmSync(this.#dir, { recursive: true, force: true });
    }
  }
}
