import { FrameType } from '../../firmware-sim/armored-frame.js';
import { Circle, CIRCLE_NAME } from '../../firmware-sim/circles.js';
import { quote } from '../../firmware-sim/command-tokens.js';
import { Kds, type KdsImage } from '../../firmware-sim/kds.js';
import { resolveItem } from '../../firmware-sim/kds-schema.js';
import { parsePbxType, PbxType } from '../../firmware-sim/pbx-type.js';
import { rightsOf } from '../../firmware-sim/rights.js';
import { UserTable, type UserRecord } from '../../firmware-sim/user-table.js';
import { SessionClient } from '../clients/session-client.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { KdsFileError, openKdsFile, saveKdsFile, type KdsFileContent } from '../storage/kds-file.js';
import { withAdminSession } from './admin-session.js';
import { ask } from './prompt.js';
import { checkReadable, checkWritable } from './user-files.js';

const VERSION = /^[A-Z0-9]{2,8}\.\d{2}\.\d{3}\.\d{2}$/;
/** The delivered SERVICE password (spec §3.6): it opens an offline KDS, as on a delivered PBX. */
const DEFAULT_SERVICE_PASSWORD = '31994';

async function credentials(): Promise<{ name: string; password: string }> {
  const name = await ask('User: ', { env: 'HICOM_USER' });
  const password = await ask('Password: ', { secret: true, env: 'HICOM_PASSWORD' });
  return { name, password };
}

/** The file is checked before name and password are asked; a refusal of the credentials exits 5, a bad file 2. */
async function open(file: string): Promise<ReturnType<typeof openKdsFile>> {
  checkReadable(file);
  const { name, password } = await credentials();
  try {
    return openKdsFile(file, name, password);
  } catch (err) {
    if (err instanceof KdsFileError) throw new ExitError(`${file}: ${err.message}`, err.wrongCredentials ? EXIT.access : EXIT.usage);
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

/** `hicom-sim kds new FILE`: the wizard asks what the options leave out; the target is checked first. */
export async function kdsNew(file: string, opts: { type?: string; systemVersion?: string }): Promise<void> {
  checkWritable(file);
  const typeText = opts.type ?? (await ask(`PBX type (${Object.values(PbxType).join('/')}): `));
  const type = parsePbxType(typeText);
  if (!type) throw new ExitError(`unknown PBX type "${typeText}"; use ${Object.values(PbxType).join(', ')}`, EXIT.usage);
  const version = opts.systemVersion ?? (await ask('System version (e.g. HE300M.00.001.01): '));
  if (!VERSION.test(version)) throw new ExitError(`"${version}" is not a system version like HE300M.00.001.01`, EXIT.usage);
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
  saveKdsFile(file, content, DEFAULT_SERVICE_PASSWORD);
  process.stdout.write(`${file}: offline KDS for ${type} ${version}; open it as SERVICE with the default password\n`);
}

/** `hicom-sim kds open FILE`. */
export async function kdsOpen(file: string): Promise<void> {
  const { content, user, circle } = await open(file);
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
}

/** `hicom-sim kds show FILE [prefix]`. */
export async function kdsShow(file: string, prefix: string | undefined): Promise<void> {
  const { content, circle } = await open(file);
  process.stdout.write(visibleLines(content.image, content.users, circle, prefix ?? '').map((l) => `${l}\n`).join(''));
}

/** `hicom-sim kds save FILE --connect tcp:H:P`. */
export async function kdsSave(file: string, opts: { connect: string }): Promise<void> {
  checkWritable(file);
  await withAdminSession(opts.connect, async (client, { name, password }) => {
    const image = JSON.parse(SessionClient.frameFrom(await client.run('kds read'), FrameType.Kds).toString('utf8')) as KdsImage;
    const users = JSON.parse(SessionClient.frameFrom(await client.run('kds users'), FrameType.Kds).toString('utf8')) as UserRecord[];
    saveKdsFile(file, { format: 'hicom-kds-file', version: 1, savedBy: name, savedAt: Date.now(), image, users }, password);
    process.stdout.write(`${file}: KDS of ${image.systemId} (${Object.keys(image.items).length} items, ${users.length} users) saved encrypted\n`);
  });
}
