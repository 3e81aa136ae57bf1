import { pino, type Logger } from 'pino';

/** A pino logger whose JSON lines are kept in memory, so tests can assert on what was logged. */
export class MemoryLogger {
  readonly lines: Array<Record<string, unknown>> = [];
  readonly logger: Logger = pino({ level: 'trace' }, { write: (line: string) => { this.lines.push(JSON.parse(line) as Record<string, unknown>); } });

  /** First entry with this message. */
  find(msg: string): Record<string, unknown> | undefined {
    return this.lines.find((l) => l.msg === msg);
  }
}
