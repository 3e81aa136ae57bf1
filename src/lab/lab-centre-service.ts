import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../core/clock.js';
import { formatDatagramAddress, parseBindAddress, type DatagramAddress } from '../../core/datagram-port.js';
import type { DeviceKind } from '../../core/device-kind.js';
import { cryptoRandom } from '../adapters/crypto-random.js';
import { UdpDatagramPort } from '../adapters/udp-datagram-port.js';
import type { CentreDatabase } from '../database/centre-database.js';
import { DeviceRegistry, type DeviceSettings } from '../database/device-registry.js';
import type { EventBus } from '../database/event-bus.js';
import { openEventBus } from '../database/open-event-bus.js';
import type { Logger } from '../logger.js';
import { API_PREFIX } from '../service/api-prefix.js';
import { buildCentreService } from '../service/centre-service.js';
import { MasterKey } from '../storage/master-key.js';

export interface LabCentreServiceOptions {
  db: CentreDatabase;
  /** The lab's state directory: the master key lives there, as for `centre serve -s DIR`. */
  stateDir: string;
  clock: Clock;
  logger: Logger;
  /** HOST:PORT of the UDP intake (port 0: a free one). */
  udp: string;
  /** HOST:PORT of the JSON API and the portal; none: no HTTP side. Plain HTTP, so loopback only. */
  http?: string;
  /** Lower scrypt cost (tests only). */
  hashCost?: number;
}

/** Who registers the lab's own devices, in the audit trail. */
const LAB_ACTOR = { actor: 'lab' };

/**
 * The centre service of a lab (config `centre.udp`, `centre.http`): what
 * `hicom-sim centre serve` runs — UDP intake, supervision, the JSON API and
 * the portal — in the lab's process, on the lab's clock and the database the
 * lab's modem receiver writes into. The lab's devices without a key are
 * registered here on first start (the key is made and sealed under the
 * master key) and read back on every later start, so `npm start` checks in
 * out of the box and `hicom-sim centre … -s <state>` sees the same centre.
 */
export class LabCentreService {
  /** Where the intake listens (the port the system chose for port 0). */
  readonly udpAddress: DatagramAddress;
  /** The API's origin, e.g. `http://127.0.0.1:7301`. */
  httpOrigin: string | undefined;
  readonly #registered: string[] = [];

  private constructor(
    readonly app: FastifyInstance,
    readonly registry: DeviceRegistry,
    readonly bus: EventBus,
    readonly udp: UdpDatagramPort,
    readonly db: CentreDatabase,
  ) {
    this.udpAddress = udp.address;
  }

  static async start(o: LabCentreServiceOptions): Promise<LabCentreService> {
    const logger = o.logger;
    const httpAddress = o.http === undefined ? undefined : parseBindAddress(o.http);
    if (httpAddress && !isLoopbackHost(httpAddress.host)) throw new Error(`centre.http ${o.http}: the lab serves plain HTTP, so only on loopback; run "hicom-sim centre serve --tls-cert … --tls-key …" for HTTPS elsewhere`);
    const registry = await DeviceRegistry.open(o.db, MasterKey.load(o.stateDir), o.clock);
    const bus = await openEventBus(o.db, o.clock, logger);
    const closeBus = (): Promise<void> => bus.close().catch(() => undefined);
    const udp = await UdpDatagramPort.open({ ...parseBindAddress(o.udp), logger, receiveBufferBytes: 8 << 20 }).catch(async (err: Error) => {
      await closeBus();
      throw new Error(`centre.udp ${o.udp}: ${err.message}`);
    });
    // The portal loads only for a lab with an HTTP side.
    const portal = httpAddress ? (await import('../portal/portal-plugin.js')).createPortal({ db: o.db, clock: o.clock, secure: false, hashCost: o.hashCost }) : undefined;
    const app = await buildCentreService({
      db: o.db,
      registry,
      bus,
      clock: o.clock,
      logger,
      intake: { port: udp, random: cryptoRandom },
      authenticators: portal ? [portal.authenticator] : [],
      plugins: portal ? [{ plugin: portal.plugin }] : [],
      // No HTTP side, no API to compile (as centre serve --no-http).
      api: httpAddress !== undefined,
      hashCost: o.hashCost,
    });
    const service = new LabCentreService(app, registry, bus, udp, o.db);
    try {
      await app.ready();
      if (httpAddress) {
        await app.listen({ host: httpAddress.host, port: httpAddress.port }).catch((err: NodeJS.ErrnoException) => {
          throw new Error(`centre.http ${o.http}: ${err.code === 'EADDRINUSE' ? 'address already in use' : err.message}`);
        });
        const a = app.server.address();
        const port = typeof a === 'object' && a ? a.port : httpAddress.port;
        service.httpOrigin = `http://${httpAddress.host.includes(':') ? `[${httpAddress.host}]` : httpAddress.host}:${port}`;
      }
    } catch (err) {
      await service.close();
      throw err;
    }
    return service;
  }

  /**
   * The key (base64) of a lab device that checks in here: registered with
   * its kind and interval on first sight, read back from the database after.
   */
  async keyOf(id: string, kind: DeviceKind, intervalS: number): Promise<string> {
    const known = await this.registry.get(id);
    if (known && known.kind !== kind) throw new Error(`${id} is registered at the lab's centre as a ${known.kind}, not a ${kind}: remove it there (hicom-sim centre device remove ${id}) or rename the device`);
    const key = known ? await this.registry.key(id) : (await this.registry.add(id, kind, { checkInIntervalMs: intervalS * 1000 } satisfies Partial<DeviceSettings>, LAB_ACTOR)).key;
    if (!key) throw new Error(`${id} vanished from the lab's centre while it started`);
    if (!this.#registered.includes(id)) this.#registered.push(id);
    return key.toString('base64');
  }

  /**
   * A lab PBX without the LAN option: registered on first sight to be
   * supervised by its reports by modem (it never checks in over UDP, so a
   * check-in interval would make it late within 90 s); left as it is after.
   */
  async supervisedByReports(id: string): Promise<void> {
    const known = await this.registry.get(id);
    if (known && known.kind !== 'pbx') throw new Error(`${id} is registered at the lab's centre as a ${known.kind}, not a PBX: remove it there (hicom-sim centre device remove ${id}) or rename the device`);
    if (!known) await this.registry.add(id, 'pbx', { supervise: 'reports' } satisfies Partial<DeviceSettings>, LAB_ACTOR);
    if (!this.#registered.includes(id)) this.#registered.push(id);
  }

  /** Lines for the lab's banner: where the service is and what checks in. */
  describe(): string[] {
    const out = [`centre service: UDP intake ${formatDatagramAddress(this.udpAddress)}, database ${this.db.description}, supervision on`];
    if (this.httpOrigin) out.push(`  JSON API: ${this.httpOrigin}${API_PREFIX} (OpenAPI at ${API_PREFIX}/openapi.json); portal: ${this.httpOrigin}/`);
    if (this.#registered.length) out.push(`  registered lab devices: ${this.#registered.join(', ')}`);
    out.push(`  tokens and people: hicom-sim centre token add NAME --rights read / centre person add NAME --role manager, with -s and the lab's state directory`);
    return out;
  }

  async close(): Promise<void> {
    await this.app.close();
    this.udp.close();
    await this.bus.close().catch(() => undefined);
  }
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || /^127\./.test(host) || host === '::1';
}
