import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LineEndpoint } from '../../core/line-endpoint.js';
import { IpCommandError, ipCommand, listNamespaces } from '../adapters/ip-command.js';
import { LanConnectError, providerRouteText, type ProviderRoute } from '../adapters/lan-connect.js';
import { HeldLine } from '../adapters/held-line.js';
import { createLinePair } from '../adapters/line-pair.js';
import { RelayedConnections } from '../adapters/relayed-connections.js';
import { StreamLine } from '../adapters/stream-line.js';
import { silentLogger, type Logger } from '../logger.js';

/**
 * Where the lab's customer LANs and the provider's network are (docs/lan-teleservice.md):
 * - `netns`: real network namespaces — one for the provider's network, one
 *   per customer LAN, joined by a veth pair each — so reachability, refusal
 *   and the ping of a deactivation check are the kernel's;
 * - `loopback`: the same addresses' roles on 127.0.0.x where namespaces
 *   cannot be made (no root, a container without the right);
 * - `memory`: in-process lines, for scenarios and benchmarks in virtual time.
 */
export type LanMode = 'netns' | 'loopback' | 'memory';

/** The provider network of the namespaces: its host address, and the service network a PBX admits. */
export const NETNS_PROVIDER_ADDRESS = '172.30.0.1';
export const NETNS_SERVICE_NETWORK = '172.30.0.0/24';
/** Loopback stand-ins: the provider's address, and the customer LANs' PBXs from 127.0.0.10 on. */
export const LOOPBACK_PROVIDER_ADDRESS = '127.0.0.2';
export const LOOPBACK_SERVICE_NETWORK = '127.0.0.2/32';
const LOOPBACK_FIRST_PBX = 10;
/** The teleservice port when the configuration names none. */
export const DEFAULT_TELESERVICE_PORT = 2300;
/** Namespace names carry the lab's pid, so a lab can tell its own leftovers from a running lab's. */
const NAMESPACE_PREFIX = 'hcs';
/** How long a relay child may take to start and bind. */
const RELAY_START_MS = 15_000;

/** What a customer LAN hands the lab: each connection to the PBX's teleservice port, with its source address. */
export type LanConnectionHandler = (line: LineEndpoint, source: string) => void;

/** One customer LAN with its PBX: the PBX's address and port, and the provider link that joins it to the provider network. */
export interface CustomerLan {
  readonly pbxId: string;
  /** The PBX's address on its LAN. */
  readonly address: string;
  /** The bound teleservice port. */
  readonly port: number;
  /** How the provider's side reaches it (lan-connect.ts). */
  readonly route: ProviderRoute;
  /** The provider link: up joins the provider network to this LAN, down disconnects it. */
  readonly linkUp: boolean;
  setLink(up: boolean): Promise<void>;
  /** One line for the lab's banner. */
  describe(): string;
  close(): Promise<void>;
}

export interface LanNetworkOptions {
  /** 'memory' for in-process labs; 'auto': namespaces when the machine allows them, loopback else; 'loopback' even where namespaces would work. */
  mode: 'auto' | 'loopback' | 'memory';
  logger?: Logger;
}

/**
 * The lab's provider network and its customer LANs. The lab adds one
 * customer LAN per PBX with LAN teleservice; each forwards the connections
 * its PBX's port takes to the lab with the source address it saw. Namespaces
 * are cleaned up at close, by a janitor that outlives a killed lab, and at
 * the next start of any lab (leftovers of a lab whose pid is gone).
 */
export class LanNetwork {
  readonly #customers = new Map<string, CustomerLan>();
  readonly #log: Logger;
  #janitor: ChildProcess | undefined;

  private constructor(readonly mode: LanMode, readonly why: string, logger: Logger, readonly namespace?: string) {
    this.#log = logger;
  }

  static async start(options: LanNetworkOptions): Promise<LanNetwork> {
    const logger = options.logger ?? silentLogger;
    if (options.mode === 'memory') return new LanNetwork('memory', 'in-process lines', logger);
    if (options.mode === 'loopback') return new LanNetwork('loopback', 'loopback addresses asked for', logger);
    removeLeftovers(logger);
    const namespace = `${NAMESPACE_PREFIX}${process.pid}-prov`;
    try {
      ipCommand(['netns', 'add', namespace]);
    } catch (err) {
      const why = err instanceof IpCommandError ? err.message : String(err);
      return new LanNetwork('loopback', `network namespaces unavailable (${why})`, logger);
    }
    const net = new LanNetwork('netns', `network namespace ${namespace} for the provider network`, logger, namespace);
    net.#startJanitor();
    try {
      ipCommand(['-n', namespace, 'link', 'set', 'lo', 'up']);
      ipCommand(['-n', namespace, 'addr', 'add', `${NETNS_PROVIDER_ADDRESS}/32`, 'dev', 'lo']);
      // `ip netns exec` must work too (it remounts /sys): a container may allow `add` but not that.
      const probe = tryIp(['netns', 'exec', namespace, 'true']);
      if (!probe.ok) throw new IpCommandError(`ip netns exec: ${probe.error}`);
    } catch (err) {
      await net.close();
      return new LanNetwork('loopback', `network namespaces unusable (${(err as Error).message})`, logger);
    }
    return net;
  }

