import { join } from 'node:path';
import type { Clock } from '../../core/clock.js';
import type { OutgoingModems } from '../../firmware-sim/callback-index.js';
import { CallbackScheduler } from '../../firmware-sim/callback-scheduler.js';
import { ErrorSignaling } from '../../firmware-sim/error-signaling.js';
import { FlashProtocolLog } from '../../firmware-sim/flash-log.js';
import { FlashApsStore } from '../../firmware-sim/aps-store.js';
import { ENABLE_CODE } from '../../firmware-sim/dtmf-admin/dtmf-admin.js';
import { Pbx } from '../../firmware-sim/pbx.js';
import { MemoryProtocolLog, type ProtocolLog } from '../../firmware-sim/protocol-log.js';
import type { StateStore } from '../../firmware-sim/state-store.js';
import { RemoteAccess } from '../../firmware-sim/remote-access.js';
import { AdminSession } from '../../firmware-sim/session.js';
import { HayesModem } from '../../modem/hayes-modem.js';
import { Imod } from '../../modem/imod.js';
import { X75Modem } from '../../modem/x75-modem.js';
import { bindLine, type LineProvider } from '../adapters/bind-line.js';
import { LineSlot } from '../adapters/line-slot.js';
import { Centre } from '../centre/centre.js';
import { CentreStore } from '../centre/centre-store.js';
import type { LabConfig, ModemEntry, PbxEntry } from './config.js';
import { FileFlash } from '../storage/file-flash.js';
import { silentLogger, type Logger } from '../logger.js';
import { DTMF_ADMIN_NUMBER, DtmfAdminPort } from '../network/dtmf-admin-port.js';
import { Exchange, type PbxNode } from '../network/exchange.js';
import { parseFaultSpec } from '../network/fault-plan.js';
import { installTestLines, type TestLineNumbers } from '../network/test-lines.js';
import { StateDir } from '../storage/state-dir.js';

/** One PBX of the lab with what hangs off it. */
export interface LabPbx {
  entry: PbxEntry;
  pbx: Pbx;
  remote: RemoteAccess;
  imod: Imod;
  /** The X.75 B-channel modem pseudo-port (KDS modem.x75.number / modem.x75.did). */
  x75: X75Modem;
  node: PbxNode;
  /** Undefined in memory mode: the live Pbx is the state, nothing reloads it, and a snapshot per change would only cost. */
  state: StateStore | undefined;
  flash: FileFlash | undefined;
  adminPorts: LineProvider[];
  /** Outgoing modems by kind: the IMOD and the X.75 modem (callback index X.75 flag chooses). */
  outgoing: OutgoingModems;
  callback: CallbackScheduler;
  signaling: ErrorSignaling;
}

export interface LabModem {
  entry: ModemEntry;
  modem: HayesModem;
  slot: LineSlot;
  /** Undefined in memory mode: the slot is plugged in-process. */
  provider: LineProvider | undefined;
}

export interface LabOptions {
  clock: Clock;
  logger?: Logger;
  /** Lower scrypt cost (tests only). */
  hashCost?: number;
  /**
   * 'files' (default): state directory and FMC image on disk, ports bound.
   * 'memory': everything in RAM and no port bound — for scenarios and
   * benchmarks in virtual time, where thousands of PBXs share one process.
   */
  mode?: 'files' | 'memory';
  /**
   * Run the centre in-process on `config.centre.modem` (default true when
   * the config has a `centre`); false leaves that modem to an external
   * `hicom-sim centre receive` or a centre's own software.
   */
  runCentre?: boolean;
  /** Where the in-process centre keeps its files (default: <stateDir>/centre). */
  centreDir?: string;
  /** fsync centre appends (default true; throwaway benchmark directories turn it off). */
  centreFsync?: boolean;
}

/**
 * Builds and runs a whole lab from a LabConfig: the network with its test
 * lines, every PBX (state directory, FMC, IMOD, admin ports) and every
 * external modem bound to its serial port, pty or TCP listener.
 */
export class Lab {
  readonly clock: Clock;
  readonly exchange: Exchange;
  readonly pbxs = new Map<string, LabPbx>();
  readonly modems = new Map<string, LabModem>();
  readonly testLines: TestLineNumbers;
  /** The in-process centre (memory mode with `config.centre`). */
  centre: Centre | undefined;
  centreDir: string | undefined;
  readonly #logger: Logger;

  private constructor(readonly config: LabConfig, options: LabOptions) {
    this.clock = options.clock;
    this.#logger = options.logger ?? silentLogger;
    const netLog = this.#logger.child({ component: 'network' });
    this.exchange = new Exchange(this.clock, {
      pacing: config.pacing,
      onCallEvent: (e) => netLog.info({ call: e.id, caller: e.caller, called: e.called, state: e.state, reason: e.reason }, 'call'),
    });
    this.testLines = installTestLines(this.exchange, config.testLines);
  }

