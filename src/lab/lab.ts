import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Clock } from '../../core/clock.js';
import { ENABLE_CODE } from '../../firmware-sim/dtmf-admin/dtmf-admin.js';
import { VARIANT_NAME } from '../../firmware-sim/pbx-variant.js';
import { HayesModem } from '../../modem/hayes-modem.js';
import { bindLine, type LineProvider } from '../adapters/bind-line.js';
import { ControlSocket, type ControlReply } from '../adapters/control-socket.js';
import { LineSlot } from '../adapters/line-slot.js';
import { Centre } from '../centre/centre.js';
import { DatabaseReportStore } from '../centre/database-report-store.js';
import type { CentreDatabase } from '../database/centre-database.js';
import type { DatabaseLocation } from '../database/database-url.js';
import { openDatabase } from '../database/open-database.js';
import { ReportArchive } from '../database/report-archive.js';
import { silentLogger, type Logger } from '../logger.js';
import { DTMF_ADMIN_NUMBER } from '../network/dtmf-admin-port.js';
import { CallState, Exchange, type CallEvent, type LineCut } from '../network/exchange.js';
import { parseFaultSpec, type FaultPlan } from '../network/fault-plan.js';
import { installTestLines, type TestLineNumbers } from '../network/test-lines.js';
import { InternetGateway } from '../network/internet-gateway.js';
import type { CallTrace } from './call-trace.js';
import { tcpConnector } from '../adapters/tcp-client-line.js';
import type { CheckInReport } from '../../firmware-sim/check-in-client.js';
import { MemoryDatagramNetwork } from '../adapters/memory-datagram-network.js';
import { formatDatagramAddress } from '../../core/datagram-port.js';
import type { CheckInEntry, DepotEntry, LabConfig, ModemEntry, PbxEntry } from './config.js';
import type { LabCentreService } from './lab-centre-service.js';
import { DepotAssembly } from './depot-assembly.js';
import type { LabDevice, PowerCycleOptions, PowerCycleResult } from './lab-device.js';
import { modemDevice, pbxDevice, stationDevice, type ModemParts } from './lab-devices.js';
import { LabEvents } from './lab-events.js';
import { PbxAssembly } from './pbx-assembly.js';
import { wirePbxEvents } from './pbx-events.js';
import { LanNetwork } from './lan-network.js';

/** The protocol log's user for the provider's own changes to a PBX (the service-network entry when a contract ends or resumes). */
export const PROVIDER_ACTOR = 'provider';

/** The control socket of a running lab, in its state directory; `hicom-sim pbx reload` talks to it. */
export function labControlPath(stateDir: string): string {
  return join(resolve(stateDir), 'switches.sock');
}

/**
 * Unix socket paths are limited (108 bytes on Linux, with the NUL); a lab
 * whose state directory is deeper runs without its control socket.
 */
const MAX_SOCKET_PATH = 107;

/** An external modem of the lab; `provider` is undefined in memory mode (the slot is plugged in-process). */
export type LabModem = ModemParts;

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
  /** The in-process centre's database (default: SQLite in `centreDir`). */
  centreDb?: DatabaseLocation;
  /** Where the default SQLite database lives (default: <stateDir>/centre, file centre.db). */
  centreDir?: string;
  /** Where LAN teleservice runs in files mode: 'auto' (default) namespaces where possible, else loopback; 'loopback' always. */
  lanMode?: 'auto' | 'loopback';
  /** fsync each commit of the centre's SQLite database (default true; throwaway test and benchmark directories turn it off). */
  centreFsync?: boolean;
  /** Write every data call into this capture (`--trace`, docs/traces.md); calls are named after `traceLabel`. */
  trace?: CallTrace;
  traceLabel?: string;
}

/**
 * Builds and runs a whole lab from a LabConfig: the network with its test
 * lines, every PBX (state directory, FMC, IMOD, admin ports) and every
 * external modem bound to its serial port, pty or TCP listener.
 */
