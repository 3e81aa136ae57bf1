import type { Command } from 'commander';
import { FrameType } from '../../firmware-sim/armored-frame.js';
import { Circle, CIRCLE_NAME } from '../../firmware-sim/circles.js';
import { Kds, type KdsImage } from '../../firmware-sim/kds.js';
import { resolveItem } from '../../firmware-sim/kds-schema.js';
import { parsePbxType, PbxType } from '../../firmware-sim/pbx-type.js';
import { rightsOf } from '../../firmware-sim/rights.js';
import { UserTable, type UserRecord } from '../../firmware-sim/user-table.js';
import { quote } from '../../firmware-sim/command-tokens.js';
import { KdsFileError, openKdsFile, saveKdsFile, type KdsFileContent } from '../storage/kds-file.js';
import { SessionClient, SessionError } from '../clients/session-client.js';
import { parseLineSpec } from '../adapters/bind-line.js';
import { ask } from './prompt.js';
import { CliError } from './cli-error.js';

const VERSION = /^[A-Z0-9]{2,8}\.\d{2}\.\d{3}\.\d{2}$/;

async function credentials(): Promise<{ name: string; password: string }> {
  const name = await ask('User: ', { env: 'HICOM_USER' });
  const password = await ask('Password: ', { secret: true, env: 'HICOM_PASSWORD' });
  return { name, password };
}

function open(file: string, name: string, password: string): ReturnType<typeof openKdsFile> {
  try {
    return openKdsFile(file, name, password);
  } catch (err) {
    if (err instanceof KdsFileError) throw new CliError(`${file}: ${err.message}`);
    throw err;
  }
}

/** Lines of the KDS as the opener's circle may see them (rights from the file's own user table). */
function visibleLines(image: KdsImage, users: UserRecord[], circle: Circle | undefined, prefix: string): string[] {
  const occupied = new Set(users.filter((u) => u.circle !== undefined && !u.firstLogin).map((u) => u.circle as Circle));
  const rights = rightsOf(circle, occupied);
  const out: string[] = [];
  for (const [path, value] of Object.entries(image.items)) {
    if (prefix && !(path === prefix || path.startsWith(`${prefix}.`))) continue;
    const item = resolveItem(path);
    if (!item || !rights.canRead(item.spec.cls, item.spec.confidential === true)) continue;
    out.push(item.spec.secret ? `${path} = <${value === '' ? 'default' : 'set'}>` : `${path} = ${quote(value)}`);
  }
  return out;
}

export function register(program: Command): void {
  const kds = program.command('kds').description('customer database (KDS) files: create offline, open, show, save from a PBX');

  kds
    .command('new')
    .argument('<file>', 'KDS file to create')
    .description('generate an offline KDS (wizard); it has the default user table (SERVICE / default password) and loads only into a PBX in default state')
    .option('--type <type>', `PBX type: ${Object.values(PbxType).join(', ')}`)
    .option('--system-version <version>', 'system version, e.g. HE300M.00.001.01')
    .action(async (file: string, opts: { type?: string; systemVersion?: string }) => {
      const typeText = opts.type ?? (await ask(`PBX type (${Object.values(PbxType).join('/')}): `));
      const type = parsePbxType(typeText);
      if (!type) throw new CliError(`unknown PBX type "${typeText}"; use ${Object.values(PbxType).join(', ')}`, 2);
      const version = opts.systemVersion ?? (await ask('System version (e.g. HE300M.00.001.01): '));
      if (!VERSION.test(version)) throw new CliError(`"${version}" is not a system version like HE300M.00.001.01`, 2);
      const now = Date.now();
      const table = UserTable.delivered(now, 1 << 14);
      const content: KdsFileContent = {
        format: 'hicom-kds-file',
        version: 1,
        savedBy: 'offline wizard',
        savedAt: now,
        image: { format: 'hicom-kds', version: 1, systemId: '', type, systemVersion: version, baseGeneration: '', items: Object.fromEntries(Kds.defaults(type).entries()) },
        users: table.list(),
      };
      // The default table's SERVICE password opens the file, as on a delivered PBX.
      saveKdsFile(file, content, '31994');
      process.stdout.write(`${file}: offline KDS for ${type} ${version}; open it as SERVICE with the default password\n`);
    });

  kds
    .command('open')
    .argument('<file>', 'KDS file')
    .description('open a KDS file with name and password (checked against the file\'s user table); print what it is')
    .action(async (file: string) => {
      const { name, password } = await credentials();
      const { content, user, circle } = open(file, name, password);
      const img = content.image;
      process.stdout.write(
        [
          `file: ${file}`,
          `system: ${img.systemId || '(offline KDS)'} ${img.type} ${img.systemVersion}`,
          `saved: ${new Date(content.savedAt).toISOString()} by ${content.savedBy}`,
          `items: ${Object.keys(img.items).length}`,
          `opened as: ${user.name} (${circle === undefined ? 'no circle' : CIRCLE_NAME[circle]})`,
          `user table: ${content.users.map((u) => `${u.name}${u.circle === undefined ? '' : `/${CIRCLE_NAME[u.circle]}`}`).join(', ')}`,
        ].join('\n') + '\n',
      );
    });

  kds
    .command('show')
    .argument('<file>', 'KDS file')
    .argument('[prefix]', 'only items under this path, e.g. station.101')
    .description('print the KDS items your circle may read (name and password asked)')
    .action(async (file: string, prefix: string | undefined) => {
      const { name, password } = await credentials();
      const { content, circle } = open(file, name, password);
      const lines = visibleLines(content.image, content.users, circle, prefix ?? '');
      process.stdout.write(lines.map((l) => `${l}\n`).join(''));
    });

  kds
    .command('save')
    .argument('<file>', 'KDS file to write')
    .requiredOption('--connect <tcp:HOST:PORT>', 'admin port of the PBX')
    .description('read the whole KDS and user table from a PBX and save it encrypted with your password')
    .action(async (file: string, opts: { connect: string }) => {
      const spec = parseLineSpec(opts.connect);
      if (spec.kind !== 'tcp') throw new CliError('--connect takes tcp:HOST:PORT here; dial in with "hicom-sim assistant" for modems', 2);
      const { name, password } = await credentials();
      let client: SessionClient | undefined;
      try {
        client = await SessionClient.connectTcp(spec.host, spec.port);
        await client.login(name, password);
        const image = JSON.parse(SessionClient.frameFrom(await client.run('kds read'), FrameType.Kds).toString('utf8')) as KdsImage;
        const users = JSON.parse(SessionClient.frameFrom(await client.run('kds users'), FrameType.Kds).toString('utf8')) as UserRecord[];
        await client.command('logout');
        saveKdsFile(file, { format: 'hicom-kds-file', version: 1, savedBy: name, savedAt: Date.now(), image, users }, password);
        process.stdout.write(`${file}: KDS of ${image.systemId} (${Object.keys(image.items).length} items, ${users.length} users) saved encrypted\n`);
      } catch (err) {
        if (err instanceof SessionError || (err as NodeJS.ErrnoException).code) throw new CliError((err as Error).message);
        throw err;
      } finally {
        client?.close();
      }
    });
}
