import { existsSync } from 'node:fs';
import { buildChipCard, CARD_ID_PATTERN, checkChipCard } from '../../firmware-sim/chip-card.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { ioReason } from '../io-reason.js';
import { createFileAtomic } from '../storage/atomic-file.js';
import { checkWritable, readInputFile } from './user-files.js';

const DAY_MS = 86_400_000;

export interface NewCardOptions {
  individual: string;
  group: string;
  octopus: boolean;
  /** Epoch ms, parsed from the command line. */
  validFrom?: number;
  validUntil?: number;
  output: string;
}

/** `hicom-sim card new`: everything checked before the file is written; an existing file is never overwritten. */
export function newCard(o: NewCardOptions, defaultValidDays: number): void {
  for (const [flag, id] of [['--individual', o.individual], ['--group', o.group]] as const) {
    if (!CARD_ID_PATTERN.test(id)) throw new ExitError(`card new: ${flag} "${id}": 1–16 letters, digits or dashes`, EXIT.usage);
  }
  const issued = o.validFrom ?? Date.now();
  const validUntil = o.validUntil ?? issued + defaultValidDays * DAY_MS;
  if (validUntil <= issued) throw new ExitError('card new: --valid-until must come after --valid-from', EXIT.usage);
  if (existsSync(o.output)) throw new ExitError(`cannot write ${o.output} (--output): it exists already; a card file is never overwritten`, EXIT.usage);
  checkWritable(o.output, '--output');
  try {
    createFileAtomic(o.output, buildChipCard({ individual: o.individual, group: o.group, octopus: o.octopus, issued, validUntil }));
  } catch (err) {
    throw new ExitError(`cannot write ${o.output} (--output): ${ioReason(err)}`, EXIT.usage);
  }
  process.stdout.write(`${o.output}: card ${o.individual} (group ${o.group}), Octopus E access ${o.octopus ? 'yes' : 'no'}, valid until ${new Date(Math.floor(validUntil / 1000) * 1000).toISOString()}\n`);
}

/** `hicom-sim card show FILE`: a file that is no card is bad input (2); a card an Octopus E would refuse now is the answer no (1). */
export function showCard(file: string): void {
  const check = checkChipCard(readInputFile(file), Date.now());
  const c = check.card;
  if (!c) throw new ExitError(`${file}: ${!check.ok && check.reason === 'forged' ? 'a damaged or forged card (its signature does not match the lab issuer key)' : 'not a chip card'}`, EXIT.usage);
  process.stdout.write([
    `individual: ${c.individual}`,
    `group: ${c.group}`,
    `octopus-e: ${c.octopus ? 'yes' : 'no'}`,
    `valid: ${new Date(c.issued).toISOString()} – ${new Date(c.validUntil).toISOString()}`,
    `accepted now: ${check.ok ? 'yes' : `no (${check.reason})`}`,
  ].join('\n') + '\n');
  if (!check.ok) process.exitCode = EXIT.failed;
}
