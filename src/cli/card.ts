import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { buildChipCard, CARD_ID_PATTERN, checkChipCard } from '../../firmware-sim/chip-card.js';
import { createFileAtomic } from '../storage/atomic-file.js';
import { CliError } from './cli-error.js';

const DAY_MS = 86_400_000;
/** A card lasts a year unless told otherwise. */
const DEFAULT_VALID_DAYS = 365;

function date(option: string, text: string): number {
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw new CliError(`${option} "${text}": not a date (e.g. 2027-12-31 or 2027-12-31T23:59:59Z)`, 2);
  return ms;
}

/** `hicom-sim card …`: the virtual chip cards of the Octopus E technicians (docs/octopus-e.md). */
export function register(program: Command): void {
  const card = program.command('card').description('virtual chip cards for Octopus E logins, signed with the lab issuer key (docs/octopus-e.md)');
  card
    .command('new')
    .description('issue a card: individual id, group id, and whether it grants access to the Octopus E family')
    .requiredOption('--individual <id>', 'the holder\'s individual id (1–16 letters, digits, dashes)')
    .requiredOption('--group <id>', 'the group id of the card (1–16 letters, digits, dashes)')
    .option('--octopus', 'grant access to the Octopus E family (without it every Octopus E refuses the card)', false)
    .option('--valid-from <date>', 'first day of validity (default: now)')
    .option('--valid-until <date>', `end of validity (default: ${DEFAULT_VALID_DAYS} days after --valid-from)`)
    .requiredOption('-o, --output <file>', 'card file to write (not overwritten)')
    .action((o: { individual: string; group: string; octopus: boolean; validFrom?: string; validUntil?: string; output: string }) => {
      for (const [flag, id] of [['--individual', o.individual], ['--group', o.group]] as const) {
        if (!CARD_ID_PATTERN.test(id)) throw new CliError(`${flag} "${id}": 1–16 letters, digits or dashes`, 2);
      }
      const issued = o.validFrom === undefined ? Date.now() : date('--valid-from', o.validFrom);
      const validUntil = o.validUntil === undefined ? issued + DEFAULT_VALID_DAYS * DAY_MS : date('--valid-until', o.validUntil);
      if (validUntil <= issued) throw new CliError('--valid-until must come after --valid-from', 2);
      const bytes = buildChipCard({ individual: o.individual, group: o.group, octopus: o.octopus, issued, validUntil });
      try {
        createFileAtomic(o.output, bytes);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new CliError(`${o.output}: ${code === 'EEXIST' ? 'exists already; a card file is never overwritten' : (err as Error).message}`);
      }
      process.stdout.write(`${o.output}: card ${o.individual} (group ${o.group}), Octopus E access ${o.octopus ? 'yes' : 'no'}, valid until ${new Date(Math.floor(validUntil / 1000) * 1000).toISOString()}\n`);
    });
  card
    .command('show')
    .argument('<file>', 'card file')
    .description('what a card says, and whether an Octopus E would take it now')
    .action((file: string) => {
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch (err) {
        throw new CliError(`${file}: ${(err as Error).message}`);
      }
      const check = checkChipCard(bytes, Date.now());
      const c = check.card;
      if (!c) throw new CliError(`${file}: ${check.ok ? 'no card' : check.reason}`);
      process.stdout.write([
        `individual: ${c.individual}`,
        `group: ${c.group}`,
        `octopus-e: ${c.octopus ? 'yes' : 'no'}`,
        `valid: ${new Date(c.issued).toISOString()} – ${new Date(c.validUntil).toISOString()}`,
        `accepted now: ${check.ok ? 'yes' : `no (${check.reason})`}`,
      ].join('\n') + '\n');
      if (!check.ok) process.exitCode = 1;
    });
}
