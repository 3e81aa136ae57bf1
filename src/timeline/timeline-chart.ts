import type { LabEvent } from '../lab/lab-events.js';
import type { Timeline } from './timeline-recorder.js';

/** A bar of the timeline chart: from–to in seconds since the start, on one device's row. */
export interface ChartBar {
  x: [number, number];
  y: string;
  /** Tooltip and table text. */
  detail: string;
}

export interface ChartSeries {
  label: string;
  color: string;
  data: ChartBar[];
}

/** What the page hands Chart.js: rows (devices), series by kind, the span in seconds. */
export interface ChartModel {
  rows: string[];
  series: ChartSeries[];
  spanSeconds: number;
  /** Tick step of the time axis: a round unit that gives at most MAX_TICKS ticks. */
  stepSeconds: number;
}

/** Round steps for the time axis, in seconds: 1 s … 1 week. */
const STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800];
const MAX_TICKS = 12;

/** The kinds the chart draws, in legend order, with colours that also differ in lightness (readable in greyscale). */
export const SERIES: ReadonlyArray<{ label: string; color: string }> = [
  { label: 'calls', color: '#4e79a7' },
  { label: 'signaling attempts', color: '#f28e2b' },
  { label: 'retries', color: '#e15759' },
  { label: 'callbacks', color: '#76b7b2' },
  { label: 'check-ins', color: '#59a14f' },
  { label: 'faults', color: '#b07aa1' },
  { label: 'errors', color: '#9c755f' },
  { label: 'reports', color: '#edc948' },
  { label: 'restarts', color: '#555555' },
];

/** The device a number or line belongs to: exact, `pbxId:internal`, else the longest number that prefixes it (a PBX trunk). */
export function deviceOf(numberOrLine: string, devices: Record<string, string>): string {
  if (devices[numberOrLine]) return devices[numberOrLine];
  const colon = numberOrLine.indexOf(':');
  if (colon > 0) return numberOrLine.slice(0, colon);
  let best = '';
  for (const n of Object.keys(devices)) if (numberOrLine.startsWith(n) && n.length > best.length) best = n;
  return best ? devices[best] : numberOrLine;
}

/** Which series an event belongs to, its row and its text; undefined for events the chart does not draw (log entries, call steps). */
function place(e: LabEvent, devices: Record<string, string>): { series: string; row: string; detail: string } | undefined {
  switch (e.event) {
    case 'signaling.attempt':
      return { series: e.data.attempt > 1 ? 'retries' : 'signaling attempts', row: e.data.pbx, detail: `signaling attempt ${e.data.attempt} to ${e.data.number} (${e.data.modem}), report ${e.data.seq}` };
    case 'signaling.failed':
    case 'signaling.stopped':
    case 'signaling.resumed':
    case 'signaling.skipped':
    case 'signaling.function-test':
      return { series: 'signaling attempts', row: e.data.pbx, detail: `${e.event} ${JSON.stringify(e.data)}` };
    case 'callback.attempt':
      return { series: e.data.attempt > 1 ? 'retries' : 'callbacks', row: e.data.pbx, detail: `callback attempt ${e.data.attempt} (index ${e.data.index}) to ${e.data.number}` };
    case 'callback.registered':
    case 'callback.refused':
    case 'callback.failed':
    case 'callback.connected':
    case 'callback.given-up':
    case 'callback.cancelled':
      return { series: 'callbacks', row: e.data.pbx, detail: `${e.event} ${JSON.stringify(e.data)}` };
    case 'checkin.acked':
    case 'checkin.rejected':
    case 'checkin.unanswered':
      return { series: 'check-ins', row: e.data.device, detail: `${e.event} ${JSON.stringify(e.data)}` };
    case 'fault.set':
    case 'fault.cleared':
    case 'fault.applied':
      return { series: 'faults', row: deviceOf(e.data.line, devices), detail: `${e.event} on ${e.data.line}${e.event === 'fault.applied' ? `: ${e.data.fault} (call ${e.data.call})` : ''}` };
    case 'error.raised':
      return { series: 'errors', row: e.data.pbx, detail: `class ${e.data.class} error ${e.data.id} (0x${e.data.code.toString(16)}): ${e.data.text}` };
    case 'report.stored':
      return { series: 'reports', row: deviceOf(e.data.modem, devices), detail: `centre stored report ${e.data.seq} of ${e.data.pbx} (${e.data.records} errors${e.data.duplicate ? ', duplicate' : ''})` };
    case 'report.nak':
      return { series: 'reports', row: deviceOf(e.data.modem, devices), detail: `centre NAK ${e.data.reason}${e.data.pbx ? ` to ${e.data.pbx}` : ''}` };
    case 'report.acknowledged':
      return { series: 'reports', row: e.data.pbx, detail: `report ${e.data.seq} acknowledged, ${e.data.deleted} errors deleted` };
    case 'pbx.restarted':
      return { series: 'restarts', row: e.data.pbx, detail: `restarted${e.data.tornWrite ? ' after a torn FMC write' : ''} (APS ${e.data.aps})` };
    case 'pbx.reloaded':
      return { series: 'restarts', row: e.data.pbx, detail: `reload switch (${e.data.sessionsDropped} sessions dropped)` };
    case 'device.restarted':
      return { series: 'restarts', row: e.data.device, detail: `${e.data.kind} restarted` };
    default:
      return undefined;
  }
}

/** Turn a timeline into the chart's rows and bars: a call spans setup to release on its caller's row, everything else is an instant. */
export function chartModel(timeline: Timeline): ChartModel {
  const sec = (t: number): number => (t - timeline.start) / 1000;
  const series = new Map(SERIES.map((s) => [s.label, { ...s, data: [] as ChartBar[] }]));
  const rows = new Set<string>();
  const open = new Map<number, { start: number; caller: string; called: string; connected: boolean }>();
  const push = (label: string, bar: ChartBar): void => {
    rows.add(bar.y);
    series.get(label)?.data.push(bar);
  };
  for (const e of timeline.events) {
    if (e.event === 'call.setup') {
      open.set(e.data.call, { start: e.time, caller: e.data.caller, called: e.data.called, connected: false });
      continue;
    }
    if (e.event === 'call.connected') {
      const c = open.get(e.data.call);
      if (c) c.connected = true;
      continue;
    }
    if (e.event === 'call.released') {
      const c = open.get(e.data.call);
      open.delete(e.data.call);
      const start = c?.start ?? e.time;
      push('calls', { x: [sec(start), sec(e.time)], y: deviceOf(e.data.caller, timeline.devices), detail: `call ${e.data.call} ${e.data.caller} → ${e.data.called}: ${e.data.connected ? `connected, released (${e.data.outcome})` : e.data.outcome}` });
      continue;
    }
    const p = place(e, timeline.devices);
    if (p) push(p.series, { x: [sec(e.time), sec(e.time)], y: p.row, detail: p.detail });
  }
  for (const [id, c] of open) push('calls', { x: [sec(c.start), sec(timeline.end)], y: deviceOf(c.caller, timeline.devices), detail: `call ${id} ${c.caller} → ${c.called}: still up at the end` });
  const spanSeconds = Math.max(1, sec(timeline.end));
  const stepSeconds = STEPS.find((s) => spanSeconds / s <= MAX_TICKS) ?? STEPS[STEPS.length - 1];
  return { rows: [...rows].sort(), series: [...series.values()].filter((s) => s.data.length > 0), spanSeconds, stepSeconds };
}
