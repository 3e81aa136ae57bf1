import type { ErrorReport } from '../../firmware-sim/error-report.js';
import type { CentreDatabase } from '../database/centre-database.js';
import type { EventBus } from '../database/event-bus.js';
import { storeReport } from '../database/report-archive.js';
import type { ReportChannel } from '../database/schema.js';
import { silentLogger, type Logger } from '../logger.js';
import { decodeReport } from './report-decoder.js';
import type { AppendResult, ReportStore } from './report-store.js';
import { EVENTS_TOPIC, superviseReportArrival } from './supervision-store.js';

/** Live-event topic of a newly stored report. */
export const REPORT_TOPIC = 'report';

/**
 * The report store on the centre's database: each report, the events of its
 * errors and what it means to supervision (the PBX heard, its function test
 * done) in one transaction, synchronously where the engine can; after the
 * commit a live event tells the other processes.
 */
export class DatabaseReportStore implements ReportStore {
  readonly #db: CentreDatabase;
  readonly #channel: ReportChannel;
  readonly #bus: EventBus | undefined;
  readonly #log: Logger;

  constructor(db: CentreDatabase, options: { channel?: ReportChannel; bus?: EventBus; logger?: Logger } = {}) {
    this.#db = db;
    this.#channel = options.channel ?? 'modem';
    this.#bus = options.bus;
    this.#log = (options.logger ?? silentLogger).child({ component: 'report-store' });
  }

  appendReport(bytes: Uint8Array, receivedAt: number, decoded?: ErrorReport): AppendResult | Promise<AppendResult> {
    const report = decoded ?? decodeReport(bytes);
    const qb = this.#db.kysely;
    const channel = this.#channel;
    const work = function* () {
      const stored = yield* storeReport(qb, { bytes, report, receivedAt, channel });
      // A report sent again after a lost ACK was already counted.
      const supervision = stored.stored ? yield* superviseReportArrival(qb, report, receivedAt) : 0;
      // Named fields, not a spread: a spread gives each result a hidden class of its own (error-history.ts).
      return { stored: stored.stored, reportId: stored.reportId, supervision };
    };
    const done = (r: { stored: boolean; reportId: number; supervision: number }): AppendResult => {
      this.#log.info({ systemId: report.systemId, seq: report.seq, records: report.records.length, stored: r.stored }, r.stored ? 'report stored' : 'report already stored (re-sent after a lost ACK)');
      if (r.stored && this.#bus) {
        this.#bus.publish({ topic: REPORT_TOPIC, systemId: report.systemId, reportId: r.reportId }).catch((err: Error) => this.#log.warn({ err: err.message }, 'live event not sent'));
        if (r.supervision > 0) this.#bus.publish({ topic: EVENTS_TOPIC }).catch((err: Error) => this.#log.warn({ err: err.message }, 'live event not sent'));
      }
      return { stored: r.stored, report };
    };
    return this.#db.runNow ? done(this.#db.runNow(work)) : this.#db.run(work).then(done);
  }
}
