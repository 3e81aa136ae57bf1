import fp from 'fastify-plugin';
import type { LineEndpoint } from '../../core/line-endpoint.js';
import { Centre } from '../centre/centre.js';
import type { ReceiverEvent } from '../centre/centre-receiver.js';
import { DatabaseReportStore } from '../centre/database-report-store.js';
import { ModemTestCall, TEST_CALL_TOPIC } from './modem-test-call.js';

export interface ModemPluginOptions {
  /** The centre modems' DTE lines, connected by the caller (`--modem SPEC`), with their names. */
  lines: Array<{ line: LineEndpoint; name: string }>;
  onEvent?: (e: ReceiverEvent, modem: string) => void;
  /** How long after a test by modem is entered its report is awaited; absent: the PBX's signaling interval + 2 min. */
  reportWaitMs?: number;
}

/**
 * Receive mode (spec §3.4) as a plugin: a receiver on every centre modem,
 * each report into the database and acknowledged to the PBX only after its
 * commit (DatabaseReportStore); and the test calls of "test now" for PBXs
 * without LAN (`ModemTestCall`), taken from the bus.
 */
export const modemPlugin = fp<ModemPluginOptions>(async (app, options) => {
  const c = app.centre;
  const centre = new Centre(c.clock, new DatabaseReportStore(c.db, { bus: c.bus, logger: c.logger }), c.logger);
  centre.onEvent((e, receiver) => options.onEvent?.(e, receiver.name));
  c.modems = centre;
  // "Test now" by modem, queued by a portal in any process on the database: one with modems calls the PBX.
  const calls = new ModemTestCall({ modems: centre, access: c.deviceAccess, commands: c.commands, events: c.events, bus: c.bus, clock: c.clock, logger: c.logger, reportWaitMs: options.reportWaitMs });
  const running = new Set<Promise<unknown>>();
  const unsubscribe = c.bus.subscribe((m) => {
    if (m.topic !== TEST_CALL_TOPIC || typeof m.deviceId !== 'string' || typeof m.commandId !== 'number') return;
    const call = calls.run(m.deviceId, m.commandId).catch((err: Error) => c.logger.error({ err: err.message, deviceId: m.deviceId }, 'test call failed'));
    running.add(call);
    void call.finally(() => running.delete(call));
  });
  app.addHook('onReady', async () => {
    for (const { line, name } of options.lines) centre.attach(line, name);
  });
  app.addHook('onClose', async () => {
    unsubscribe();
    centre.close();
    await Promise.allSettled([...running]);
  });
}, { name: 'centre-modems' });
