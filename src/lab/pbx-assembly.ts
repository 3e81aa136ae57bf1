import type { Clock } from '../../core/clock.js';
import type { LineEndpoint } from '../../core/line-endpoint.js';
import type { ModemCallSink, ModemKind, OutgoingModem } from '../../core/modem-port.js';
import { countryProfile } from '../../firmware-sim/country-profile.js';
import { FlashApsStore } from '../../firmware-sim/aps-store.js';
import type { OutgoingModems } from '../../firmware-sim/callback-index.js';
import { CallbackScheduler } from '../../firmware-sim/callback-scheduler.js';
import { ErrorSignaling } from '../../firmware-sim/error-signaling.js';
import { FlashProtocolLog } from '../../firmware-sim/flash-log.js';
import { Circle } from '../../firmware-sim/circles.js';
import type { ErrorClass, ErrorRecord } from '../../firmware-sim/error-history.js';
import { X75_MAX_CHANNELS } from '../../firmware-sim/kds-schema.js';
import { Pbx, type Outcome } from '../../firmware-sim/pbx.js';
import { MemoryProtocolLog, type LogEntry, type ProtocolLog } from '../../firmware-sim/protocol-log.js';
import { RemoteAccess } from '../../firmware-sim/remote-access.js';
import { AdminSession } from '../../firmware-sim/session.js';
import type { StateStore } from '../../firmware-sim/state-store.js';
import { Imod } from '../../modem/imod.js';
import { X75Modem } from '../../modem/x75-modem.js';
import { bindLine, type LineProvider } from '../adapters/bind-line.js';
import { StationLine } from './station-line.js';
import type { Logger } from '../logger.js';
import { DTMF_ADMIN_NUMBER, DtmfAdminPort } from '../network/dtmf-admin-port.js';
import { DtmfStationPort } from '../network/dtmf-station-port.js';
import { NumberingError, type Exchange, type PbxNode } from '../network/exchange.js';
import { FileFlash } from '../storage/file-flash.js';
import { StateDir } from '../storage/state-dir.js';
import type { PbxEntry } from './config.js';
import { LanOption, LAB_INSTALLER, type LanOptionOptions } from './lan-option.js';
import { ObservedProtocolLog } from './observed-protocol-log.js';
import { OpenLines } from './open-lines.js';
import { TornWriteFlash } from './torn-write-flash.js';
import { serviceNetworkRules } from './service-network-rules.js';

export interface PbxAssemblyOptions {
  clock: Clock;
  exchange: Exchange;
  /** The PBX's own logger (component "pbx"). */
  logger: Logger;
  /** Where this PBX's state directory and FMC image live (files mode). */
  stateDir: string;
  /** false: everything in RAM and no admin port bound (scenarios, benchmarks). */
  onDisk: boolean;
  /** Lower scrypt cost (tests only). */
  hashCost?: number;
  /** Told of every protocol-log entry once it is durable. */
  onLogEntry?(entry: LogEntry): void;
  /** For the LAN option (`entry.lan`): the in-process network in memory mode, nonces, check-in reports. */
  lan?: Omit<LanOptionOptions, 'logger' | 'onDisk'>;
  /** The service network LAN teleservice is installed with when the entry names none (the lab's provider network). */
  serviceNetwork?: string;
}

/** Default internal numbers of the modem pseudo-ports when the KDS has none. */
const IMOD_NUMBER = '791';
const X75_NUMBER = '792';

/**
 * One PBX of a lab with what hangs off it: its storage (state directory,
 * FMC with protocol log and APS store), the firmware, the IMOD and X.75
 * modem pseudo-ports and the DTMF administration port in the numbering
 * plan, callback and error signaling over those modems, and the admin
 * ports bound to TCP, serial lines or ptys.
 */
