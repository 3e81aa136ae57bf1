import fp from 'fastify-plugin';
import type { DatagramPort } from '../../core/datagram-port.js';
import type { RandomSource } from '../../core/random-source.js';
import { CheckInIntake, type IntakeOutcome } from '../centre/check-in-intake.js';
import { GroupCommit } from '../database/group-commit.js';

export interface IntakePluginOptions {
  /** The device-side datagram port (a UDP socket bound by the caller, or the lab's in-process network). */
  port: DatagramPort;
  random: RandomSource;
  /** Transactions of check-ins committing side by side, one lane of devices each (PostgreSQL: more than one keeps the pool busy; SQLite: 1). */
  concurrency?: number;
  onOutcome?: (o: IntakeOutcome) => void;
}

/** The UDP intake (spec §5.2) as a plugin: starts with the service, drains and stops with it. */
export const intakePlugin = fp<IntakePluginOptions>(async (app, options) => {
  const c = app.centre;
  const commits = Array.from({ length: Math.max(1, options.concurrency ?? 1) }, () => new GroupCommit(c.db, { logger: c.logger }));
  c.intake = new CheckInIntake({ db: c.db, registry: c.registry, port: options.port, clock: c.clock, random: options.random, bus: c.bus, logger: c.logger, commits, onOutcome: options.onOutcome });
  app.addHook('onClose', async () => {
    await c.intake?.close();
  });
}, { name: 'centre-intake' });
