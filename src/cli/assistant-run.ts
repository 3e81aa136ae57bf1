import { createInterface } from 'node:readline';
import { readChipCard } from '../../firmware-sim/chip-card.js';
import { Assistant, LOCAL_COMMANDS, lineProblem } from '../assistant/assistant.js';
import { openLink, type Credentials, type LinkPlan } from '../assistant/assistant-link.js';
import { commandWords, complete } from '../assistant/completion.js';
import type { Reply } from '../clients/session-client.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { ask } from './prompt.js';
import { readInputFile } from './user-files.js';

export interface AssistantOptions {
  connect?: string;
  modem?: string;
  dial?: string;
  pin?: string;
  callback?: number;
  code?: string;
  script?: string;
  card?: string;
  cardIdentity: 'individual' | 'group';
  e: string[];
  timeout: number;
}

/** How to reach the PBX, checked before anything is asked or opened (conflicting options are refused by commander). */
function plan(o: AssistantOptions): LinkPlan | undefined {
  if (o.code !== undefined && o.callback === undefined) throw new ExitError('--code is the access code of a callback: give --callback INDEX with it', EXIT.usage);
  if (o.modem === undefined) {
    for (const [given, name] of [[o.dial, '--dial'], [o.pin, '--pin'], [o.callback, '--callback']] as const) {
      if (given !== undefined) throw new ExitError(`${name} needs --modem SPEC (the modem that dials)`, EXIT.usage);
    }
    return o.connect === undefined ? undefined : { kind: 'direct', line: o.connect };
  }
  if (!o.dial) throw new ExitError('--modem needs --dial NUMBER (the IMOD, e.g. 0301234791)', EXIT.usage);
  if (o.callback !== undefined) {
    if (o.code === undefined) throw new ExitError('--callback needs --code with up to 6 digits', EXIT.usage);
    return { kind: 'callback', modem: o.modem, number: o.dial, index: o.callback, code: o.code };
  }
  return { kind: 'dial', modem: o.modem, number: o.dial, pin: o.pin ?? '' };
}

/**
 * `--card FILE --card-identity individual|group`: the card and the name it
 * logs in as (for KDS files too), read before anything is asked. Only a
 * readable card is sent; whether it is valid and grants access the PBX
 * decides, and logs.
 */
function cardOption(file: string, identity: 'individual' | 'group'): { name: string; card: NonNullable<Credentials['card']> } {
  const bytes = readInputFile(file);
  const read = readChipCard(bytes);
  if (!read) throw new ExitError(`--card ${file}: not a chip card (hicom-sim card new writes one)`, EXIT.usage);
  return { name: read[identity], card: { bytes, identity } };
}

function printReply(out: NodeJS.WritableStream, r: Reply): void {
  for (const l of r.lines) out.write(`${l}\n`);
  out.write(r.ok ? 'OK\n' : `ERROR ${r.code} ${r.message}\n`);
}

/** The -e commands and the script's lines, every one checked before the PBX is contacted. */
function scriptLines(o: AssistantOptions): string[] | undefined {
  if (o.script === undefined && o.e.length === 0) return undefined;
  const lines = o.e.map((text, i) => ({ text, where: `-e #${i + 1}` }));
  if (o.script !== undefined) {
    const text = readInputFile(o.script).toString('utf8');
    const before = lines.length;
    text.split(/\r?\n/).forEach((raw, i) => {
      const line = raw.trim();
      if (line !== '' && !line.startsWith('#')) lines.push({ text: line, where: `${o.script}:${i + 1}` });
    });
    if (lines.length === before) throw new ExitError(`${o.script}: no commands in the script (only blank and # lines)`, EXIT.usage);
  }
  for (const { text, where } of lines) {
    const problem = lineProblem(text);
    if (problem) throw new ExitError(`${where}: ${problem}: "${text}"`, EXIT.usage);
  }
  return lines.map((l) => l.text);
}

async function runScript(assistant: Assistant, lines: string[]): Promise<number> {
  for (const line of lines) {
    process.stdout.write(`> ${line}\n`);
    const r = await assistant.run(line);
    printReply(process.stdout, r);
    if (!r.ok) return EXIT.failed;
  }
  return EXIT.ok;
}

/**
 * The interactive shell. On piped input it stops at a line that cannot be
 * sent (control characters, a local command without its file) with exit 2
 * instead of waiting for a reply that never comes.
 */
async function shell(assistant: Assistant): Promise<number> {
  const help = assistant.link ? await assistant.run('help') : { lines: [] as string[] };
  const commands = [...commandWords(help.lines), ...commandWords(LOCAL_COMMANDS.map(([u]) => u)), ['exit'], ['quit']];
  const interactive = process.stdin.isTTY === true;
  const rl = createInterface({ input: process.stdin, output: process.stdout, completer: (line: string) => complete(commands, line), historySize: 500, prompt: 'hicom> ' });
  rl.prompt();
  let code: number = EXIT.ok;
  let n = 0;
  for await (const line of rl) {
    n++;
    const text = line.trim();
    if (text === 'exit' || text === 'quit') break;
    if (text !== '') {
      const problem = lineProblem(text);
      if (problem && !interactive) {
        code = EXIT.usage;
        process.stderr.write(`hicom-sim: standard input line ${n}: ${problem}\n`);
        break;
      }
      try {
        printReply(process.stdout, await assistant.run(text));
      } catch (err) {
        if (!(err instanceof ExitError)) throw err;
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

/** `hicom-sim assistant`. */
export async function assistant(o: AssistantOptions): Promise<void> {
  let session: Assistant | undefined;
  try {
    const p = plan(o);
    const lines = scriptLines(o);
    const withCard = o.card === undefined ? undefined : cardOption(o.card, o.cardIdentity);
    const name = withCard?.name ?? (await ask('User: ', { env: 'HICOM_USER' }));
    const creds: Credentials = { name, password: await ask('Password: ', { secret: true, env: 'HICOM_PASSWORD' }), ...(withCard ? { card: withCard.card } : {}) };
    if (p?.kind === 'dial' && p.pin === '') {
      p.pin = await ask('PIN: ', { secret: true, env: 'HICOM_PIN' });
      // Checked here, not by the PBX: a wrong-looking PIN would burn one of its attempts.
      if (!/^\d{5}$/.test(p.pin)) throw new ExitError('the PIN is 5 digits', EXIT.usage);
    }
    const link = p ? await openLink(p, creds, { status: (t) => process.stderr.write(`${t}\n`), answer: (prompt) => ask(prompt) }, o.timeout) : undefined;
    session = new Assistant(link, creds, { out: process.stdout, err: process.stderr });
    process.exitCode = lines ? await runScript(session, lines) : await shell(session);
  } finally {
    if (session?.link && !session.link.client.closed) {
      await session.link.client.command('logout').catch(() => undefined);
      session.link.client.close();
    }
  }
}
