import type { Clock } from '../../core/clock.js';
import type { MaintenanceStep } from '../../src/maintenance/maintenance-plan.js';
import type { ConnectResult, DeviceVisitor, StepResult, VisitChannel, VisitContext } from '../../src/maintenance/maintenance-runner.js';

/*
 * A fake DeviceVisitor for the runner's own rules (test/maintenance/): each
 * device says how long its steps take, which fail how often and until when
 * people are on it; nothing crosses a line. The real visitor is tested
 * against firmware PBXs elsewhere.
 */

/** A device as the fake visitor sees it: how long each step takes, what fails, who is logged in. */
export interface FakeDevice {
  channel: VisitChannel;
  stepMs: number;
  /** Steps that fail this many times before they work. */
  failures: Partial<Record<MaintenanceStep | 'connect', number>>;
  /** Busy (a technician logged in) until this time. */
  busyUntil: number;
  ran: string[];
}

export class FakeVisitor implements DeviceVisitor {
  readonly devices = new Map<string, FakeDevice>();
  openNow = 0;
  peak: Record<VisitChannel, number> = { lan: 0, modem: 0 };
  readonly #open: Record<VisitChannel, number> = { lan: 0, modem: 0 };

  /**
   * `refuse`: asked at every connect, before the device's own failures — what
   * stands in the way right now (people on the device: busy; a line or a
   * network that is down: a failed connect), or undefined.
   */
  constructor(private readonly clock: Clock, private readonly refuse?: (deviceId: string) => { busy: boolean; output: string } | undefined) {}

  add(id: string, over: Partial<FakeDevice> = {}): FakeDevice {
    const d: FakeDevice = { channel: 'lan', stepMs: 60_000, failures: {}, busyUntil: 0, ran: [], ...over };
    this.devices.set(id, d);
    return d;
  }

  channelOf(id: string): VisitChannel {
    return this.devices.get(id)?.channel ?? 'modem';
  }

  async connect(ctx: VisitContext): Promise<ConnectResult> {
    const d = this.devices.get(ctx.deviceId) ?? this.add(ctx.deviceId);
    await ctx.wait(10_000);
    if (this.clock.now() < d.busyUntil) return { ok: false, busy: true, output: '2 sessions: local serv (technician)', bytes: 120 };
    const refused = this.refuse?.(ctx.deviceId);
    if (refused) return { ok: false, ...refused, bytes: 0 };
    if ((d.failures.connect ?? 0) > 0) {
      d.failures.connect = (d.failures.connect ?? 0) - 1;
      return { ok: false, busy: false, output: 'NO CARRIER', bytes: 0 };
    }
    const channel = d.channel;
    this.#open[channel]++;
    this.peak[channel] = Math.max(this.peak[channel], this.#open[channel]);
    let open = true;
    const close = () => {
      if (open) this.#open[channel]--;
      open = false;
    };
    return {
      ok: true,
      output: `connected over ${channel}`,
      bytes: 40,
      link: {
        run: async (step, c): Promise<StepResult> => {
          await c.wait(d.stepMs);
          if ((d.failures[step] ?? 0) > 0) {
            d.failures[step] = (d.failures[step] ?? 0) - 1;
            close();
            return { ok: false, output: `${step}: line broke`, bytes: 10, lineLost: true };
          }
          d.ran.push(step);
          return { ok: true, output: `${step} output`, bytes: 1000 };
        },
        close: async () => {
          close();
          return { ok: true, output: 'BYE', bytes: 5 };
        },
      },
    };
  }
}
