import { Option, type Command } from 'commander';
import type { AssistantOptions } from './assistant-run.js';
import { digits, lineSpec, numberIn } from './option-values.js';

/** The longest timeout Node's timers take (2^31 − 1 ms, about 24.8 days); more would fire at once. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export function register(program: Command): void {
  program
    .command('assistant')
    .description('the service technician\'s client: a local admin port or a dial-in (PIN or callback) through a modem; interactive shell or script (docs/assistant.md)')
    .addOption(new Option('--connect <spec>', 'admin port: tcp:HOST:PORT, pty:PATH or serial:DEVICE[@BAUD]').argParser(lineSpec).conflicts(['modem', 'dial', 'pin', 'callback', 'code']))
    .option('--modem <spec>', 'your modem\'s DTE: tcp:HOST:PORT, pty:PATH or serial:DEVICE[@BAUD]', lineSpec)
    .option('--dial <number>', 'number of the PBX\'s IMOD (trunk number + DID)')
    .addOption(new Option('--pin <pin>', 'customer PIN, 5 digits (else HICOM_PIN or asked)').argParser(digits('5 digits', /^\d{5}$/)).conflicts('callback'))
    .addOption(new Option('--callback <index>', 'request callback index 1–6 instead of entering the PIN').argParser(numberIn(1, 6)))
    .addOption(new Option('--code <code>', 'access code of the callback index (1–6 digits)').argParser(digits('1 to 6 digits', /^\d{1,6}$/)))
    .option('--card <file>', 'Octopus E: log in with this chip card (hicom-sim card new) instead of a user name')
    .addOption(new Option('--card-identity <which>', 'with --card: log in as the card\'s individual or group id').choices(['individual', 'group']).default('individual'))
    .option('--script <file>', 'run the commands in FILE (one a line, # comments), stop at the first ERROR')
    .option('-e <command>', 'run one command (repeatable; before --script lines)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--timeout <ms>', `reply timeout in ms (1–${MAX_TIMEOUT_MS})`, numberIn(1, MAX_TIMEOUT_MS), 30_000)
    .addHelpText('after', '\nExit codes: 0 ok, 1 a command answered ERROR, 2 usage, 3 no connection / line lost, 4 dial failed (BUSY, NO ANSWER, NO CARRIER, NO DIALTONE), 5 PIN/callback/login refused (docs/exit-codes.md).\nCredentials: HICOM_USER, HICOM_PASSWORD (else asked).')
    .action(async (o: AssistantOptions) => (await import('./assistant-run.js')).assistant(o));
}
