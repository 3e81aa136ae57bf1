import type { Command } from 'commander';
import { createInterface } from 'node:readline';
import { AuditTrail } from '../database/audit-trail.js';
import { PortalAccountError } from '../database/portal-accounts.js';
import { PersonAccess } from '../portal/person-access.js';
import { AllowlistError, IpAllowlist } from '../portal/ip-allowlist.js';
import { hashPassword, passwordProblem } from '../portal/password-hash.js';
import { addCentreDbOptions, cliLogger, localActor, openCentreDatabase, type CentreDbOptions } from './centre-options.js';
import { CliError } from './cli-error.js';

/** The password of `person add` comes from here when set (scripts), else from the first line of stdin. */
export const PASSWORD_ENV = 'HICOM_PORTAL_PASSWORD';
const ROLES = { manager: ['manager', ''], operator: ['operator', ''], installer: ['partner', 'installer'], billing: ['partner', 'billing'], customer: ['partner', 'customer'] } as const;

async function readPassword(): Promise<string> {
  const env = process.env[PASSWORD_ENV];
  if (env !== undefined) return env;
  if (process.stdin.isTTY) process.stderr.write('password: ');
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    rl.close();
    return line;
  }
  throw new CliError(`no password: set ${PASSWORD_ENV} or give it on stdin`, 2);
}

/** `hicom-sim centre person add|list`: the portal's people from the command line (the first manager, scripts); the rest in the portal's control room pages. */
export function registerPersonCommands(centre: Command, program: Command): void {
  const person = centre.command('person').description('people of the web portal (docs/portal.md): the first manager, scripted set-ups');
  addCentreDbOptions(
    person
      .command('add <name>')
      .description(`create a person; the password (at least 10 characters) from $${PASSWORD_ENV} or the first line of stdin`)
      .option('--role <role>', `one of ${Object.keys(ROLES).join(', ')}`, 'manager')
      .option('--display-name <text>', 'full name', '')
      .option('--networks <list>', 'IP allowlist: addresses or CIDR networks separated by spaces or commas (default: anywhere)', ''),
  ).action(async (name: string, opts: CentreDbOptions & { role: string; displayName: string; networks: string }) => {
    const role = ROLES[opts.role as keyof typeof ROLES];
    if (!role) throw new CliError(`--role ${opts.role}: not one of ${Object.keys(ROLES).join(', ')}`, 2);
    if (!/^[A-Za-z0-9._@-]{1,64}$/.test(name)) throw new CliError(`${name}: a login name is 1–64 letters, digits and . _ @ -`, 2);
    let networks: string;
    try {
      networks = IpAllowlist.parse(opts.networks).toString();
    } catch (err) {
      if (err instanceof AllowlistError) throw new CliError(`--networks: ${err.message}`, 2);
      throw err;
    }
    const password = await readPassword();
    const weak = passwordProblem(password);
    if (weak) throw new CliError(weak, 2);
    const db = await openCentreDatabase(opts, cliLogger(program));
    try {
      const access = new PersonAccess(db, new AuditTrail(db), { now: Date.now });
      await access.accounts.create({ name, displayName: opts.displayName, role: role[0], partnerKind: role[1], passwordHash: await hashPassword(password), networks }, localActor(), Date.now());
      process.stdout.write(`created ${name} (${opts.role})\n`);
    } catch (err) {
      if (err instanceof PortalAccountError) throw new CliError(err.message, 2);
      throw err;
    } finally {
      await db.close();
    }
  });
  addCentreDbOptions(person.command('list').description('every person (never a password)')).action(async (opts: CentreDbOptions) => {
    const db = await openCentreDatabase(opts, cliLogger(program));
    try {
      const people = await new PersonAccess(db, new AuditTrail(db), { now: Date.now }).accounts.list();
      for (const p of people) process.stdout.write(`${p.name.padEnd(24)} ${(p.role === 'partner' ? p.partnerKind : p.role).padEnd(10)} ${p.state.padEnd(9)} ${p.networks || 'anywhere'}\n`);
      if (people.length === 0) process.stdout.write('(nobody)\n');
    } finally {
      await db.close();
    }
  });
}
