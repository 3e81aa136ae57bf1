import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { KdsImage } from '../../firmware-sim/kds.js';
import { KdsBackupVault } from '../../src/maintenance/kds-backup-vault.js';
import { MasterKey } from '../../src/storage/master-key.js';
import { pbxWithUsers, readImage } from '../support/firmware-fixtures.js';

function setup(t: Test) {
  const dir = mkdtempSync(join(tmpdir(), 'hicom-vault-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const key = MasterKey.load(dir, {});
  const { serv } = pbxWithUsers();
  const image: KdsImage = readImage(serv);
  return { dir, key, vault: new KdsBackupVault(join(dir, 'backups'), key), image };
}

t.test('each backup is a new version, sealed, and only the newest RETENTION are kept', async (t) => {
  const { vault, image, dir } = setup(t);
  const stored = [1, 2, 3, 4, 5].map((n) => vault.store('HSIM-0001', { takenAt: n, image, users: [] }, 3));
  t.same(stored.map((s) => s.version), [1, 2, 3, 4, 5], 'versions count up');
  t.same(stored.at(-1)!.kept, [3, 4, 5], 'the newest three kept');
  t.same(stored.at(-1)!.pruned, [2], 'the oldest pruned as the fifth arrives');
  t.same(vault.versions('HSIM-0001'), [3, 4, 5], 'on disk as well');
  t.equal(vault.open('HSIM-0001', 4).takenAt, 4, 'a kept version opens');
  const raw = readFileSync(stored.at(-1)!.file);
  t.notOk(raw.includes(Buffer.from(image.systemId)), 'the file is encrypted: the system id does not appear in it');
  t.notOk(raw.includes(Buffer.from('"items"')), 'nor the KDS structure');
  t.throws(() => new KdsBackupVault(join(dir, 'backups'), MasterKey.load(mkdtempSync(join(tmpdir(), 'hicom-other-key-')), {})).open('HSIM-0001', 5), /does not open with the master key/, 'another master key cannot open it');
  t.throws(() => vault.open('HSIM-0001', 2), /no backup version 2 of HSIM-0001 \(kept: 3, 4, 5\)/, 'a pruned version is gone, and the refusal says what is kept');
});

t.test('a backup copied over another version does not open: version and device are sealed in', async (t) => {
  const { vault, image } = setup(t);
  const a = vault.store('HSIM-0001', { takenAt: 1, image, users: [] }, 5);
  const b = vault.store('HSIM-0001', { takenAt: 2, image, users: [] }, 5);
  writeFileSync(b.file, readFileSync(a.file));
  t.throws(() => vault.open('HSIM-0001', b.version), /does not open/, 'version 1 renamed to version 2 is refused');
});

t.test('an interrupted backup leaves no version, and its temp file is removed by the next one', async (t) => {
  const { vault, image } = setup(t);
  vault.store('HSIM-0001', { takenAt: 1, image, users: [] }, 5);
  const dev = join(vault.dir, 'HSIM-0001');
  // What a centre killed after writing the temp file and before linking it leaves: pid 2^22+1 is no live process.
  writeFileSync(join(dev, 'kds-000002.sealed.tmp-4194305'), 'half a backup');
  t.same(vault.versions('HSIM-0001'), [1], 'the half-written temp file is no version');
  const next = vault.store('HSIM-0001', { takenAt: 2, image, users: [] }, 5);
  t.equal(next.version, 2, 'the next backup takes the version the interrupted one never got');
  t.equal(next.cleaned, 1, 'and removes the temp file');
  t.same(readdirSync(dev).sort(), ['kds-000001.sealed', 'kds-000002.sealed'], 'only whole versions stay');
  t.ok(existsSync(next.file), 'the new version is there');
});

t.test('bad input: a device id that is no path component and a retention below one are refused', async (t) => {
  const { vault, image } = setup(t);
  t.throws(() => vault.store('../etc', { takenAt: 1, image, users: [] }, 3), /is not a device id/, 'no path out of the vault');
  t.throws(() => vault.store('HSIM-0001', { takenAt: 1, image, users: [] }, 0), /keep at least one backup/, 'retention 0');
  t.same(vault.versions('HSIM-0001'), [], 'nothing stored');
});
