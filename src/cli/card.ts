import { InvalidArgumentError, type Command } from 'commander';
import type { NewCardOptions } from './card-run.js';

/** A card lasts a year unless told otherwise. */
export const DEFAULT_VALID_DAYS = 365;
function date(text: string): number {
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw new InvalidArgumentError('It must be a date, e.g. 2027-12-31 or 2027-12-31T23:59:59Z.');
  return ms;
}

/** `hicom-sim card …`: the virtual chip cards of the Octopus E technicians (docs/octopus-e.md); the firmware's card code loads when one runs. */
export function register(program: Command): void {
  const run = (): Promise<typeof import('./card-run.js')> => import('./card-run.js');
  const card = program.command('card').description('virtual chip cards for Octopus E logins, signed with the lab issuer key (docs/octopus-e.md)');
  card
    .command('new')
    .description('issue a card: individual id, group id, and whether it grants access to the Octopus E family')
    .requiredOption('--individual <id>', 'the holder\'s individual id (1–16 letters, digits, dashes)')
    .requiredOption('--group <id>', 'the group id of the card (1–16 letters, digits, dashes)')
    .option('--octopus', 'grant access to the Octopus E family (without it every Octopus E refuses the card)', false)
    .option('--valid-from <date>', 'first day of validity (default: now)', date)
    .option('--valid-until <date>', `end of validity (default: ${DEFAULT_VALID_DAYS} days after --valid-from)`, date)
    .requiredOption('-o, --output <file>', 'card file to write (not overwritten)')
    .action(async (o: NewCardOptions) => (await run()).newCard(o, DEFAULT_VALID_DAYS));
  card
    .command('show')
    .argument('<file>', 'card file')
    .description('what a card says, and whether an Octopus E would take it now (exit 1 when it would not)')
    .action(async (file: string) => (await run()).showCard(file));
}
