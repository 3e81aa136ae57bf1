import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { generateDtmf } from '../../dsp/dtmf-generator.js';
import { parseDtmfDigits } from '../../dsp/dtmf-tones.js';
import { buildApsImage } from '../../firmware-sim/aps-image.js';
import { buildChipCard } from '../../firmware-sim/chip-card.js';
import { encodeReport } from '../../firmware-sim/error-report.js';
import { Kds } from '../../firmware-sim/kds.js';
import { PbxType } from '../../firmware-sim/pbx-type.js';
import { UserTable } from '../../firmware-sim/user-table.js';
import { appendEntries, createArchive } from '../../src/revisor/archive-file.js';
import { saveKdsFile } from '../../src/storage/kds-file.js';
import { writeWavFile } from '../../src/storage/wav-file.js';
import { HEADER, sampleEntries } from './archive-fixture.js';
import { writeCentreFile } from './centre-file-fixture.js';
import { sampleReport, T0 } from './sample-report.js';

/**
 * Valid input files of every kind the CLI reads, and the classes of bad
 * input issue 18 tried on them (missing, a directory, empty, garbage,
 * truncated, one flipped bit), made once per test run in one directory that
 * the test checks byte for byte afterwards.
 */
export type InputKind = 'kds' | 'report' | 'archive' | 'aps' | 'wav' | 'config' | 'scenario' | 'script' | 'token' | 'keys' | 'card' | 'centre-dir';

export type BadClass = 'missing' | 'directory' | 'empty' | 'garbage' | 'truncated' | 'bit-flipped';
export const BAD_CLASSES: readonly BadClass[] = ['missing', 'directory', 'empty', 'garbage', 'truncated', 'bit-flipped'];

/** Password of the KDS fixture (SERVICE's delivered one) and a cheap scrypt cost so opening it is quick. */
export const KDS_CREDENTIALS = { HICOM_USER: 'SERVICE', HICOM_PASSWORD: '31994' };
const KDS_TEST_LOG2N = 10;

/** Binary-looking bytes no format of ours starts with. */
const GARBAGE = Buffer.from([0x00, 0x13, 0x37, 0xff, 0xfe, 0x7f, 0x80, 0x01, 0x02, 0x03, 0x04, 0x05, 0xc3, 0x28, 0x0a, 0x09]);

function validBytes(kind: Exclude<InputKind, 'centre-dir'>, dir: string): Buffer {
  const file = join(dir, `made-by-writer.${kind}`);
  switch (kind) {
    case 'kds': {
      const now = T0;
      saveKdsFile(file, {
        format: 'hicom-kds-file', version: 1, savedBy: 'fixture', savedAt: now,
        image: { format: 'hicom-kds', version: 1, systemId: '', type: PbxType.OfficeCom, systemVersion: 'HE300M.00.001.01', baseGeneration: '', items: Object.fromEntries(Kds.defaults(PbxType.OfficeCom).entries()) },
        users: UserTable.delivered(now, 1 << 10).list(),
      }, KDS_CREDENTIALS.HICOM_PASSWORD, KDS_TEST_LOG2N);
      break;
    }
    case 'report':
      return encodeReport(sampleReport());
    case 'archive':
      createArchive(file, HEADER);
      appendEntries(file, sampleEntries(1, 12));
      break;
    case 'aps':
      return buildApsImage({ version: 'HE300M.00.002.01', type: PbxType.OfficePro, body: Buffer.alloc(4096, 0x5a) });
    case 'wav':
      writeWavFile(file, generateDtmf(parseDtmfDigits('147'), {}).samples, { sampleRate: 8000, bitsPerSample: 16 });
      break;
    case 'config':
      return Buffer.from(stringify({ stateDir: './state', pacing: false, pbxs: [{ id: 'HSIM-BAD1', type: 'OfficePro', trunks: ['0301234'], adminPorts: [{ bind: 'tcp:127.0.0.1:0' }] }], modems: [] }));
    case 'scenario':
      return readFileSync('scenarios/signaling-class-b-only.yaml');
    case 'script':
      return Buffer.from('# a maintenance script\nshow system\nerrors show\n');
    case 'keys':
      return Buffer.from(`# fleet devices\nFLEET-P1 pbx ${Buffer.alloc(32, 1).toString('base64')}\nFLEET-D2 key-depot ${Buffer.alloc(32, 2).toString('base64')}\n`);
    case 'token':
      return Buffer.from('f3a9c2d47b1e8a60c5d2f9e4b7a1c3d8\n');
    case 'card': {
      // Valid now, so that `card show` of it says yes: from a day ago for a year.
      const day = 86_400_000;
      return buildChipCard({ individual: 'T4711', group: 'NL-BONN', octopus: true, issued: Date.now() - day, validUntil: Date.now() + 365 * day });
    }
  }
  const bytes = readFileSync(file);
  return bytes;
}

/**
 * A variant that is bad for sure: truncation and the bit flip land where the
 * format notices (a YAML flow sequence cut open, a key renamed; a binary
 * format's body), not where a shorter file would still be valid.
 */
