import t, { type Test } from 'tap';
import * as secretHash from '../../firmware-sim/secret-hash.js';

/** user-table.js with hashSecret counted, so the test sees when the delivered hashes are made. */
async function countingUserTable(t: Test): Promise<{ UserTable: typeof import('../../firmware-sim/user-table.js').UserTable; hashes: () => number }> {
  let made = 0;
  // Absolute URLs: tap resolves relative ones from the source-mapped .ts file, not the built one that runs.
  const here = (path: string): string => new URL(path, import.meta.url).href;
  const mod = await t.mockImport<typeof import('../../firmware-sim/user-table.js')>(here('../../firmware-sim/user-table.js'), {
    [here('../../firmware-sim/secret-hash.js')]: {
      ...secretHash,
      hashSecret: (secret: string, cost?: number) => {
        made++;
        return secretHash.hashSecret(secret, cost);
      },
    },
  });
  return { UserTable: mod.UserTable, hashes: () => made };
}

t.test('the delivered user table makes its hashes when first read, each salted, and only once', async (t) => {
  const { UserTable, hashes } = await countingUserTable(t);
  const table = UserTable.delivered(1_000, 16);
  t.equal(hashes(), 0, 'building the delivered table hashes nothing (a fleet of simulated PBXs starts without scrypt)');
  t.equal(table.pristine, true, 'it is the delivered table');
  t.same([...table.occupied()], [], 'no real user occupies a circle');
  t.equal(hashes(), 0, 'asking whether it is delivered hashes nothing either');

  const users = table.list();
  t.equal(hashes(), 3, 'the first read makes the three delivered hashes (SERVICE, AMHOST, the Release 1.0 password)');
  t.same(users.map((u) => [u.name, u.created, u.firstLogin === true]), [['SERVICE', 1_000, true], ['AMHOST', 1_000, false]], 'the delivered users, created when the table was delivered');
  for (const u of users) t.match(u.passwordHash, /^scrypt\$16\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/, `${u.name} is stored as a salted scrypt hash`);
  t.ok(table.verify('SERVICE', '31994'), 'the default SERVICE password is accepted');
  t.notOk(table.verify('SERVICE', 'wrong'), 'a wrong one is not');
  t.ok(table.verifyLegacy('31994'), 'the Release 1.0 password is accepted');
  t.equal(hashes(), 3, 'reading again makes no new hash');
  t.match(table.snapshot().legacyHash, /^scrypt\$/, 'the snapshot holds the legacy password as a hash');

  const other = UserTable.delivered(1_000, 16).snapshot();
  t.not(other.users[0].passwordHash, users[0].passwordHash, 'two delivered tables salt the same default password differently');
});

t.test('the reload switch delivers the table again, hashed when next read', async (t) => {
  const { UserTable, hashes } = await countingUserTable(t);
  const table = UserTable.delivered(1_000, 16);
  t.equal(table.completeFirstLogin('Anna', 'secret', 2_000).ok, true, 'the first login replaces SERVICE');
  const before = hashes();
  t.equal(before, 4, 'the delivered hashes were made on that first use, then Anna\'s');
  table.restoreDelivered(3_000);
  t.equal(hashes(), before, 'restoring the delivered table hashes nothing yet');
  t.same(table.list().map((u) => [u.name, u.created]), [['SERVICE', 3_000], ['AMHOST', 3_000]], 'SERVICE and AMHOST are back, delivered at the reload, and Anna is gone');
  t.equal(hashes(), before + 3, 'reading it makes the three delivered hashes anew');
  t.ok(table.verify('SERVICE', '31994'), 'the default SERVICE password works again');
});
