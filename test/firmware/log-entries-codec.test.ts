import t from 'tap';
import { decodeLogEntries, encodeLogEntries, LogEntriesError } from '../../firmware-sim/log-entries-codec.js';
import type { LogEntry } from '../../firmware-sim/protocol-log.js';

const entries: LogEntry[] = [
  { seq: 1, time: Date.UTC(2026, 0, 5, 8, 0, 0, 123), user: 'system', circle: '-', format: 5, command: 'A2-3-"HE300M.00.001.01"' },
  { seq: 70_000, time: 4_102_444_800_000, user: 'pnkm', circle: 'A', format: 1, command: 'STN-NAME 201 "Müller"' },
  { seq: 0xffff_ffff, time: 0, user: '', circle: 'R', format: 8, command: '' },
];

t.test('LogEntries payloads round-trip and refuse malformed input with a clear error', async (t) => {
  const payload = encodeLogEntries(entries);
  t.same(decodeLogEntries(payload), entries, 'entries come back unchanged');
  t.same(decodeLogEntries(encodeLogEntries([])), [], 'an empty list is a valid payload');
  for (let cut = 0; cut < payload.length; cut++) {
    t.throws(() => decodeLogEntries(payload.subarray(0, cut)), LogEntriesError, `truncated at byte ${cut}: LogEntriesError`);
  }
  t.throws(() => decodeLogEntries(Buffer.concat([payload, Buffer.from([0])])), /bytes after the last entry/, 'trailing bytes refused');
  const v2 = Buffer.from(payload);
  v2[0] = 2;
  t.throws(() => decodeLogEntries(v2), /version 2 unknown/, 'unknown version refused');
  const badFormat = Buffer.from(payload);
  badFormat[5 + 12] = 9;
  t.throws(() => decodeLogEntries(badFormat), /format id 9/, 'format id outside 1…8 refused');
  t.throws(() => encodeLogEntries([{ ...entries[0], user: 'x'.repeat(300) }]), LogEntriesError, 'a user name over 255 bytes cannot be encoded');
});