export class Lab {
  readonly clock: Clock;
  readonly exchange: Exchange;
  readonly pbxs = new Map<string, PbxAssembly>();
  readonly modems = new Map<string, LabModem>();
  /** Key depots (config `depots`). */
  readonly depots = new Map<string, DepotAssembly>();
  /** In memory mode: the in-process UDP network the depots and LAN options check in on (a scenario's centre binds here). */
  readonly datagrams: MemoryDatagramNetwork | undefined;
  readonly testLines: TestLineNumbers;
  /** Bridge mode's way out to real TCP hosts (docs/bridge.md); not in memory mode, which opens no sockets. */
  readonly gateway: InternetGateway | undefined;
  /** The in-process centre (memory mode with `config.centre`). */
  centre: Centre | undefined;
  /** The centre as a service (config `centre.udp`, files mode): intake, supervision, API and portal. */
  centreService: LabCentreService | undefined;
  /** The in-process centre's database, and its reports as stored. */
  centreDatabase: CentreDatabase | undefined;
  centreReports: ReportArchive | undefined;
  /** Everything that happens in the lab, as typed events (src/lab/lab-events.ts). */
  readonly events: LabEvents;
  /** The provider network and the customer LANs of PBXs with LAN teleservice; undefined when none has it. */
  lanNetwork: LanNetwork | undefined;
  readonly #logger: Logger;
  #control: ControlSocket | undefined;
  readonly #options: LabOptions;
  /** Faults injected per line, re-applied to a PBX's ports when it powers up again. */
  readonly #injected = new Map<string, Partial<FaultPlan>>();
  /** Devices other families add (key depots), beside the PBXs, stations and modems. */
  readonly #extraDevices = new Map<string, LabDevice>();
  /** Work the lab started by itself that is still running (a restart after a torn write). */
  readonly #work = new Set<Promise<void>>();

  private constructor(readonly config: LabConfig, options: LabOptions) {
    this.clock = options.clock;
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
    this.events = new LabEvents(() => this.clock.now());
    const netLog = this.#logger.child({ component: 'network' });
    this.exchange = new Exchange(this.clock, {
      pacing: config.pacing,
      onCallEvent: (e) => {
        if (netLog.isLevelEnabled('info')) netLog.info({ call: e.id, caller: e.caller, called: e.called, state: e.state, reason: e.reason }, 'call');
        if (this.events.listened) this.#callEvent(e);
      },
      callEventsWanted: () => this.events.listened || netLog.isLevelEnabled('info'),
      onFaultApplied: (e) => this.events.emit('fault.applied', e),
      ...(options.trace ? { onLineBytes: options.trace.recorder(options.traceLabel ?? '', () => this.clock.now()) } : {}),
    });
    this.testLines = installTestLines(this.exchange, config.testLines);
    if (options.mode !== 'memory') {
      const logger = this.#logger.child({ component: 'bridge' });
      this.gateway = new InternetGateway({ connector: tcpConnector({ rateBps: config.bridge.rate, logger }), phoneBook: config.bridge.phoneBook, rateBps: config.bridge.rate });
      this.gateway.attach(this.exchange);
    }
    this.datagrams = options.mode === 'memory' ? new MemoryDatagramNetwork(this.clock) : undefined;
  }