export class PbxAssembly {
  readonly pbx: Pbx;
  readonly remote: RemoteAccess;
  readonly imod: Imod;
  /** The X.75 B-channel modem pseudo-port (KDS modem.x75.number / modem.x75.did). */
  readonly x75: X75Modem;
  readonly node: PbxNode;
  /** Undefined in memory mode: the live Pbx is the state, nothing reloads it, and a snapshot per change would only cost. */
  readonly state: StateStore | undefined;
  readonly flash: FileFlash | undefined;
  /** The FMC as the firmware sees it: the image file behind a switch that can cut the power mid-write. */
  readonly fmc: TornWriteFlash | undefined;
  /** Outgoing modems by kind: the IMOD and the X.75 modem (callback index X.75 flag chooses), their calls tracked. */
  readonly outgoing: OutgoingModems;
  readonly callback: CallbackScheduler;
  readonly signaling: ErrorSignaling;
  readonly adminPorts: LineProvider[] = [];
  /** The stations' keypad lines, in the order of `entry.keypads`. */
  readonly keypadLines: LineProvider[] = [];
  /** The LAN option's check-in, when the entry has `lan`. */
  lan: LanOption | undefined;
  /** Sessions open on the admin ports, true for an Assistant T terminal on a station port (the modem sessions are in `remote.sessions`). */
  readonly #localSessions = new Map<AdminSession, boolean>();
  /** Every call through each modem, in and out, so that an option reset can drop them. */
  readonly #modemLines: Record<ModemKind, OpenLines> = { imod: new OpenLines(), x75: new OpenLines() };
  readonly #log: Logger;
  /** Keypads and displays of stations, made when first used (docs/control.md `device.press`). */
  readonly #keypads = new Map<string, DtmfStationPort>();

  private constructor(readonly entry: PbxEntry, options: PbxAssemblyOptions) {
    const { clock, logger } = options;
    this.#log = logger;
    let protocolLog: ProtocolLog;
    if (options.onDisk) {
      const dir = new StateDir(options.stateDir);
      this.state = dir;
      this.flash = entry.fmc ? new FileFlash(dir.fmcPath) : undefined;
      this.fmc = this.flash ? new TornWriteFlash(this.flash) : undefined;
      const mounted = FlashProtocolLog.mount(this.fmc, { clock });
      if (!mounted.available) logger.warn({ reason: mounted.mountReport.reason }, 'no protocol log: no 10 MB FMC');
      protocolLog = mounted;
    } else {
      protocolLog = new MemoryProtocolLog({ available: entry.fmc });
    }
    const onLogEntry = options.onLogEntry;
    if (onLogEntry) protocolLog = new ObservedProtocolLog(protocolLog, onLogEntry);
    // Loaded APS images go onto the FMC below the log area (docs/aps-image.md); without a card, into RAM.
    const apsStore = this.fmc ? new FlashApsStore(this.fmc) : undefined;
    this.pbx = new Pbx({ clock, log: protocolLog, store: this.state, systemId: entry.id, type: entry.type, apsVersion: entry.aps, hashCost: options.hashCost, apsStore, variant: entry.variant, addressRules: serviceNetworkRules });
    this.pbx.start();

    // A loop of objects: a modem call reaches remote access, whose PIN
    // prompt takes callback requests, and the callback dials out over these
    // very modems. The modems get a sink that forwards to remote access,
    // built once the callback exists; nothing calls it before a call connects.
    const sink: ModemCallSink = {
      acceptModemCall: (line, info) => {
        this.#modemLines[info.kind].add(line);
        this.remote.acceptModemCall(line, info);
      },
    };
    this.imod = new Imod({ clock, sink });
    this.x75 = new X75Modem({ clock, sink, channels: Number(this.pbx.kds.get('modem.x75.channels') ?? 1) });
    this.outgoing = { imod: this.#tracked(this.imod), x75: this.#tracked(this.x75) };
    this.callback = new CallbackScheduler({ pbx: this.pbx, modems: this.outgoing, onConnected: (line, info) => this.remote.acceptCallback(line, info) });
    this.remote = new RemoteAccess(this.pbx, { preLogin: (text, io, info) => this.callback.handleGateLine(text, io, info) });
    // Guarded: a fleet in virtual time has these events by the million and a silent logger, and the record is built before pino drops it.
    this.callback.onEvent((e) => logger.isLevelEnabled('info') && logger.info({ ...e, type: undefined, event: e.type }, `callback ${e.type}`));
    this.signaling = new ErrorSignaling({ pbx: this.pbx, modems: this.outgoing });
    this.signaling.onEvent((e) => logger.isLevelEnabled('info') && logger.info({ ...e, type: undefined, event: e.type }, `error signaling ${e.type}`));

    this.node = options.exchange.addPbx({ id: entry.id, trunkNumbers: entry.trunks });
    this.#plugPorts(options.exchange);
    this.#followCountry();
    this.#addRestartableUnits();
    this.signaling.start();
  }

  /** `modem` with every connected outgoing call recorded in its open lines. */
  #tracked(modem: OutgoingModem): OutgoingModem {
    const lines = this.#modemLines[modem.kind];
    return {
      kind: modem.kind,
      dial: (number, done) => modem.dial(number, (result) => {
        if (result.outcome === 'connect') lines.add(result.line);
        done(result);
      }),
    };
  }

