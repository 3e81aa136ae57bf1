import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { readChipCard } from '../../firmware-sim/chip-card.js';
import { Assistant, LOCAL_COMMANDS } from '../assistant/assistant.js';
import { openLink, type Credentials, type LinkPlan } from '../assistant/assistant-link.js';
import { commandWords, complete } from '../assistant/completion.js';
import { AssistantError, EXIT } from '../assistant/exit-codes.js';
import type { Reply } from '../clients/session-client.js';
import { ask } from './prompt.js';
import { CliError } from './cli-error.js';

interface Options {
  connect?: string;
  modem?: string;
  dial?: string;
  pin?: string;
  callback?: string;
  code?: string;
  script?: string;
  card?: string;
  cardIdentity: string;
  e: string[];
  timeout: string;
}

function plan(o: Options): LinkPlan | undefined {
  if (o.connect && o.modem) throw new AssistantError('give either --connect or --modem, not both', EXIT.usage);
  if (o.connect) return { kind: 'direct', line: o.connect };
  if (!o.modem) return undefined;
  if (!o.dial) throw new AssistantError('--modem needs --dial NUMBER (the IMOD, e.g. 0301234791)', EXIT.usage);
  if (o.callback !== undefined) {
    if (!/^[1-6]$/.test(o.callback)) throw new AssistantError('--callback takes an index 1–6', EXIT.usage);
    if (!o.code || !/^\d{1,6}$/.test(o.code)) throw new AssistantError('--callback needs --code with up to 6 digits', EXIT.usage);
    return { kind: 'callback', modem: o.modem, number: o.dial, index: Number(o.callback), code: o.code };
  }
  return { kind: 'dial', modem: o.modem, number: o.dial, pin: o.pin ?? '' };
}

/**
 * `--card FILE --card-identity individual|group`: the card and the name it
 * logs in as (for KDS files too). Only a readable card is sent; whether it is
 * valid and grants access the PBX decides, and logs.
 */
function cardOption(file: string, identity: string): { name: string; card: NonNullable<Credentials['card']> } {
  if (identity !== 'individual' && identity !== 'group') throw new AssistantError('--card-identity is individual or group', EXIT.usage);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new AssistantError(`${file}: ${(err as Error).message}`, EXIT.usage);
  }
  const read = readChipCard(bytes);
  if (!read) throw new AssistantError(`${file}: not a chip card`, EXIT.usage);
  return { name: read[identity], card: { bytes, identity } };
}

function printReply(out: NodeJS.WritableStream, r: Reply): void {
  for (const l of r.lines) out.write(`${l}\n`);
  out.write(r.ok ? 'OK\n' : `ERROR ${r.code} ${r.message}\n`);
}

function scriptLines(o: Options): string[] | undefined {
  if (o.script === undefined && o.e.length === 0) return undefined;
  const lines = [...o.e];
  if (o.script !== undefined) {
    let text: string;
    try {
      text = readFileSync(o.script, 'utf8');
    } catch (err) {
      throw new AssistantError(`${o.script}: ${(err as Error).message}`, EXIT.usage);
    }
    lines.push(...text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')));
  }
  return lines;
}

async function runScript(assistant: Assistant, lines: string[]): Promise<number> {
  for (const line of lines) {
    process.stdout.write(`> ${line}\n`);
    const r = await assistant.run(line);
    printReply(process.stdout, r);
    if (!r.ok) return EXIT.commandError;
  }
  return EXIT.ok;
}

async function shell(assistant: Assistant): Promise<number> {
  const help = assistant.link ? await assistant.run('help') : { lines: [] as string[] };
  const commands = [...commandWords(help.lines), ...commandWords(LOCAL_COMMANDS.map(([u]) => u)), ['exit'], ['quit']];
  const rl = createInterface({ input: process.stdin, output: process.stdout, completer: (line: string) => complete(commands, line), historySize: 500, prompt: 'hicom> ' });
  rl.prompt();
  let code: number = EXIT.ok;
  for await (const line of rl) {
    const text = line.trim();
    if (text === 'exit' || text === 'quit') break;
    if (text !== '') {
      try {
        printReply(process.stdout, await assistant.run(text));
      } catch (err) {
        if (!(err instanceof AssistantError)) throw err;
        process.stderr.write(`${err.message}\n`);
        if (err.exitCode === EXIT.connection) {
          code = err.exitCode;
          break;
        }
      }
    }
    rl.prompt();
  }
  rl.close();
  return code;
}

export function register(program: Command): void {
  program
    .command('assistant')
    .description('the service technician\'s client: a local admin port or a dial-in (PIN or callback) through a modem; interactive shell or script (docs/assistant.md)')
    .option('--connect <spec>', 'admin port: tcp:HOST:PORT, pty:PATH or serial:DEVICE[@BAUD]')
    .option('--modem <spec>', 'your modem\'s DTE: tcp:HOST:PORT, pty:PATH or serial:DEVICE[@BAUD]')
    .option('--dial <number>', 'number of the PBX\'s IMOD (trunk number + DID)')
    .option('--pin <pin>', 'customer PIN (else HICOM_PIN or asked)')
    .option('--callback <index>', 'request callback index 1–6 instead of entering the PIN')
    .option('--code <code>', 'access code of the callback index')
    .option('--card <file>', 'Octopus E: log in with this chip card (hicom-sim card new) instead of a user name')
    .option('--card-identity <which>', 'with --card: log in as the card\'s individual or group id', 'individual')
    .option('--script <file>', 'run the commands in FILE (one a line, # comments), stop at the first ERROR')
    .option('-e <command>', 'run one command (repeatable; before --script lines)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--timeout <ms>', 'reply timeout in ms', '30000')
    .addHelpText('after', `\nExit codes: ${EXIT.ok} ok, ${EXIT.commandError} a command answered ERROR, ${EXIT.usage} usage, ${EXIT.connection} no connection / line lost, ${EXIT.dial} dial failed (BUSY, NO ANSWER, NO CARRIER, NO DIALTONE), ${EXIT.access} PIN/callback/login refused.\nCredentials: HICOM_USER, HICOM_PASSWORD (else asked).`)
    .action(async (o: Options) => {
      let assistant: Assistant | undefined;
      try {
        const p = plan(o);
        const lines = scriptLines(o);
        const withCard = o.card === undefined ? undefined : cardOption(o.card, o.cardIdentity);
        const name = withCard?.name ?? (await ask('User: ', { env: 'HICOM_USER' }));
        const creds: Credentials = { name, password: await ask('Password: ', { secret: true, env: 'HICOM_PASSWORD' }), ...(withCard ? { card: withCard.card } : {}) };
        if (p?.kind === 'dial' && p.pin === '') p.pin = await ask('PIN: ', { secret: true, env: 'HICOM_PIN' });
        const timeoutMs = Number(o.timeout);
        if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new AssistantError('--timeout takes milliseconds', EXIT.usage);
        const link = p ? await openLink(p, creds, { status: (t) => process.stderr.write(`${t}\n`), answer: (prompt) => ask(prompt) }, timeoutMs) : undefined;
        assistant = new Assistant(link, creds, { out: process.stdout, err: process.stderr });
        const code = lines ? await runScript(assistant, lines) : await shell(assistant);
        process.exitCode = code;
      } catch (err) {
        if (err instanceof AssistantError) throw new CliError(err.message, err.exitCode);
        throw err;
      } finally {
        if (assistant?.link && !assistant.link.client.closed) {
          await assistant.link.client.command('logout').catch(() => undefined);
          assistant.link.client.close();
        }
      }
    });
}
