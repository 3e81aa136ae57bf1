import type { FormatId, LogEntry } from '../../firmware-sim/protocol-log.js';

/** Entries in the style of the seed's printout example (service, customer, revisor). */
export function sampleEntries(from: number, count: number): LogEntry[] {
  const who = [['serv', 'S', 4, 'KDS Neugenerierung'], ['pnkm', 'A', 1, 'AMO-PERSI STNO=201 NAME="Müller"'], ['rev', 'R', 8, 'D1-1'], ['system', '-', 5, 'A2-3-"HE300M.00.001.01"']] as const;
  return Array.from({ length: count }, (_, k) => {
    const [user, circle, format, command] = who[(from + k) % who.length];
    return { seq: from + k, time: Date.UTC(2026, 0, 5 + Math.floor((from + k) / 10), 8, 0, (from + k) % 60), user, circle, format: format as FormatId, command: `${command} #${from + k}` };
  });
}

export const HEADER = { systemId: '4711-0815', pbxName: 'Musterfirma GmbH, Hicom 150 E', created: '2026-01-05T08:00:00.000Z' };