  /** The network model follows the country initialisation: ringing cadence of the PBX's ports, outside-line prefix. */
  #followCountry(): void {
    const apply = (path: string): void => {
      const kds = this.pbx.kds;
      if (path === 'c1.country') this.node.setRingCadence(countryProfile(kds.get(path)).tones.ringing.cadenceMs);
      if (path !== 'c1.outside-prefix') return;
      try {
        this.node.setOutsideLinePrefix(kds.get(path) ?? '0');
      } catch (err) {
        // The firmware refuses prefixes its own numbers start with; the network's extra ports (DTMF administration) may still clash.
        if (!(err instanceof NumberingError)) throw err;
        this.#log.error({ err: err.message }, 'outside-line prefix not applied to the network');
      }
    };
    apply('c1.country');
    apply('c1.outside-prefix');
    this.pbx.onKdsChange(apply);
  }

  /** The lab's part of the special functions' resets: the modems' calls and the terminals on station ports. */
  #addRestartableUnits(): void {
    for (const kind of ['imod', 'x75'] as const) {
      this.pbx.units.add({ kind: 'option', name: kind, restart: () => `${this.#modemLines[kind].closeAll()} calls dropped` });
    }
    this.pbx.units.add({
      kind: 'module',
      name: 'station-terminals',
      restart: () => {
        const terminals = [...this.#localSessions].filter(([, onStation]) => onStation).map(([s]) => s);
        for (const s of terminals) s.hangUp('subscriber module reset');
        return `${terminals.length} Assistant T sessions dropped`;
      },
    });
  }

  /**
   * Build and start one PBX; admin ports are bound before it returns (files
   * mode). A port that cannot be bound stops the PBX again and releases
   * what was bound already.
   */
  static async start(entry: PbxEntry, options: PbxAssemblyOptions): Promise<PbxAssembly> {
    const assembly = new PbxAssembly(entry, options);
    try {
      if (options.onDisk) {
        await assembly.#bindAdminPorts();
        await assembly.#bindKeypads();
      }
      if (entry.lan) assembly.lan = await LanOption.start(assembly.pbx, (path, value) => assembly.setKds(LAB_INSTALLER, path, value), entry.lan, { ...options.lan, logger: options.logger, onDisk: options.onDisk });
      if (entry.lan?.teleservice) assembly.#installTeleservice(entry.lan.teleservice.serviceNetwork ?? options.serviceNetwork ?? '');
    } catch (err) {
      assembly.stop();
      await assembly.close();
      throw err;
    }
    options.logger.info({ type: entry.type, aps: entry.aps }, 'PBX started');
    return assembly;
  }

  /**
   * LAN teleservice as an installer sets it up, once: on, for the service
   * network. Later changes (a revoked service network when the contract
   * ended) are the PBX's own and survive restarts of the lab.
   */
  #installTeleservice(serviceNetwork: string): void {
    if (this.pbx.kds.flag('lan.teleservice')) return;
    for (const [path, value] of [['lan.service-network', serviceNetwork], ['lan.teleservice', 'yes']] as const) {
      const r = this.setKds(LAB_INSTALLER, path, value);
      if (!r.ok) throw new Error(`LAN teleservice: cannot set ${path}: ${r.error}`);
    }
  }

  /**
   * A connection on this PBX's LAN teleservice port, with the source address
   * its customer LAN saw: the PBX takes it or refuses it before any prompt
   * (RemoteAccess.acceptLan), and the lab's log says which.
   */
  acceptLan(line: LineEndpoint, source: string): boolean {
    const taken = this.remote.acceptLan(line, source);
    if (taken) this.#log.info({ source }, 'LAN teleservice connection');
    else this.#log.warn({ source, serviceNetwork: this.pbx.kds.get('lan.service-network'), teleservice: this.pbx.kds.get('lan.teleservice') }, 'LAN teleservice connection refused before any prompt');
    return taken;
  }

  /** The PBX's ports in the numbering plan: DTMF administration, IMOD and X.75 with the DIDs from the KDS. */
  #plugPorts(exchange: Exchange): void {
    const { pbx, node, entry } = this;
    // DTMF remote administration (docs/dtmf-admin.md): the called party's port; every display change is logged.
    node.addPort(DTMF_ADMIN_NUMBER, new DtmfAdminPort(pbx, (lines, via) => this.#log.info({ via, display: lines.map((l) => l.trimEnd()) }, 'DTMF admin display')));
    const imodNumber = pbx.kds.get('modem.imod.number') ?? IMOD_NUMBER;
    this.imod.attachLine(node.addPort(imodNumber, this.imod, { did: pbx.kds.get('modem.imod.did') || null }));
    const x75Number = pbx.kds.get('modem.x75.number') ?? X75_NUMBER;
    // The port takes as many calls as any channel count allows; the modem's own count (KDS, live) decides who gets BUSY.
    this.x75.attachLine(node.addPort(x75Number, this.x75, { did: pbx.kds.get('modem.x75.did') || null, channels: X75_MAX_CHANNELS }));
    // The DIDs follow the KDS: removing one shuts that modem off from outside at once.
    pbx.onKdsChange((path) => {
      if (path === 'modem.imod.did') node.setDid(imodNumber, pbx.kds.get(path) || null);
      if (path === 'modem.x75.did') node.setDid(x75Number, pbx.kds.get(path) || null);
      if (path === 'modem.x75.channels') this.x75.setChannels(Number(pbx.kds.get(path) ?? 1));
    });
    // B2-1: with every trunk out of service no call from outside reaches the PBX (docs/maintenance.md).
    const trunkService = (): void => {
      for (const internal of node.ports.keys()) exchange.setFaults(`${entry.id}:${internal}`, { unreachable: !pbx.maintenance.anyTrunkInService() });
    };
    pbx.maintenance.onChange(trunkService);
    trunkService();
  }

  async #bindAdminPorts(): Promise<void> {
    const { pbx } = this;
    for (const port of this.entry.adminPorts) {
      const stationPort = port.station === undefined ? undefined : pbx.kds.get(`station.${port.station}.port`) ?? `station ${port.station}`;
      const provider = await bindLine(
        port.bind,
        (line) => {
          this.#log.info({ port: line.description }, 'admin port connected');
          const session = new AdminSession(pbx, line, { channel: 'local', port: stationPort ?? 'V.24', stationPort });
          this.#localSessions.set(session, stationPort !== undefined);
          session.onClose(() => {
            this.#localSessions.delete(session);
            this.#log.info({ port: line.description }, 'admin port disconnected');
          });
        },
        { logger: this.#log },
      );
      this.adminPorts.push(provider);
    }
  }

  /** Each configured station keypad on its line (docs/dtmf-admin.md, "At a station in the lab"). */
  async #bindKeypads(): Promise<void> {
    for (const { station, bind } of this.entry.keypads) {
      this.keypad(station); // refuses a station the KDS lacks before anything is bound
      const provider = await bindLine(
        bind,
        (line) => {
          this.#log.info({ port: line.description, station }, 'station keypad line connected');
          new StationLine(line, {
            pbxId: this.entry.id,
            station,
            device: this.pbx.kds.get(`station.${station}.device`) ?? '',
            keypad: () => this.keypad(station),
            display: () => this.stationDisplay(station),
          });
        },
        { logger: this.#log },
      );
      this.keypadLines.push(provider);
    }
  }

  /**
   * The reload switch (docs/session-protocol.md, "Reload switch"): the
   * system restarts with the delivered database, so every connection drops
   * and what was pending in RAM (a callback, a signaling call) is gone.
   * Returns how many sessions were dropped.
   */
  reload(): number {
    const sessions = [...this.#localSessions.keys(), ...this.remote.sessions];
    for (const s of sessions) s.hangUp('system restart (reload switch)');
    this.stop();
    this.pbx.reload();
    this.signaling.start();
    this.lan?.start();
    this.#log.warn({ sessions: sessions.length }, 'reload switch: delivered database restored, system restarted');
    return sessions.length;
  }

  /**
   * Change a KDS item as System maintenance on behalf of a tool that drives
   * the lab (a scenario, a test rig): checked and logged (format 1, under
   * `user`) like a change typed at Assistant T.
   */
  setKds(user: string, path: string, value: string): Outcome<{ old: string; value: string }> {
    const actor = { user, circle: Circle.SystemMaintenance, rights: this.pbx.rightsFor(Circle.SystemMaintenance), local: true };
    return this.pbx.changeItem(actor, path, value);
  }

  /** Enter an error into the Error History as a board would (class B ones are signaled). */
  raise(error: { cls: ErrorClass; code: number; text: string; location: string }): ErrorRecord {
    return this.pbx.errors.add({ ...error, time: this.pbx.clock.now(), pseudo: false });
  }

  /**
   * The keypad and display of a station of this PBX (KDS `station.N`): keys
   * go to the station as if pressed (the code procedure of active DTMF remote
   * administration, then the target's menu). Made and put into the
   * numbering plan on first use.
   */
  keypad(station: string): DtmfStationPort {
    let port = this.#keypads.get(station);
    if (port) return port;
    if (!/^\d{1,6}$/.test(station) || this.pbx.kds.get(`station.${station}.device`) === undefined) {
      throw new Error(`PBX ${this.entry.id} has no station ${station}`);
    }
    port = new DtmfStationPort(this.pbx, station);
    port.attachLine(this.node.addPort(station, port, { did: null }));
    // The network bars the station's external calls while its code lock is on.
    const lock = `station.${station}.code-lock`;
    this.node.setCodeLock(station, this.pbx.kds.flag(lock));
    this.pbx.onKdsChange((path) => {
      if (path === lock) this.node.setCodeLock(station, this.pbx.kds.flag(lock));
    });
    this.#keypads.set(station, port);
    return port;
  }

  /**
   * A station's display: idle with nothing keyed, what every admin station
   * of the PBX shows (system name, then the first alarm or date and time);
   * otherwise the station's own.
   */
  stationDisplay(station: string): string[] {
    const own = this.keypadOf(station)?.station.display ?? ['', ''];
    return (own.every((l) => l.trim() === '') ? this.pbx.display() : own).map((l) => l.trimEnd());
  }

  /** The station's keypad if it was used already (reading a display makes none). */
  keypadOf(station: string): DtmfStationPort | undefined {
    return this.#keypads.get(station);
  }

  /** Station numbers of the KDS (`station.N.device`). */
  stations(): string[] {
    return this.pbx.kds.entries().map(([k]) => /^station\.(\d+)\.device$/.exec(k)?.[1]).filter((s): s is string => s !== undefined);
  }

  /** Power off: pending callbacks and signaling calls are forgotten. */
  stop(): void {
    this.callback.stop();
    this.signaling.stop();
    this.lan?.stop();
  }

  /** Unbind the admin ports and close the FMC image. */
  async close(): Promise<void> {
    for (const a of [...this.adminPorts, ...this.keypadLines]) await a.close();
    this.lan?.close();
    this.flash?.close();
  }
}
