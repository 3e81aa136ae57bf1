import fp from 'fastify-plugin';
import type { LineEndpoint } from '../../core/line-endpoint.js';
import { Centre } from '../centre/centre.js';
import type { ReceiverEvent } from '../centre/centre-receiver.js';
import { DatabaseReportStore } from '../centre/database-report-store.js';

export interface ModemPluginOptions {
  /** The centre modems' DTE lines, connected by the caller (`--modem SPEC`), with their names. */
  lines: Array<{ line: LineEndpoint; name: string }>;
  onEvent?: (e: ReceiverEvent, modem: string) => void;
}

/**
 * Receive mode (spec §3.4) as a plugin: a receiver on every centre modem,
 * each report into the database and acknowledged to the PBX only after its
 * commit (DatabaseReportStore).
 */
export const modemPlugin = fp<ModemPluginOptions>(async (app, options) => {
  const c = app.centre;
  const centre = new Centre(c.clock, new DatabaseReportStore(c.db, { bus: c.bus, logger: c.logger }), c.logger);
  centre.onEvent((e, receiver) => options.onEvent?.(e, receiver.name));
  c.modems = centre;
  app.addHook('onReady', async () => {
    for (const { line, name } of options.lines) centre.attach(line, name);
  });
  app.addHook('onClose', async () => centre.close());
}, { name: 'centre-modems' });
