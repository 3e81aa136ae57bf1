import { runLanRelay } from '../adapters/lan-relay.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { ioReason } from '../io-reason.js';

/** `hicom-sim lab-lan-relay`: runs until its lifeline (stdin) closes; an address it cannot listen on is no connection (3). */
export async function lanRelay(opts: { listen: string; socket: string }): Promise<void> {
  const at = opts.listen.lastIndexOf(':');
  await runLanRelay({ host: opts.listen.slice(0, at), port: Number(opts.listen.slice(at + 1)), socketPath: opts.socket, out: process.stdout, lifeline: process.stdin }).catch((err: unknown) => {
    throw new ExitError(`lab-lan-relay: --listen ${opts.listen}: ${ioReason(err)}`, EXIT.connection);
  });
}
