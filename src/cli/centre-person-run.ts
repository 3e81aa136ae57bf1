import type { Command } from 'commander';
import { createInterface } from 'node:readline';
import { AuditTrail } from '../database/audit-trail.js';
import { PortalAccountError } from '../database/portal-accounts.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { AllowlistError, IpAllowlist } from '../portal/ip-allowlist.js';
import { PersonAccess } from '../portal/person-access.js';
import { hashPassword, passwordProblem } from '../portal/password-hash.js';
import { cliLogger, localActor, notifyServices, openCentreDatabase } from './centre-db-run.js';
import type { CentreDbOptions } from './centre-options.js';
import { ACCESS_TOPIC } from '../service/live-feed.js';
import { PASSWORD_ENV, ROLES, type PersonAddOptions, type PersonUpdateOptions } from './centre-person-options.js';

async function readPassword(): Promise<string> {
  const env = process.env[PASSWORD_ENV];
  if (env !== undefined) return env;
  if (process.stdin.isTTY) process.stderr.write('password: ');
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    rl.close();
    return line;
  }
  throw new ExitError(`no password: set ${PASSWORD_ENV} or give it on stdin`, EXIT.usage);
}

/** `hicom-sim centre person add NAME`: everything the command line can check is checked before the password is read and the database opened. */
export async function add(program: Command, name: string, opts: PersonAddOptions): Promise<void> {
  const role = ROLES[opts.role];
  if (!/^[A-Za-z0-9._@-]{1,64}$/.test(name)) throw new ExitError(`${name}: a login name is 1–64 letters, digits and . _ @ -`, EXIT.usage);
  const networks = allowlistOption(opts.networks ?? '');
  const password = await readPassword();
  const weak = passwordProblem(password);
  if (weak) throw new ExitError(weak, EXIT.usage);
  const db = await openCentreDatabase(opts, cliLogger(program, 'one-shot'));
  try {
    const access = new PersonAccess(db, new AuditTrail(db), { now: Date.now });
    await access.accounts.create({ name, displayName: opts.displayName ?? '', role: role[0], partnerKind: role[1], passwordHash: await hashPassword(password), networks }, localActor(), Date.now());
    process.stdout.write(`created ${name} (${opts.role})\n`);
  } catch (err) {
    if (err instanceof PortalAccountError) throw new ExitError(err.message, EXIT.usage);
    throw err;
  } finally {
    await db.close();
  }
}

function allowlistOption(text: string): string {
  try {
    return IpAllowlist.parse(text).toString();
  } catch (err) {
    if (err instanceof AllowlistError) throw new ExitError(`--networks: ${err.message}`, EXIT.usage);
    throw err;
  }
}

/**
 * `hicom-sim centre person update NAME`: a new allowlist, disabled or enabled. Serving
 * processes hear of it at once — by NOTIFY on PostgreSQL (published here),
 * by the file's change counter on SQLite — and judge the person's open live
 * streams again, so a stream from an address no longer allowed ends.
 */
export async function update(program: Command, name: string, opts: PersonUpdateOptions): Promise<void> {
  if (opts.networks === undefined && !opts.disable && !opts.enable) throw new ExitError('nothing to change: give --networks, --disable or --enable', EXIT.usage);
  const state = opts.disable ? 'disabled' : opts.enable ? 'active' : undefined;
  const networks = opts.networks === undefined ? undefined : allowlistOption(opts.networks);
  const logger = cliLogger(program, 'one-shot');
  const db = await openCentreDatabase(opts, logger, { readOnly: true });
  try {
    const access = new PersonAccess(db, new AuditTrail(db), { now: Date.now });
    const account = await access.accounts.byName(name);
    if (!account) throw new ExitError(`no person ${name} (centre person list shows who there is)`, EXIT.usage);
    const changed = await access.accounts.update(account.id, { ...(networks !== undefined ? { networks } : {}), ...(state ? { state } : {}) }, localActor(), Date.now());
    await notifyServices(db, logger, { topic: ACCESS_TOPIC });
    process.stdout.write(`updated ${name}: ${changed.state}, ${changed.networks || 'anywhere'}\n`);
  } finally {
    await db.close();
  }
}

/** `hicom-sim centre person list`. */
export async function list(program: Command, opts: CentreDbOptions): Promise<void> {
  const db = await openCentreDatabase(opts, cliLogger(program, 'one-shot'), { readOnly: true });
  try {
    const people = await new PersonAccess(db, new AuditTrail(db), { now: Date.now }).accounts.list();
    for (const p of people) process.stdout.write(`${p.name.padEnd(24)} ${(p.role === 'partner' ? p.partnerKind : p.role).padEnd(10)} ${p.state.padEnd(9)} ${p.networks || 'anywhere'}\n`);
    if (people.length === 0) process.stdout.write('(nobody)\n');
  } finally {
    await db.close();
  }
}
