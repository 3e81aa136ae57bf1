import type { CheckInReport } from '../../firmware-sim/check-in-client.js';

/** What `hicom-sim fleet` prints (and `--json` writes): counts, rates and the answer latency. */
export interface FleetSummary {
  devices: number;
  depots: number;
  pbxs: number;
  centre: string;
  speed: number;
  durationS: number;
  sent: number;
  sentPerS: number;
  acks: number;
  naks: { replay: number; 'clock-skew': number };
  timeouts: number;
  /** Answers that named no waiting counter or did not verify (dropped by the device). */
  ignored: number;
  /** Devices whose firmware stopped (a fault). */
  faults: number;
  eventsAccepted: number;
  /** Round trip of answered check-ins (acks and naks), real milliseconds. */
  latencyMs: { n: number; p50: number | null; p99: number | null; max: number | null };
}

/** Counts every check-in report of the fleet's devices; latencies go into a growing typed array. */
export class FleetStats {
  sent = 0;
  acks = 0;
  naks = { replay: 0, 'clock-skew': 0 };
  timeouts = 0;
  ignored = 0;
  faults = 0;
  eventsAccepted = 0;
  #latency = new Float64Array(1024);
  #n = 0;

  record(r: CheckInReport): void {
    switch (r.type) {
      case 'sent':
        this.sent++;
        return;
      case 'ack':
        this.acks++;
        this.eventsAccepted += r.accepted.length;
        return this.#sample(r.latencyMs);
      case 'nak':
        this.naks[r.reason]++;
        return this.#sample(r.latencyMs);
      case 'timeout':
        this.timeouts++;
        return;
      case 'ignored':
        this.ignored++;
        return;
      case 'fault':
      case 'exhausted':
        this.faults++;
        return;
    }
  }

  summary(base: Pick<FleetSummary, 'devices' | 'depots' | 'pbxs' | 'centre' | 'speed' | 'durationS'>): FleetSummary {
    const sorted = this.#latency.slice(0, this.#n).sort();
    // The p-quantile as the sample at rank ⌊n·p⌋, as the benchmarks quote them.
    const at = (p: number): number | null => (this.#n ? sorted[Math.min(this.#n - 1, Math.floor(this.#n * p))] : null);
    return {
      ...base,
      sent: this.sent,
      sentPerS: base.durationS > 0 ? this.sent / base.durationS : 0,
      acks: this.acks,
      naks: { ...this.naks },
      timeouts: this.timeouts,
      ignored: this.ignored,
      faults: this.faults,
      eventsAccepted: this.eventsAccepted,
      latencyMs: { n: this.#n, p50: at(0.5), p99: at(0.99), max: this.#n ? sorted[this.#n - 1] : null },
    };
  }

  #sample(ms: number): void {
    if (this.#n === this.#latency.length) {
      const grown = new Float64Array(this.#latency.length * 2);
      grown.set(this.#latency);
      this.#latency = grown;
    }
    this.#latency[this.#n++] = ms;
  }
}

const ms = (v: number | null): string => (v === null ? '-' : `${v.toFixed(v < 10 ? 2 : 1)} ms`);

/** The summary for people. */
export function formatFleetSummary(s: FleetSummary): string[] {
  return [
    `fleet: ${s.devices} devices (${s.depots} key depots, ${s.pbxs} PBXs) against udp:${s.centre} for ${s.durationS.toFixed(1)} s at speed ${s.speed}`,
    `check-ins sent  ${s.sent} (${s.sentPerS.toFixed(1)}/s)`,
    `acks            ${s.acks}`,
    `naks            ${s.naks.replay + s.naks['clock-skew']} (replay ${s.naks.replay}, clock-skew ${s.naks['clock-skew']})`,
    `timeouts        ${s.timeouts}`,
    `latency         p50 ${ms(s.latencyMs.p50)}, p99 ${ms(s.latencyMs.p99)}, max ${ms(s.latencyMs.max)} (${s.latencyMs.n} answers)`,
    `events accepted ${s.eventsAccepted}`,
    ...(s.ignored ? [`answers ignored ${s.ignored} (not verifying, or for no waiting check-in)`] : []),
    ...(s.faults ? [`device faults   ${s.faults}`] : []),
  ];
}