  static async start(config: LabConfig, options: LabOptions): Promise<Lab> {
    const lab = new Lab(config, options);
    try {
      for (const entry of config.pbxs) await lab.#startPbx(entry, options);
      for (const entry of config.modems) await lab.#startModem(entry, options.mode !== 'memory');
      for (const [target, spec] of Object.entries(config.faults ?? {})) lab.setFault(target, spec);
      if (config.centre && options.runCentre !== false) lab.#startCentre(config.centre.modem, options);
    } catch (err) {
      await lab.close();
      throw err;
    }
    return lab;
  }

  async #startPbx(entry: PbxEntry, options: LabOptions): Promise<void> {
    const log = this.#logger.child({ component: 'pbx', pbx: entry.id });
    const onDisk = options.mode !== 'memory';
    let state: StateStore | undefined;
    let flash: FileFlash | undefined;
    let protocolLog: ProtocolLog;
    if (onDisk) {
      const dir = new StateDir(join(this.config.stateDir, entry.id));
      state = dir;
      flash = entry.fmc ? new FileFlash(dir.fmcPath) : undefined;
      const mounted = FlashProtocolLog.mount(flash, { clock: this.clock });
      if (!mounted.available) log.warn({ reason: mounted.mountReport.reason }, 'no protocol log: no 10 MB FMC');
      protocolLog = mounted;
    } else {
      protocolLog = new MemoryProtocolLog({ available: entry.fmc });
    }
    // Loaded APS images go onto the FMC below the log area (docs/aps-image.md); without a card, into RAM.
    const apsStore = flash ? new FlashApsStore(flash) : undefined;
    const pbx = new Pbx({ clock: this.clock, log: protocolLog, store: state, systemId: entry.id, type: entry.type, apsVersion: entry.aps, hashCost: options.hashCost, apsStore });
    pbx.start();
    const remote = new RemoteAccess(pbx);
    const imod = new Imod({ clock: this.clock, sink: remote });
    const x75 = new X75Modem({ clock: this.clock, sink: remote });
    const node = this.exchange.addPbx({ id: entry.id, trunkNumbers: entry.trunks });
    // DTMF remote administration (docs/dtmf-admin.md): the called party's port; every display change is logged.
    node.addPort(DTMF_ADMIN_NUMBER, new DtmfAdminPort(pbx, (lines, via) => log.info({ via, display: lines.map((l) => l.trimEnd()) }, 'DTMF admin display')));
    const imodNumber = pbx.kds.get('modem.imod.number') ?? '791';
    imod.attachLine(node.addPort(imodNumber, imod, { did: pbx.kds.get('modem.imod.did') || null }));
    const x75Number = pbx.kds.get('modem.x75.number') ?? '792';
    x75.attachLine(node.addPort(x75Number, x75, { did: pbx.kds.get('modem.x75.did') || null, channels: x75.channels }));
    // The DIDs follow the KDS: removing one shuts that modem off from outside at once.
    pbx.onKdsChange((path) => {
      if (path === 'modem.imod.did') node.setDid(imodNumber, pbx.kds.get(path) || null);
      if (path === 'modem.x75.did') node.setDid(x75Number, pbx.kds.get(path) || null);
    });
    // B2-1: with every trunk out of service no call from outside reaches the PBX (docs/maintenance.md).
    const trunkService = (): void => {
      for (const internal of node.ports.keys()) this.exchange.setFaults(`${entry.id}:${internal}`, { unreachable: !pbx.maintenance.anyTrunkInService() });
    };
    pbx.maintenance.onChange(trunkService);
    trunkService();
    const outgoing: OutgoingModems = { imod, x75 };
    const callback = new CallbackScheduler({ pbx, modems: outgoing, onConnected: (line, info) => remote.acceptCallback(line, info) });
    remote.preLogin = (text, io, info) => callback.handleGateLine(text, io, info);
    callback.onEvent((e) => log.info({ ...e, type: undefined, event: e.type }, `callback ${e.type}`));
    const signaling = new ErrorSignaling({ pbx, modems: outgoing });
    signaling.onEvent((e) => log.info({ ...e, type: undefined, event: e.type }, `error signaling ${e.type}`));
    signaling.start();
    const adminPorts: LineProvider[] = [];
    for (const port of onDisk ? entry.adminPorts : []) {
      const stationPort = port.station === undefined ? undefined : pbx.kds.get(`station.${port.station}.port`) ?? `station ${port.station}`;
      const provider = await bindLine(
        port.bind,
        (line) => {
          log.info({ port: line.description }, 'admin port connected');
          const session = new AdminSession(pbx, line, { channel: 'local', port: stationPort ?? 'V.24', stationPort });
          session.onClose(() => log.info({ port: line.description }, 'admin port disconnected'));
        },
        { logger: log },
      );
      adminPorts.push(provider);
    }
    this.pbxs.set(entry.id, { entry, pbx, remote, imod, x75, node, state, flash, adminPorts, outgoing, callback, signaling });
    log.info({ type: entry.type, aps: entry.aps }, 'PBX started');
  }

  async #startModem(entry: ModemEntry, bind: boolean): Promise<void> {
    const log = this.#logger.child({ component: 'modem', modem: entry.name });
    const slot = new LineSlot(`${entry.name} DTE`);
    const modem = new HayesModem({ clock: this.clock, dte: slot, profile: entry.profile });
    modem.attachLine(this.exchange.addSubscriber(entry.number, modem));
    const provider = !bind ? undefined : await bindLine(
      entry.bind,
      (line) => {
        if (!slot.plug(line)) {
          line.write('\r\nERROR modem in use by another terminal\r\n');
          line.close();
          return;
        }
        log.info({ terminal: line.description }, 'terminal connected');
      },
      { logger: log },
    );
    this.modems.set(entry.name, { entry, modem, slot, provider });
  }

  #startCentre(modemName: string, options: LabOptions): void {
    const modem = this.modems.get(modemName);
    if (!modem) throw new Error(`centre: no modem named ${modemName}`);
    this.centreDir = options.centreDir ?? join(this.config.stateDir, 'centre');
    const store = CentreStore.open(this.centreDir, { logger: this.#logger, fsync: options.centreFsync });
    this.centre = new Centre(this.clock, store, this.#logger);
    this.centre.attachSlot(modem.slot, modemName);
  }

  /**
   * Inject a network fault (config `faults:`, `hicom-sim lab --fault`):
   * `target` is a public number or `pbxId:internal`, `spec` the textual
   * form of docs/network.md. Throws FaultSpecError / NumberingError with a
   * clear message for a bad spec or an unknown line.
   */
  setFault(target: string, spec: string): void {
    this.exchange.setFaults(target, parseFaultSpec(spec));
    this.#logger.child({ component: 'network' }).info({ target, spec }, 'fault injected');
  }

  /** Human-readable lines: where to connect and what to dial. */
  describe(): string[] {
    const out: string[] = [];
    for (const { entry, pbx, adminPorts } of this.pbxs.values()) {
      const trunk = entry.trunks[0] ?? '';
      const did = pbx.kds.get('modem.imod.did');
      out.push(`PBX ${entry.id} (${entry.type}, APS ${pbx.apsVersion})${pbx.log.available ? '' : ' — no FMC, no protocol log'}`);
      adminPorts.forEach((p, i) => out.push(`  admin port: ${p.description}${entry.adminPorts[i].station ? ` (Assistant T, station ${entry.adminPorts[i].station})` : ' (V.24 service port)'}`));
      out.push(`  IMOD: internal ${pbx.kds.get('modem.imod.number')}, dial ${did ? `${trunk}${did}` : '(no DID: internal only)'}`);
      out.push(`  DTMF remote admin: dial ${trunk}${DTMF_ADMIN_NUMBER} (voice), then ${ENABLE_CODE} + password + #`);
      const x75Did = pbx.kds.get('modem.x75.did');
      out.push(`  X.75 modem: internal ${pbx.kds.get('modem.x75.number')}, dial ${x75Did ? `${trunk}${x75Did}` : '(no DID: internal only)'} (AT+BX75)`);
    }
    for (const { entry, provider } of this.modems.values()) out.push(`modem ${entry.name} (${entry.profile}, number ${entry.number}): ${provider?.description ?? 'in-process'}`);
    if (this.centre && this.config.centre) out.push(`centre: receiving error reports on modem ${this.config.centre.modem} (number ${this.modems.get(this.config.centre.modem)?.entry.number}), files in ${this.centreDir}`);
    out.push(`test lines: echo ${this.testLines.echo}, busy ${this.testLines.busy}, no answer ${this.testLines.noAnswer}; any unassigned number is unobtainable`);
    return out;
  }

  async close(): Promise<void> {
    this.centre?.close();
    for (const p of this.pbxs.values()) {
      p.callback.stop();
      p.signaling.stop();
    }
    for (const m of this.modems.values()) await m.provider?.close();
    for (const p of this.pbxs.values()) {
      for (const a of p.adminPorts) await a.close();
      p.flash?.close();
    }
  }
}
