import type { ArchiveMark, LogEntry, LogRecord, ProtocolLog } from '../../firmware-sim/protocol-log.js';

/**
 * A ProtocolLog that reports every entry it made durable, so the lab can
 * publish protocol-log entries as they are written without the firmware
 * knowing anyone listens. Everything else passes through unchanged.
 */
export class ObservedProtocolLog implements ProtocolLog {
  constructor(readonly inner: ProtocolLog, private readonly written: (entry: LogEntry) => void) {}

  get available(): boolean {
    return this.inner.available;
  }

  append(record: LogRecord): LogEntry | undefined {
    const entry = this.inner.append(record);
    if (entry) this.written(entry);
    return entry;
  }

  read(fromSeq?: number, limit?: number): LogEntry[] {
    return this.inner.read(fromSeq, limit);
  }

  deleteUpTo(seq: number, mark: ArchiveMark): number {
    return this.inner.deleteUpTo(seq, mark);
  }

  archiveMark(): ArchiveMark | undefined {
    return this.inner.archiveMark();
  }

  fill(): number {
    return this.inner.fill();
  }

  lastSeq(): number {
    return this.inner.lastSeq();
  }
}
