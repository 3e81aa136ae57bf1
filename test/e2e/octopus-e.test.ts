import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT } from '../../src/exit-codes.js';
import { runCliAsync, startLab, tempDir, writeLabConfig } from '../support/lab-child.js';

/**
 * An Octopus E in a running `hicom-sim lab`, with cards issued by
 * `hicom-sim card new` and presented by `hicom-sim assistant --card`, as a
 * Telekom technician works: the first card login starts user
 * administration at once; later logins go by card and password; cards
 * without access or past their validity are refused and logged.
 */
t.test('chip card logins on an Octopus E, end to end', async (t) => {
  const dir = tempDir(t);
  const files = await writeLabConfig(dir, { variant: 'octopus-e' });
  const lab = await startLab(t, files);
  t.match(lab.banner, /PBX HSIM-E2E1 \(OfficePro, Octopus E: chip card login, APS/, 'the lab says the PBX is an Octopus E');
  const card = (name: string): string => join(dir, `${name}.card`);
  const issue = (name: string, ...extra: string[]) => runCliAsync(['card', 'new', '--individual', name, '--group', 'NL-BONN', '-o', card(name), ...extra]);
  t.equal((await issue('T4711', '--octopus')).status, 0, 'a card with Octopus E access');
  t.equal((await issue('T4712')).status, 0, 'a card without');
  t.equal((await issue('T4713', '--octopus', '--valid-from', '2020-01-01', '--valid-until', '2021-01-01')).status, 0, 'an expired card');
  const shown = await runCliAsync(['card', 'show', card('T4713')]);
  t.match(shown.stdout, /accepted now: no \(expired\)/, 'card show says the expired card would be refused');
  t.equal(shown.status, 1, 'with exit 1');

  const assistant = (cardName: string, args: string[], input?: string) =>
    runCliAsync(['assistant', '--connect', `tcp:127.0.0.1:${files.port}`, '--card', card(cardName), ...args], { env: { HICOM_PASSWORD: 'cardpw1' }, input, timeoutMs: 60_000 });
  const first = await assistant('T4711', ['-e', 'show system'], 'system-maintenance\n');
  t.equal(first.status, EXIT.ok, `the first login with the card (stderr: ${first.stderr.trim()})`);
  t.match(first.stdout, /you: T4711 \(system-maintenance\) via local/, 'user administration made the card holder the first user, in the circle typed');

  const again = await assistant('T4711', ['-e', 'user list', '-e', 'log show last 6']);
  t.equal(again.status, EXIT.ok, 'the next login: card and password only');
  t.match(again.stdout, /T4711 +system-maintenance .* card:individual/, 'a chip card user');
  t.match(again.stdout, /T4711 +S \(8\) D2-1 T4711 system-maintenance card individual/, 'the first user\'s creation is logged');
  t.match(again.stdout, /T4711 +S \(3\) A0-1 card T4711/, 'each login names the card');

  // The group of the card becomes a user by hand, then T4711 logs in as its group.
  const session = await lab.connect();
  t.teardown(() => session.close());
  await session.loginWithCard(readFileSync(card('T4711')), 'individual', 'cardpw1', async () => '');
  t.match((await session.run('show system')).lines.join('\n'), /you: T4711 \(system-maintenance\)/, 'T4711 logs in with the card over the session language');
  const added = await session.dialogue('user add NL-BONN system-maintenance group', [{ prompt: 'Password: ', answer: 'cardpw1' }, { prompt: 'Repeat password: ', answer: 'cardpw1' }]);
  t.ok(added.ok, `the card's group is a user (${added.code} ${added.message})`);
  await session.command('logout');
  const asGroup = await assistant('T4711', ['--card-identity', 'group', '-e', 'show rights', '-e', 'log show last 3']);
  t.equal(asGroup.status, EXIT.ok, `the card logs in with its group id (stderr: ${asGroup.stderr.trim()})`);
  t.match(asGroup.stdout, /NL-BONN +S \(3\) A0-1 card T4711/, 'the log names the group and traces it to the card\'s individual id');

  // Each refused login holds the port off, 1 s after the first, 2 s after the second (docs/session-protocol.md, rate limit):
  // wait them out, or a quick CLI meets ERROR 429 instead of the card's refusal.
  for (const [name, reason, holdMs] of [['T4712', 'no Octopus E access', 1000], ['T4713', 'expired', 2000]] as const) {
    const refused = await assistant(name, ['-e', 'show system']);
    t.equal(refused.status, EXIT.access, `${name}: access refused (exit ${EXIT.access})`);
    t.match(refused.stderr, new RegExp(`chip card ${name} refused: ${reason}`), `${name}: the technician is told why`);
    await new Promise((resolve) => setTimeout(resolve, holdMs + 500));
  }
  const log = (await assistant('T4711', ['-e', 'log show last 12'])).stdout;
  t.match(log, /\(card\) +- \(3\) A0-3 card T4712 no Octopus E access/, 'the card without access is in the log');
  t.match(log, /\(card\) +- \(3\) A0-3 card T4713 expired/, 'so is the expired one');
});
