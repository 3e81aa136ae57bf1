import type { Command } from 'commander';
import type { GenOptions } from './dtmf-gen-run.js';
import { numberIn } from './option-values.js';

/**
 * `hicom-sim dtmf decode FILE.wav [--json]` and `hicom-sim dtmf gen DIGITS -o FILE.wav`:
 * offline tools for the DTMF receiver and generator (spec §4.11).
 */
export function register(program: Command): void {
  const dtmf = program.command('dtmf').description('decode DTMF digits from a WAV file or generate one');

  dtmf
    .command('decode')
    .description('print the DTMF digits in a WAV file (any sample rate, mono or stereo) with their start times')
    .argument('<file>', 'WAV file')
    .option('--json', 'print one JSON object for programs')
    .action(async (file: string, opts: { json?: boolean }) => (await import('./dtmf-decode-run.js')).decode(file, opts));

  dtmf
    .command('gen')
    .description('write DTMF digits (0-9 A-D * #) to a 16-bit mono WAV file')
    .argument('<digits>', 'digits to dial')
    .requiredOption('-o, --output <file>', 'WAV file to write')
    .option('--on <ms>', 'tone duration per digit (1–10000)', numberIn(1, 10000, { fraction: true }), 50)
    .option('--off <ms>', 'pause after each digit (0–10000)', numberIn(0, 10000, { fraction: true }), 50)
    .option('--rate <Hz>', 'sample rate (4000–192000)', numberIn(4000, 192000), 8000)
    .option('--level <dBm0>', 'low-group tone level (-60–0)', numberIn(-60, 0, { fraction: true }), -10)
    .option('--twist <dB>', 'high-group minus low-group level (-20–20)', numberIn(-20, 20, { fraction: true }), 0)
    .action(async (digits: string, opts: GenOptions) => (await import('./dtmf-gen-run.js')).gen(digits, opts));
}
