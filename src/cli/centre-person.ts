import { Option, type Command } from 'commander';
import { addCentreDbOptions, type CentreDbOptions } from './centre-options.js';
import { PASSWORD_ENV, ROLES, type PersonAddOptions, type PersonUpdateOptions } from './centre-person-options.js';

/** `hicom-sim centre person add|update|list`: the portal's people from the command line (the first manager, scripts); the rest in the portal's control room pages. The database and portal layers load when one runs. */
export function registerPersonCommands(centre: Command, program: Command): void {
  const run = (): Promise<typeof import('./centre-person-run.js')> => import('./centre-person-run.js');
  const person = centre.command('person').description('people of the web portal (docs/portal.md): the first manager, scripted set-ups');
  addCentreDbOptions(
    person
      .command('add <name>')
      .description(`create a person; the password (at least 10 characters) from $${PASSWORD_ENV} or the first line of stdin`)
      .addOption(new Option('--role <role>', 'what the person may do in the portal').choices(Object.keys(ROLES)).default('manager'))
      .option('--display-name <text>', 'full name (default: none)')
      .option('--networks <list>', 'IP allowlist: addresses or CIDR networks separated by spaces or commas (default: anywhere)'),
  ).action(async (name: string, opts: PersonAddOptions) => (await run()).add(program, name, opts));
  addCentreDbOptions(
    person
      .command('update <name>')
      .description("change a person's IP allowlist, or disable or enable the person; the person's open portal pages and live streams are judged again at once, in every centre process on the database")
      .option('--networks <list>', "the new IP allowlist (addresses or CIDR networks; '' for anywhere)")
      .addOption(new Option('--disable', 'no more logins; every open session and live stream of the person ends').conflicts('enable'))
      .option('--enable', 'a disabled person may log in again'),
  ).action(async (name: string, opts: PersonUpdateOptions) => (await run()).update(program, name, opts));
  addCentreDbOptions(person.command('list').description('every person (never a password)')).action(async (opts: CentreDbOptions) => (await run()).list(program, opts));
}