  /** The provider's own address and the service network a PBX of this lab admits by default. */
  get providerAddress(): string {
    return this.mode === 'loopback' ? LOOPBACK_PROVIDER_ADDRESS : NETNS_PROVIDER_ADDRESS;
  }

  get serviceNetwork(): string {
    return this.mode === 'loopback' ? LOOPBACK_SERVICE_NETWORK : NETNS_SERVICE_NETWORK;
  }

  /** The sentence the lab prints once at start. */
  describe(): string {
    if (this.mode === 'netns') return `LAN teleservice: real network namespaces — provider network ${this.namespace} (${NETNS_PROVIDER_ADDRESS}, service network ${NETNS_SERVICE_NETWORK}), one namespace per customer LAN, joined by veth pairs`;
    if (this.mode === 'loopback') return `LAN teleservice: ${this.why}; the same behaviour over loopback addresses — provider ${LOOPBACK_PROVIDER_ADDRESS}, PBXs from 127.0.0.${LOOPBACK_FIRST_PBX} (no ping: loopback always answers)`;
    return 'LAN teleservice: in-process lines';
  }

  customer(pbxId: string): CustomerLan | undefined {
    return this.#customers.get(pbxId);
  }

  get customers(): CustomerLan[] {
    return [...this.#customers.values()];
  }

  /**
   * Add the customer LAN of PBX `pbxId`: its teleservice port (0: any free
   * one) forwards to `onConnection`. `linkFile` keeps the provider link's
   * state across restarts, so a deactivated LAN stays disconnected.
   */
  async addCustomer(pbxId: string, options: { port: number; linkFile?: string; socketDir?: string }, onConnection: LanConnectionHandler): Promise<CustomerLan> {
    if (this.#customers.has(pbxId)) throw new Error(`PBX ${pbxId} already has a customer LAN`);
    const index = this.#customers.size + 1;
    const linkUp = readLinkState(options.linkFile);
    let lan: CustomerLan;
    if (this.mode === 'memory') lan = new MemoryCustomerLan(pbxId, `192.168.${100 + index}.10`, options.port || DEFAULT_TELESERVICE_PORT, linkUp, onConnection);
    else if (this.mode === 'loopback') lan = await LoopbackCustomerLan.start(pbxId, `127.0.0.${LOOPBACK_FIRST_PBX + index - 1}`, options.port, linkUp, onConnection);
    else lan = await NamespaceCustomerLan.start(pbxId, index, this.namespace ?? '', options.port, linkUp, options.socketDir ?? '.', onConnection, this.#log);
    this.#customers.set(pbxId, options.linkFile ? persistedLink(lan, options.linkFile) : lan);
    return this.#customers.get(pbxId) as CustomerLan;
  }

  /** Memory mode: a connection from the provider side (or from `source`), as the centre's LAN connector opens it. */
  connect(address: string, port: number, source = NETNS_PROVIDER_ADDRESS): LineEndpoint {
    const lan = [...this.#customers.values()].find((c) => c.address === address && c.port === port);
    if (!(lan instanceof MemoryCustomerLan)) throw new LanConnectError(`${address}:${port}: no route to host`);
    return lan.connect(source);
  }

  async close(): Promise<void> {
    for (const c of this.#customers.values()) await c.close().catch(() => undefined);
    this.#customers.clear();
    if (this.mode !== 'netns') return;
    removeNamespaces(`${NAMESPACE_PREFIX}${process.pid}-`);
    this.#janitor?.stdin?.end();
    this.#janitor = undefined;
  }

  /**
   * A shell in its own process group that waits for its stdin to end — when
   * the lab closes or dies, however it dies — and then deletes this lab's
   * namespaces (deleting them deletes their veth ends and routes).
   */
  #startJanitor(): void {
    const prefix = `${NAMESPACE_PREFIX}${process.pid}-`;
    const script = `cat >/dev/null; for n in $(ip netns list | awk '{print $1}'); do case "$n" in ${prefix}*) ip netns del "$n" 2>/dev/null;; esac; done`;
    const child = spawn('sh', ['-c', script], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
    child.on('error', (err) => this.#log.warn({ err: err.message }, 'no namespace janitor: a killed lab may leave its namespaces behind'));
    child.unref();
    this.#janitor = child;
  }
}

/** Delete namespaces of labs that are no longer running (their pid is gone). */
function removeLeftovers(logger: Logger): void {
  for (const name of listNamespaces()) {
    const m = new RegExp(`^${NAMESPACE_PREFIX}(\\d+)-`).exec(name);
    if (!m || alive(Number(m[1]))) continue;
    try {
      ipCommand(['netns', 'del', name]);
      logger.info({ namespace: name }, 'removed a network namespace a stopped lab left behind');
    } catch {
      // Another lab removed it at the same moment.
    }
  }
}

function removeNamespaces(prefix: string): void {
  for (const name of listNamespaces()) {
    if (!name.startsWith(prefix)) continue;
    try {
      ipCommand(['netns', 'del', name]);
    } catch {
      // Already gone.
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryIp(args: string[]): { ok: true } | { ok: false; error: string } {
  try {
    ipCommand(args);
    return { ok: true };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

function readLinkState(file: string | undefined): boolean {
  if (!file || !existsSync(file)) return true;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { up?: unknown }).up !== false;
  } catch {
    return true;
  }
}

/** The same LAN, its link state written to `file` at every change. */
function persistedLink(lan: CustomerLan, file: string): CustomerLan {
  return {
    get pbxId() { return lan.pbxId; },
    get address() { return lan.address; },
    get port() { return lan.port; },
    get route() { return lan.route; },
    get linkUp() { return lan.linkUp; },
    async setLink(up) {
      await lan.setLink(up);
      mkdirSync(resolve(file, '..'), { recursive: true });
      writeFileSync(file, `${JSON.stringify({ up })}\n`);
    },
    describe: () => lan.describe(),
    close: () => lan.close(),
  };
}

function linkText(lan: CustomerLan): string {
  return lan.linkUp ? 'joined to the provider network' : 'DISCONNECTED from the provider network (deactivated)';
}

class MemoryCustomerLan implements CustomerLan {
  readonly route: ProviderRoute = { kind: 'direct' };
  constructor(readonly pbxId: string, readonly address: string, readonly port: number, public linkUp: boolean, private readonly onConnection: LanConnectionHandler) {}

  connect(source: string): LineEndpoint {
    if (!this.linkUp) throw new LanConnectError(`${this.address}:${this.port}: network is unreachable`);
    const pair = createLinePair(`lan ${source} → ${this.address}:${this.port}`);
    // The PBX greets (or refuses and closes) at once: held until the caller listens, as a socket would.
    const line = new HeldLine(pair.dte);
    this.onConnection(pair.dce, source);
    return line;
  }

  async setLink(up: boolean): Promise<void> {
    this.linkUp = up;
  }

  describe(): string {
    return `LAN teleservice ${this.address}:${this.port} (in-process), ${linkText(this)}`;
  }

  async close(): Promise<void> {}
}

/** Loopback stand-in: the PBX listens on its own 127.0.0.x; disconnecting the link stops that listener (connection refused). */
class LoopbackCustomerLan implements CustomerLan {
  readonly route: ProviderRoute = { kind: 'bind', address: LOOPBACK_PROVIDER_ADDRESS };
  #server: Server | undefined;
  #port: number;

  private constructor(readonly pbxId: string, readonly address: string, port: number, private readonly onConnection: LanConnectionHandler) {
    this.#port = port;
  }

  static async start(pbxId: string, address: string, port: number, up: boolean, onConnection: LanConnectionHandler): Promise<LoopbackCustomerLan> {
    const lan = new LoopbackCustomerLan(pbxId, address, port, onConnection);
    // Bound once even when the link starts down: the port is the PBX's and stays the same.
    await lan.#listen();
    if (!up) await lan.setLink(false);
    return lan;
  }

  get port(): number {
    return this.#port;
  }

  get linkUp(): boolean {
    return this.#server !== undefined;
  }

  #listen(): Promise<void> {
    const server = createServer((socket) => this.onConnection(new StreamLine(socket, `lan ${socket.remoteAddress}:${socket.remotePort}`), socket.remoteAddress ?? ''));
    return new Promise((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(this.#port, this.address, () => {
        server.off('error', reject);
        const a = server.address();
        if (typeof a === 'object' && a) this.#port = a.port;
        this.#server = server;
        resolveListen();
      });
    });
  }

  async setLink(up: boolean): Promise<void> {
    if (up && !this.#server) await this.#listen();
    if (!up && this.#server) {
      const server = this.#server;
      this.#server = undefined;
      await new Promise<void>((done) => server.close(() => done()));
    }
  }

  describe(): string {
    return `LAN teleservice ${this.address}:${this.port} (loopback; the provider connects from ${LOOPBACK_PROVIDER_ADDRESS}), ${linkText(this)}`;
  }

  async close(): Promise<void> {
    await this.setLink(false);
  }
}

/**
 * A customer LAN in its own network namespace: the PBX's address on its
 * loopback there, a relay child (lan-relay.ts) listening on it, and the
 * provider link — a veth pair into the provider's namespace with a route
 * each way. Disconnecting deletes the veth pair; the LAN and its PBX stay.
 */
class NamespaceCustomerLan implements CustomerLan {
  readonly route: ProviderRoute;
  #linkUp = false;
  #relay: ChildProcess | undefined;
  #connections: RelayedConnections | undefined;
  #port = 0;

  private constructor(readonly pbxId: string, readonly index: number, readonly namespace: string, readonly provider: string, private readonly log: Logger) {
    this.route = { kind: 'netns', namespace: provider };
  }

  get address(): string {
    return `192.168.${100 + this.index}.10`;
  }

  get port(): number {
    return this.#port;
  }

  get linkUp(): boolean {
    return this.#linkUp;
  }

  get #lanNet(): string {
    return `192.168.${100 + this.index}.0/24`;
  }

  static async start(pbxId: string, index: number, provider: string, port: number, up: boolean, socketDir: string, onConnection: LanConnectionHandler, log: Logger): Promise<NamespaceCustomerLan> {
    const namespace = `${provider.replace(/-prov$/, '')}-c${index}`;
    const lan = new NamespaceCustomerLan(pbxId, index, namespace, provider, log);
    ipCommand(['netns', 'add', namespace]);
    ipCommand(['-n', namespace, 'link', 'set', 'lo', 'up']);
    ipCommand(['-n', namespace, 'addr', 'add', `${lan.address}/32`, 'dev', 'lo']);
    mkdirSync(socketDir, { recursive: true });
    const socketPath = join(resolve(socketDir), 'lan-teleservice.sock');
    lan.#connections = await RelayedConnections.listen(socketPath, onConnection);
    await lan.#startRelay(port, socketPath);
    if (up) await lan.setLink(true);
    return lan;
  }

  async #startRelay(port: number, socketPath: string): Promise<void> {
    const cli = fileURLToPath(new URL('../../bin/hicom-sim.js', import.meta.url));
    const child = spawn('ip', ['netns', 'exec', this.namespace, process.execPath, cli, '--log-level', 'warn', 'lab-lan-relay', '--listen', `${this.address}:${port}`, '--socket', socketPath], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#relay = child;
    let err = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (t: string) => {
      err += t;
      this.log.warn({ pbx: this.pbxId, relay: t.trim() }, 'LAN relay');
    });
    this.#port = await new Promise<number>((resolvePort, reject) => {
      const timer = setTimeout(() => reject(new Error(`the LAN relay of ${this.pbxId} did not start within ${RELAY_START_MS} ms`)), RELAY_START_MS);
      let out = '';
      child.stdout?.setEncoding('utf8');
      child.stdout?.on('data', (t: string) => {
        out += t;
        const m = /listening \S+:(\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolvePort(Number(m[1]));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the LAN relay of ${this.pbxId} ended (exit ${code}): ${err.trim() || 'no message'}`));
      });
    });
  }

  async setLink(up: boolean): Promise<void> {
    const hp = `hp${this.index}`;
    const hc = `hc${this.index}`;
    if (up && !this.#linkUp) {
      ipCommand(['link', 'add', hp, 'netns', this.provider, 'type', 'veth', 'peer', 'name', hc, 'netns', this.namespace]);
      ipCommand(['-n', this.namespace, 'link', 'set', hc, 'up']);
      ipCommand(['-n', this.provider, 'link', 'set', hp, 'up']);
      ipCommand(['-n', this.provider, 'route', 'add', this.#lanNet, 'dev', hp, 'src', NETNS_PROVIDER_ADDRESS]);
      ipCommand(['-n', this.namespace, 'route', 'add', NETNS_SERVICE_NETWORK, 'dev', hc, 'src', this.address]);
    } else if (!up && this.#linkUp) {
      // Deleting one end deletes the pair, and the routes over it go with it.
      ipCommand(['-n', this.provider, 'link', 'del', hp]);
    }
    this.#linkUp = up;
  }

  describe(): string {
    return `LAN teleservice ${this.address}:${this.port} in customer LAN namespace ${this.namespace}, provider route ${providerRouteText(this.route)} over veth hp${this.index}–hc${this.index}, ${linkText(this)}`;
  }

  async close(): Promise<void> {
    this.#relay?.stdin?.end();
    this.#relay?.kill();
    this.#relay = undefined;
    await this.#connections?.close();
    this.#connections = undefined;
  }
}
