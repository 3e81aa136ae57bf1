import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { controlRequest } from '../adapters/control-socket.js';
import type { ProviderRoute } from '../adapters/lan-connect.js';
import { MaintenanceRecords, type DeactivationRecord } from '../database/maintenance-records.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { labControlPath } from '../lab/lab.js';
import { probeReachability } from '../maintenance/reachability-probe.js';
import { cliLogger, localActor, openCentreDatabase } from './centre-db-run.js';
import type { CentreDbOptions } from './centre-options.js';

/**
 * `maintenance deactivate|reactivate|verify-deactivated DEVICE` (spec §5.4,
 * docs/maintenance-plans.md): the provider's network part disconnected from
 * the customer's LAN and the PBX's service-network entry revoked (both in
 * the lab of the state directory, logged there), recorded in the centre
 * database; the proof by probes from the provider's side, stored as evidence.
 */

/** One request to the running lab of the state directory: unreachable is no connection (3), a refusal bad input (2). */
async function lab(state: string, request: string): Promise<string> {
  // A path that is there but no directory cannot be a lab's: bad input, not "cannot reach the lab" (as pbx reload).
  if (existsSync(state) && !statSync(state).isDirectory()) throw new ExitError(`state directory ${state} is not a directory`, EXIT.usage);
  let reply;
  try {
    reply = await controlRequest(labControlPath(state), request);
  } catch (err) {
    throw new ExitError(`cannot reach the lab: ${(err as Error).message} (start it with "hicom-sim lab", or give its --state)`, EXIT.connection);
  }
  if (!reply.ok) throw new ExitError(reply.text, EXIT.usage);
  return reply.text;
}

async function record(opts: CentreDbOptions, program: Command, entry: Omit<DeactivationRecord, 'id'>): Promise<void> {
  const db = await openCentreDatabase(opts, cliLogger(program));
  try {
    await new MaintenanceRecords(db).recordDeactivation(entry);
  } finally {
    await db.close();
  }
}

export async function setLink(program: Command, device: string, up: boolean, o: CentreDbOptions): Promise<void> {
  const text = await lab(o.state, `${up ? 'link-up' : 'link-down'} ${device}`);
  await record(o, program, { deviceId: device, action: up ? 'reactivate' : 'deactivate', at: Date.now(), ...localActor(), result: 'done', evidence: { lab: text } });
  process.stdout.write(`${device}: ${text}\n`);
}

export async function verify(program: Command, device: string, o: CentreDbOptions & { json?: boolean }): Promise<void> {
  const where = JSON.parse(await lab(o.state, `lan-route ${device}`)) as { address: string; port: number; route: ProviderRoute };
  const evidence = await probeReachability(where.address, where.port, where.route, Date.now);
  await record(o, program, { deviceId: device, action: 'verify', at: Date.parse(evidence.at), ...localActor(), result: evidence.unreachable ? 'unreachable' : 'reachable', evidence: { ...evidence } });
  if (o.json) process.stdout.write(`${JSON.stringify(evidence)}\n`);
  else {
    process.stdout.write(`${device} ${evidence.target} from the provider side (${evidence.route}) at ${evidence.at}:\n`);
    process.stdout.write(`  tcp: ${evidence.tcp.reached ? 'REACHED' : 'no answer'} (${evidence.tcp.detail})\n`);
    process.stdout.write(`  ping: ${evidence.ping ? `${evidence.ping.reached ? 'REACHED' : 'no answer'} (${evidence.ping.detail})` : 'not possible here (loopback addresses always answer)'}\n`);
    process.stdout.write(`${evidence.unreachable ? 'deactivated: the PBX cannot be reached from the provider network' : 'NOT deactivated: the PBX can still be reached'}; evidence stored\n`);
  }
  if (!evidence.unreachable) throw new ExitError(`${device} is still reachable from the provider network`, EXIT.failed);
}
