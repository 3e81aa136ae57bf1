import fp from 'fastify-plugin';
import { Supervisor } from '../centre/supervisor.js';

/** Supervision (spec §5.3) as a plugin: steps on the service's clock from ready until close. */
export const supervisionPlugin = fp<{ stepMs?: number }>(async (app, options) => {
  const c = app.centre;
  c.supervisor = new Supervisor({ db: c.db, clock: c.clock, bus: c.bus, logger: c.logger, stepMs: options.stepMs });
  app.addHook('onReady', async () => {
    await c.supervisor?.start();
  });
  app.addHook('onClose', async () => {
    await c.supervisor?.stop();
  });
}, { name: 'centre-supervision' });
