/**
 * A PBX with the LAN option on a bench in virtual time: set up through its
 * admin session as a technician would (`set lan.…`, `lan key`), on an
 * in-process UDP network with a §5.2 responder as its centre.
 */
import { SeededRandom } from '../../core/seeded-random.js';
import type { CheckInReport } from '../../firmware-sim/check-in-client.js';
import { LanCheckIn } from '../../firmware-sim/lan-check-in.js';
import type { Pbx } from '../../firmware-sim/pbx.js';
import { MemoryDatagramNetwork } from '../../src/adapters/memory-datagram-network.js';
import { CheckInResponder } from './check-in-responder.js';
import { pbxWithUsers } from './firmware-fixtures.js';
import type { AdminTerminal } from './pbx-harness.js';
import type { HarnessOptions } from './pbx-harness.js';

export const LAN_CENTRE = { host: '127.0.0.1', port: 4711 };

export class LanRig {
  readonly made: ReturnType<typeof pbxWithUsers>;
  readonly net: MemoryDatagramNetwork;
  readonly centre: CheckInResponder;
  readonly key = new SeededRandom(555).bytes(32);
  readonly reports: CheckInReport[] = [];
  lan!: LanCheckIn;

  constructor(options: HarnessOptions = {}) {
    this.made = pbxWithUsers([], options);
    this.net = new MemoryDatagramNetwork(this.made.clock, { latencyMs: 2 });
    this.centre = new CheckInResponder({ clock: this.made.clock, random: new SeededRandom(7) });
    this.centre.attach(this.net.bind(LAN_CENTRE.host, LAN_CENTRE.port));
    this.centre.addDevice(this.pbx.systemId, this.key);
  }

  get pbx(): Pbx {
    return this.made.pbx;
  }

  get serv(): AdminTerminal {
    return this.made.serv;
  }

  /** The technician's part: centre address, key (asked twice), on. */
  configure(keyBase64 = Buffer.from(this.key).toString('base64')): string[] {
    const statuses = [this.serv.cmd(`set lan.centre ${LAN_CENTRE.host}:${LAN_CENTRE.port}`).status];
    this.serv.cmd('lan key');
    this.serv.cmd(keyBase64);
    statuses.push(this.serv.cmd(keyBase64).status, this.serv.cmd('set lan.enabled yes').status);
    return statuses;
  }

  /** Power up the LAN option of the PBX (again, after a restart of the Pbx object). */
  startLan(pbx: Pbx = this.pbx): LanCheckIn {
    this.lan?.stop();
    this.lan = new LanCheckIn({ pbx, port: this.net.bind(), random: new SeededRandom(31 + this.reports.length), onReport: (r) => this.reports.push(r) });
    this.lan.start();
    return this.lan;
  }

  run(ms: number): void {
    this.made.clock.advance(ms);
  }
}
