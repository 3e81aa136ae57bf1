import { existsSync, statSync } from 'node:fs';
import { controlRequest } from '../adapters/control-socket.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { loadConfig } from '../lab/config.js';
import { labControlPath } from '../lab/lab.js';

/** `hicom-sim pbx reload ID`: a lab that cannot be reached is no connection (3); an unknown PBX is bad input (2). */
export async function reload(id: string, opts: { config?: string; state?: string }): Promise<void> {
  const stateDir = opts.state ?? loadConfig(opts.config).stateDir;
  // A path that is there but no directory cannot be a lab's: bad input, not "cannot reach the lab".
  if (existsSync(stateDir) && !statSync(stateDir).isDirectory()) throw new ExitError(`state directory ${stateDir} is not a directory`, EXIT.usage);
  let reply;
  try {
    reply = await controlRequest(labControlPath(stateDir), `reload ${id}`);
  } catch (err) {
    throw new ExitError(`cannot reach the lab: ${(err as Error).message} (start it with "hicom-sim lab", or give its --state/--config)`, EXIT.connection);
  }
  if (!reply.ok) throw new ExitError(reply.text, EXIT.usage);
  process.stdout.write(`${reply.text}\n`);
}