  #callEvent(e: CallEvent): void {
    const data = { call: e.id, caller: e.caller, called: e.called };
    switch (e.state) {
      case CallState.Setup: return this.events.emit('call.setup', data);
      case CallState.Alerting: return this.events.emit('call.alerting', data);
      case CallState.Handshake: return this.events.emit('call.answered', data);
      case CallState.Connected: return this.events.emit('call.connected', data);
      default: return this.events.emit('call.released', { ...data, outcome: e.reason ?? 'end-a', connected: e.state === CallState.Released });
    }
  }

  static async start(config: LabConfig, options: LabOptions): Promise<Lab> {
    const lab = new Lab(config, options);
    try {
      const runCentre = config.centre !== undefined && options.runCentre !== false;
      // The service first: it makes the keys of the lab's devices that check in with it.
      if (runCentre && config.centre?.udp && options.mode !== 'memory') await lab.#startCentreService(config.centre.udp, config.centre.http);
      if (config.pbxs.some((p) => p.lan?.teleservice)) {
        lab.lanNetwork = await LanNetwork.start({ mode: options.mode === 'memory' ? 'memory' : options.lanMode ?? 'auto', logger: lab.#logger.child({ component: 'lan' }) });
        lab.#logger.info({ mode: lab.lanNetwork.mode }, lab.lanNetwork.describe());
      }
      for (const entry of config.pbxs) {
        if (!entry.lan) await lab.centreService?.supervisedByReports(entry.id);
        await lab.#startPbx(entry.lan ? { ...entry, lan: await lab.#keyed(entry.id, 'pbx', entry.lan, entry.lan.interval * 60) } : entry);
      }
      for (const entry of config.modems) await lab.#startModem(entry, options.mode !== 'memory');
      for (const entry of config.depots) await lab.#startDepot(await lab.#keyed(entry.id, 'key-depot', entry, entry.interval));
      for (const [target, spec] of Object.entries(config.faults ?? {})) lab.setFault(target, spec);
      if (runCentre && config.centre) await lab.#startCentre(config.centre.modem, options);
      if (options.mode !== 'memory') await lab.#openControl();
    } catch (err) {
      await lab.close();
      throw err;
    }
    return lab;
  }

  async #startPbx(entry: PbxEntry): Promise<PbxAssembly> {
    const assembly = await PbxAssembly.start(entry, {
      clock: this.clock,
      exchange: this.exchange,
      logger: this.#logger.child({ component: 'pbx', pbx: entry.id }),
      stateDir: join(this.config.stateDir, entry.id),
      onDisk: this.#options.mode !== 'memory',
      hashCost: this.#options.hashCost,
      onLogEntry: (e) => this.events.emit('log.entry', { pbx: entry.id, seq: e.seq, user: e.user, circle: e.circle, format: e.format, command: e.command }),
      lan: { datagrams: this.datagrams, onReport: (r) => this.#checkInEvent(entry.id, r) },
      serviceNetwork: this.lanNetwork?.serviceNetwork,
    });
    wirePbxEvents(assembly, this.events);
    this.pbxs.set(entry.id, assembly);
    const teleservice = entry.lan?.teleservice;
    if (teleservice && this.lanNetwork && !this.lanNetwork.customer(entry.id)) {
      // The customer LAN outlives a restart of its PBX: connections go to whichever assembly is running.
      const onDisk = this.#options.mode !== 'memory';
      await this.lanNetwork.addCustomer(entry.id, {
        port: teleservice.port,
        ...(onDisk ? { linkFile: join(this.config.stateDir, entry.id, 'lan-link.json'), socketDir: join(this.config.stateDir, entry.id) } : {}),
      }, (line, source) => {
        const current = this.pbxs.get(entry.id);
        const admitted = current?.acceptLan(line, source) ?? false;
        if (!current) line.close();
        this.events.emit('lan.connection', { pbx: entry.id, source, admitted });
      });
    }
    return assembly;
  }

  /**
   * Disconnect (`up` false) or join again the provider network's link to
   * PBX `id`'s customer LAN (spec §5.4: the provider disconnects its network
   * part when the contract ends). Throws for a PBX without LAN teleservice.
   */
  async setProviderLink(id: string, up: boolean): Promise<string> {
    const lan = this.lanNetwork?.customer(id);
    const assembly = this.pbxs.get(id);
    if (!lan || !assembly || !this.lanNetwork) throw new Error(`PBX ${id} has no LAN teleservice in this lab`);
    await lan.setLink(up);
    // The PBX's side of it: its service-network entry revoked (or given back), a logged change by the provider as for a technician.
    const serviceNetwork = up ? this.config.pbxs.find((p) => p.id === id)?.lan?.teleservice?.serviceNetwork ?? this.lanNetwork.serviceNetwork : '';
    const changed = assembly.setKds(PROVIDER_ACTOR, 'lan.service-network', serviceNetwork);
    if (!changed.ok) throw new Error(`PBX ${id}: lan.service-network: ${changed.error}`);
    this.#logger.child({ component: 'lan' }).warn({ pbx: id, up }, up ? 'provider network joined to the customer LAN again' : 'provider network disconnected from the customer LAN');
    this.events.emit('lan.link', { pbx: id, up });
    return lan.describe();
  }

  async #startDepot(entry: DepotEntry): Promise<void> {
    const depot = await DepotAssembly.start(entry, {
      clock: this.clock,
      logger: this.#logger.child({ component: 'depot', depot: entry.id }),
      stateDir: join(this.config.stateDir, entry.id),
      onDisk: this.#options.mode !== 'memory',
      datagrams: this.datagrams,
      onReport: (r) => this.#checkInEvent(entry.id, r),
    });
    this.depots.set(entry.id, depot);
    this.addDevice(depot.device());
  }

  /** A device's check-in as lab events (docs/control.md `checkin.*`). */
  #checkInEvent(device: string, r: CheckInReport): void {
    if (r.type === 'ack') this.events.emit('checkin.acked', { device, counter: r.counter, accepted: r.accepted });
    else if (r.type === 'nak') this.events.emit('checkin.rejected', { device, reason: r.reason });
    else if (r.type === 'timeout') this.events.emit('checkin.unanswered', { device, counter: r.counter });
  }

  async #openControl(): Promise<void> {
    const path = labControlPath(this.config.stateDir);
    if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
      this.#logger.warn({ path }, 'no control socket: the state directory path is too long for a Unix socket; "hicom-sim pbx reload" cannot reach this lab');
      return;
    }
    mkdirSync(this.config.stateDir, { recursive: true, mode: 0o700 });
    this.#control = await ControlSocket.listen(path, (words) => this.#onControl(words));
  }

  async #onControl(words: string[]): Promise<ControlReply> {
    const [verb, id, ...rest] = words;
    const usage = 'usage: reload <pbx id> | link-down <pbx id> | link-up <pbx id> | link-show <pbx id> | lan-route <pbx id>';
    if (!['reload', 'link-down', 'link-up', 'link-show', 'lan-route'].includes(verb ?? '') || id === undefined || rest.length > 0) return { ok: false, code: 400, text: usage };
    if (!this.pbxs.has(id)) return { ok: false, code: 404, text: `no PBX ${id} in this lab (${[...this.pbxs.keys()].join(', ')})` };
    if (verb !== 'reload') {
      const lan = this.lanNetwork?.customer(id);
      if (!lan) return { ok: false, code: 404, text: `PBX ${id} has no LAN teleservice in this lab` };
      if (verb === 'link-show') return { ok: true, text: lan.describe() };
      // Where the provider's side reaches the PBX: what a reachability probe needs (maintenance verify-deactivated).
      if (verb === 'lan-route') return { ok: true, text: JSON.stringify({ address: lan.address, port: lan.port, route: lan.route, linkUp: lan.linkUp, mode: this.lanNetwork?.mode }) };
      try {
        return { ok: true, text: await this.setProviderLink(id, verb === 'link-up') };
      } catch (err) {
        return { ok: false, code: 500, text: (err as Error).message };
      }
    }
    const dropped = this.reload(id);
    return { ok: true, text: `PBX ${id} reloaded: delivered database (SERVICE with its default password, AMHOST, PIN default), system restarted, ${dropped} sessions dropped` };
  }

  /** Press the reload switch of PBX `id` (PbxAssembly.reload); returns the sessions dropped. */
  reload(id: string): number {
    const assembly = this.pbxs.get(id);
    if (!assembly) throw new Error(`no PBX ${id} in this lab`);
    const dropped = assembly.reload();
    this.events.emit('pbx.reloaded', { pbx: id, sessionsDropped: dropped });
    return dropped;
  }

  async #startModem(entry: ModemEntry, bind: boolean): Promise<void> {
    // validateConfig refuses this; a LabConfig built in code must not lose the first modem's port either.
    if (this.modems.has(entry.name)) throw new Error(`modem ${entry.name} is configured twice`);
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
    const gateway = this.gateway;
    const listener = !bind || !entry.listen || !gateway ? undefined : await bindLine(
      entry.listen,
      (caller) => {
        log.info({ caller: caller.description }, 'bridge: TCP caller rings the modem');
        gateway.incoming(entry.number, caller);
      },
      { logger: log },
    );
    this.modems.set(entry.name, { entry, modem, slot, provider, ...(listener ? { listener } : {}) });
  }

  /** The centre's database, opened once for the service and the modem receiver. */
  async #centreDb(): Promise<CentreDatabase> {
    if (this.centreDatabase) return this.centreDatabase;
    const options = this.#options;
    const location = options.centreDb ?? { engine: 'sqlite', path: join(options.centreDir ?? join(this.config.stateDir, 'centre'), 'centre.db') };
    this.centreDatabase = await openDatabase(location, { logger: this.#logger, durable: options.centreFsync });
    return this.centreDatabase;
  }

  async #startCentreService(udp: string, http: string | undefined): Promise<void> {
    const db = await this.#centreDb();
    // Loaded only for a lab that runs the service: fastify and the portal cost a scenario or a memory lab nothing.
    const { LabCentreService } = await import('./lab-centre-service.js');
    this.centreService = await LabCentreService.start({ db, stateDir: this.config.stateDir, clock: this.clock, logger: this.#logger, udp, http, hashCost: this.#options.hashCost });
  }

  /**
   * A device entry as it starts: one without a key checks in with the lab's
   * own centre service (the configuration allows nothing else), which
   * registers it and gives its key and its real address (port 0 chosen).
   */
  async #keyed<T extends CheckInEntry>(id: string, kind: 'pbx' | 'key-depot', entry: T, intervalS: number): Promise<T> {
    if (entry.key !== undefined) return entry;
    const service = this.centreService;
    if (!service) throw new Error(`${id} has no check-in key: it is registered at the lab's own centre service (centre.udp), which ${this.#options.mode === 'memory' ? 'a lab in memory mode does not run' : '--no-centre leaves out'}; give key: or keyFile:`);
    return { ...entry, centre: formatDatagramAddress(service.udpAddress), key: await service.keyOf(id, kind, intervalS) };
  }

  async #startCentre(modemName: string, options: LabOptions): Promise<void> {
    const modem = this.modems.get(modemName);
    if (!modem) throw new Error(`centre: no modem named ${modemName}`);
    const db = await this.#centreDb();
    this.centreReports = new ReportArchive(db);
    this.centre = new Centre(this.clock, new DatabaseReportStore(db, { logger: this.#logger }), this.#logger);
    this.centre.onEvent((e, receiver) => {
      if (e.type === 'stored') this.events.emit('report.stored', { pbx: e.systemId, seq: e.seq, records: e.records, duplicate: e.duplicate, modem: receiver.name });
      if (e.type === 'nak') this.events.emit('report.nak', { pbx: e.systemId ?? null, reason: e.reason, modem: receiver.name });
    });
    this.centre.attachSlot(modem.slot, modemName);
  }

  /**
   * Inject a network fault (config `faults:`, `hicom-sim lab --fault`):
   * `target` is a public number or `pbxId:internal`, `spec` the textual
   * form of docs/network.md. Throws FaultSpecError / NumberingError with a
   * clear message for a bad spec or an unknown line.
   */
  setFault(target: string, spec: string | Partial<FaultPlan>): Readonly<FaultPlan> {
    const plan = typeof spec === 'string' ? parseFaultSpec(spec) : spec;
    this.exchange.setFaults(target, plan);
    this.#injected.set(target, { ...this.#injected.get(target), ...plan });
    this.#logger.child({ component: 'network' }).info({ target, spec }, 'fault injected');
    const now = this.exchange.faultsOf(target);
    this.events.emit('fault.set', { line: target, plan: now });
    return now;
  }

  /**
   * Cut a line once, as when a cable is pulled: its connected calls after
   * N more bytes or T from now, or (none connected) its next call. Returns
   * how many calls it acted on now; `fault.applied` tells when each is cut.
   */
  cutLine(target: string, how: LineCut): number {
    const calls = this.exchange.cut(target, how);
    this.#logger.child({ component: 'network' }).info({ target, ...how, calls }, 'line cut');
    return calls;
  }

  /** Remove every fault of a line (NumberingError for an unknown line). */
  clearFault(target: string): void {
    this.exchange.clearFaults(target);
    this.#injected.delete(target);
    this.#logger.child({ component: 'network' }).info({ target }, 'faults cleared');
    this.events.emit('fault.cleared', { line: target });
  }

  /**
   * Power-cycle a PBX. On disk the whole assembly goes down (calls dropped,
   * admin ports closed, FMC closed) and comes up again from its state
   * directory and FMC image, as after a real power cut; in memory the RAM
   * state goes (pending callback, retry counters, calls) and the firmware
   * starts again. With `tornWrite` the power fails during the PBX's next
   * FMC write, after that many bytes of it, and the restart follows then.
   */
  async powerCycle(id: string, options: PowerCycleOptions = {}): Promise<PowerCycleResult> {
    const assembly = this.pbxs.get(id);
    if (!assembly) throw new Error(`no PBX ${id}`);
    if (options.tornWrite) {
      if (!assembly.fmc) throw new Error(`PBX ${id} has no FMC image to tear a write on (no card, or the lab runs in memory)`);
      // The cut happens deep inside a write; the restart runs once that call has unwound.
      assembly.fmc.arm(options.tornWrite.afterBytes, () => this.#track(Promise.resolve().then(() => this.#restart(assembly, true))));
      return { armed: true };
    }
    await this.#restart(assembly, false);
    return { restarted: true };
  }

  #track(work: Promise<void>): void {
    const done = work.catch((err: unknown) => this.#logger.error({ err: (err as Error).message }, 'lab work failed')).finally(() => this.#work.delete(done));
    this.#work.add(done);
  }

  /** Whether work the lab started by itself is still running. */
  get busy(): boolean {
    return this.#work.size > 0;
  }

  /** Resolves when the work the lab started by itself is done (a virtual-time driver waits for it before moving on). */
  async settled(): Promise<void> {
    while (this.#work.size) await Promise.all([...this.#work]);
  }

  async #restart(old: PbxAssembly, tornWrite: boolean): Promise<void> {
    const id = old.entry.id;
    if (this.pbxs.get(id) !== old) return;
    if (!old.state) {
      old.stop();
      old.pbx.start();
      old.signaling.start();
      old.lan?.start();
    } else {
      old.stop();
      this.exchange.removePbx(id);
      await old.close();
      const fresh = await this.#startPbx(old.entry);
      for (const [line, plan] of this.#injected) if (line.startsWith(`${id}:`) && fresh.node.ports.has(line.slice(id.length + 1))) this.exchange.setFaults(line, plan);
    }
    this.events.emit('pbx.restarted', { pbx: id, aps: this.pbxs.get(id)?.pbx.apsVersion ?? old.pbx.apsVersion, tornWrite });
  }

  /** Every device of the lab: PBXs, their stations, the modems, then added families (key depots). */
  devices(): LabDevice[] {
    const out: LabDevice[] = [];
    for (const assembly of this.pbxs.values()) {
      out.push(pbxDevice(assembly, (options) => this.powerCycle(assembly.entry.id, options)));
      for (const station of assembly.stations()) out.push(stationDevice(assembly, station));
    }
    for (const m of this.modems.values()) out.push(modemDevice(m));
    out.push(...this.#extraDevices.values());
    return out;
  }

  /** Add a device of another family (a key depot) so rigs reach it through `device.*`. */
  addDevice(device: LabDevice): void {
    if (this.devices().some((d) => d.id === device.id)) throw new Error(`the lab already has a device ${device.id}`);
    const cycle = device.powerCycle;
    // Its power cycles are lab events like a PBX's, whoever presses the switch.
    const observed: LabDevice = !cycle ? device : {
      ...device,
      powerCycle: async (options) => {
        const r = await cycle(options);
        if ('restarted' in r) this.events.emit('device.restarted', { device: device.id, kind: device.kind });
        return r;
      },
    };
    this.#extraDevices.set(device.id, observed);
  }

  /** Human-readable lines: where to connect and what to dial. */
  describe(): string[] {
    const out: string[] = [];
    for (const { entry, pbx, adminPorts, keypadLines } of this.pbxs.values()) {
      const trunk = entry.trunks[0] ?? '';
      const did = pbx.kds.get('modem.imod.did');
      out.push(`PBX ${entry.id} (${entry.type}${entry.variant === 'octopus-e' ? `, ${VARIANT_NAME[entry.variant]}: chip card login` : ''}, APS ${pbx.apsVersion})${pbx.log.available ? '' : ' — no FMC, no protocol log'}`);
      adminPorts.forEach((p, i) => out.push(`  admin port: ${p.description}${entry.adminPorts[i].station ? ` (Assistant T, station ${entry.adminPorts[i].station})` : ' (V.24 service port)'}`));
      keypadLines.forEach((p, i) => out.push(`  station ${entry.keypads[i].station} keypad and display: ${p.description}`));
      out.push(`  IMOD: internal ${pbx.kds.get('modem.imod.number')}, dial ${did ? `${trunk}${did}` : '(no DID: internal only)'}`);
      out.push(`  DTMF remote admin: dial ${trunk}${DTMF_ADMIN_NUMBER} (voice), then ${ENABLE_CODE} + password + #`);
      const x75Did = pbx.kds.get('modem.x75.did');
      out.push(`  X.75 modem: internal ${pbx.kds.get('modem.x75.number')}, dial ${x75Did ? `${trunk}${x75Did}` : '(no DID: internal only)'} (AT+BX75)`);
      if (entry.lan) out.push(`  LAN option: checks in with ${entry.lan.centre} every ${pbx.kds.get('lan.interval')} min`);
      const lan = this.lanNetwork?.customer(entry.id);
      if (lan) out.push(`  ${lan.describe()}; service network ${pbx.kds.get('lan.service-network') || '(none)'}`);
    }
    if (this.lanNetwork) out.push(this.lanNetwork.describe());
    for (const d of this.depots.values()) out.push(...d.describe());
    for (const { entry, provider, listener } of this.modems.values()) {
      out.push(`modem ${entry.name} (${entry.profile}, number ${entry.number}): ${provider?.description ?? 'in-process'}${listener ? `; TCP callers ring it on ${listener.description}` : ''}`);
    }
    if (this.gateway && Object.keys(this.config.bridge.phoneBook).length > 0) {
      out.push(`bridge: ${Object.entries(this.config.bridge.phoneBook).map(([k, v]) => `${k} → ${v}`).join(', ')} (CONNECT ${this.gateway.rateBps})`);
    }
    if (this.centre && this.config.centre) out.push(`centre: receiving error reports on modem ${this.config.centre.modem} (number ${this.modems.get(this.config.centre.modem)?.entry.number}), reports into ${this.centreDatabase?.description}`);
    if (this.centreService) out.push(...this.centreService.describe());
    out.push(`test lines: echo ${this.testLines.echo}, busy ${this.testLines.busy}, no answer ${this.testLines.noAnswer}; any unassigned number is unobtainable`);
    return out;
  }

  async close(reason = 'closed'): Promise<void> {
    this.events.emit('lab.stopping', { reason });
    await this.#control?.close();
    this.centre?.close();
    await this.centreService?.close();
    await this.centreDatabase?.close();
    for (const p of this.pbxs.values()) p.stop();
    for (const m of this.modems.values()) {
      await m.listener?.close();
      await m.provider?.close();
    }
    for (const p of this.pbxs.values()) await p.close();
    for (const d of this.depots.values()) await d.close();
    await this.lanNetwork?.close();
  }
}