function badBytes(kind: Exclude<InputKind, 'centre-dir'>, bad: 'truncated' | 'bit-flipped', valid: Buffer): Buffer | undefined {
  if (kind === 'script') return undefined; // plain text lines: a shorter or changed script is still a script
  if (kind === 'token') return bad === 'truncated' ? valid.subarray(0, 10) : undefined; // too short to be safe; a changed token is just another token
  if (kind === 'keys') {
    const text = valid.toString('utf8');
    if (bad === 'truncated') return valid.subarray(0, valid.length - 20); // the last key cut short
    const flipped = Buffer.from(valid);
    flipped[text.indexOf(' pbx ') + 1] ^= 0x01; // pbx → qbx: no such kind
    return flipped;
  }
  if (kind === 'config' || kind === 'scenario') {
    const text = valid.toString('utf8');
    if (bad === 'truncated') {
      const at = kind === 'config' ? text.indexOf('0301234') : text.indexOf('expect:');
      return Buffer.from(kind === 'config' ? `${text.slice(0, at)}` : text.slice(0, at));
    }
    const key = kind === 'config' ? 'pbxs:' : 'timeline:';
    const flipped = Buffer.from(valid);
    flipped[text.indexOf(key)] ^= 0x01; // pbxs → qbxs, timeline → uimeline: an unknown field
    return flipped;
  }
  if (bad === 'truncated') return valid.subarray(0, Math.floor(valid.length * 0.6));
  const flipped = Buffer.from(valid);
  // The body, past every header (an archive's last entry line; a WAV's header is where its format lives, so flip its format tag).
  const at = kind === 'wav' ? 20 : kind === 'archive' ? valid.length - 70 : Math.floor(valid.length * 0.75);
  flipped[at] ^= kind === 'archive' ? 0x01 : 0x10;
  return flipped;
}

export interface Fixtures {
  dir: string;
  /** A valid file (or centre directory) of each kind. */
  valid: Record<InputKind, string>;
  /** bad[kind][class] = path, absent when the class does not apply to the kind. */
  bad: Record<InputKind, Partial<Record<BadClass, string>>>;
}

export function makeFixtures(dir: string): Fixtures {
  mkdirSync(dir, { recursive: true });
  const valid = {} as Record<InputKind, string>;
  const bad = {} as Record<InputKind, Partial<Record<BadClass, string>>>;
  const kinds: Array<Exclude<InputKind, 'centre-dir'>> = ['kds', 'report', 'archive', 'aps', 'wav', 'config', 'scenario', 'script', 'token', 'keys', 'card'];
  for (const kind of kinds) {
    const good = validBytes(kind, dir);
    valid[kind] = join(dir, `valid.${kind}`);
    writeFileSync(valid[kind], good);
    const variants: Partial<Record<BadClass, string>> = { missing: join(dir, `missing.${kind}`), directory: join(dir, `directory-${kind}`) };
    mkdirSync(variants.directory!);
    for (const [cls, bytes] of [['empty', Buffer.alloc(0)], ['garbage', GARBAGE], ['truncated', badBytes(kind, 'truncated', good)], ['bit-flipped', badBytes(kind, 'bit-flipped', good)]] as const) {
      if (!bytes) continue;
      variants[cls] = join(dir, `${cls}.${kind}`);
      writeFileSync(variants[cls]!, bytes);
    }
    bad[kind] = variants;
  }
  // A centre directory: one sound PBX file; each bad variant spoils a second one.
  const centre = (name: string, spoil?: (record: Buffer) => Buffer): string => {
    const d = join(dir, name);
    mkdirSync(d);
    writeCentreFile(d, 'GOOD0001', [{ report: sampleReport({ systemId: 'GOOD0001' }), receivedAt: T0 }]);
    const file = writeCentreFile(d, 'PBX0001', [{ report: sampleReport(), receivedAt: T0 }]);
    if (spoil) writeFileSync(file, spoil(readFileSync(file)));
    return d;
  };
  valid['centre-dir'] = centre('centre-valid');
  bad['centre-dir'] = {
    missing: join(dir, 'centre-missing'),
    directory: valid.report, // a file where a directory is wanted
    empty: centre('centre-empty', () => Buffer.alloc(0)),
    garbage: centre('centre-garbage', () => GARBAGE),
    truncated: centre('centre-truncated', (r) => r.subarray(0, r.length - 9)),
    'bit-flipped': centre('centre-flipped', (r) => {
      const f = Buffer.from(r);
      f[40] ^= 0x08;
      return f;
    }),
  };
  return { dir, valid, bad };
}

/** SHA-256 of every file under `dir`, by relative path: what "byte-identical afterwards" compares. */
export function snapshot(dir: string, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) for (const [k, v] of snapshot(path, `${prefix}${name}/`)) out.set(k, v);
    else out.set(`${prefix}${name}`, createHash('sha256').update(readFileSync(path)).digest('hex'));
  }
  return out;
}
