import fp from 'fastify-plugin';
import type { DatagramPort } from '../../core/datagram-port.js';
import type { RandomSource } from '../../core/random-source.js';
import { CheckInIntake, type IntakeOutcome } from '../centre/check-in-intake.js';
import { checkInCommit, groupCommitLane } from '../centre/check-in-lane.js';
import { CheckInStoreWorker } from '../centre/check-in-store-worker.js';
import { SQLITE_IN_MEMORY, SqliteDatabase } from '../database/sqlite-database.js';

export interface IntakePluginOptions {
  /** The device-side datagram port (a UDP socket bound by the caller, or the lab's in-process network). */
  port: DatagramPort;
  random: RandomSource;
  /** Transactions of check-ins committing side by side, one lane of devices each (PostgreSQL: more than one keeps the pool busy; SQLite: 1). */
  concurrency?: number;
  /**
   * SQLite (a file): commit check-ins in a writer thread of their own
   * (`check-in-store-worker.ts`), so a batch's fsync does not stop the
   * intake (`centre serve --writer-thread`, an intake-only process).
   */
  writerThread?: boolean;
  onOutcome?: (o: IntakeOutcome) => void;
}

/** The UDP intake (spec §5.2) as a plugin: starts with the service, drains and stops with it. */
export const intakePlugin = fp<IntakePluginOptions>(async (app, options) => {
  const c = app.centre;
  const lanes = options.writerThread && c.db instanceof SqliteDatabase && c.db.path !== SQLITE_IN_MEMORY
    ? [await CheckInStoreWorker.start(c.db, { logger: c.logger })]
    : Array.from({ length: Math.max(1, options.concurrency ?? 1) }, () => groupCommitLane(checkInCommit(c.db, { logger: c.logger })));
  c.intake = new CheckInIntake({ db: c.db, registry: c.registry, port: options.port, clock: c.clock, random: options.random, bus: c.bus, logger: c.logger, lanes, onOutcome: options.onOutcome });
  app.addHook('onClose', async () => {
    await c.intake?.close();
  });
}, { name: 'centre-intake' });
