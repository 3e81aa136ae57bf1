import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { Circle } from '../../firmware-sim/circles.js';
import { verifyArchive } from '../../src/revisor/archive-file.js';
import { archiveToFile } from '../../src/revisor/revisor-client.js';
import { firstLoginOverTcp, LAB_PBX_ID, runCli, startLab, tempDir, writeLabConfig } from '../support/lab-child.js';
import { addUser } from '../support/add-user.js';

/**
 * The revisor's CLI against `hicom-sim lab` as a child process over TCP:
 * fetch (entries stay), first archive with --new, a run killed between
 * append and commit, the restart that skips what was written, and the
 * offline verify; a tampered file refused by both tools.
 */

/** Generous: the suite runs the CLI children on a shared, loaded machine. */
const CLI_TIMEOUT = 120_000;

t.test('revisor fetch and archive through the real CLI and a TCP admin port', async (t) => {
  const dir = tempDir(t);
  const lab = await startLab(t, await writeLabConfig(dir));
  const service = await lab.connect();
  service.timeoutMs = CLI_TIMEOUT;
  t.teardown(() => service.close());
  await firstLoginOverTcp(service, 'tech', 'techpw1');
  t.ok((await addUser(service, { name: 'ua', circle: Circle.UserAdministration, password: 'uapw1' })).ok, 'user administrator created');
  await service.run('logout');
  const ua = await lab.connect();
  ua.timeoutMs = CLI_TIMEOUT;
  t.teardown(() => ua.close());
  await ua.login('ua', 'uapw1');
  t.ok((await addUser(ua, { name: 'rev', circle: Circle.Revision, password: 'revpw1' })).ok, 'revisor created');
  await ua.run('logout');

  const connect = `tcp:127.0.0.1:${lab.files.port}`;
  const env = { HICOM_USER: 'rev', HICOM_PASSWORD: 'revpw1' };
  const fetched = runCli(['revisor', 'fetch', '--connect', connect], { env, timeoutMs: CLI_TIMEOUT });
  t.equal(fetched.status, 0, `fetch exits 0: ${fetched.stderr}`);
  t.match(fetched.stdout, /^000001 \d\d\.\d\d\.\d{4} \d\d:\d\d:\d\d system\s+- \(5\) A2-3-"HE300M\.00\.001\.01"$/m, 'entries in the printout style, A2-3 first');
  t.match(fetched.stdout, /ua\s+B \(8\) D2-1 rev revision/, 'the revisor\'s creation is there');
  const again = runCli(['revisor', 'fetch', '--connect', connect], { env, timeoutMs: CLI_TIMEOUT });
  const firstLines = fetched.stdout.trim().split('\n');
  t.same(again.stdout.trim().split('\n').slice(0, firstLines.length), firstLines, 'the entries stayed in the PBX');
  t.equal(again.stdout.trim().split('\n').length, firstLines.length + 2, 'fetching logged nothing but the login and logout (A0-1, A0-2)');

  const wrong = runCli(['revisor', 'fetch', '--connect', connect], { env: { HICOM_USER: 'ua', HICOM_PASSWORD: 'uapw1' }, timeoutMs: CLI_TIMEOUT });
  t.not(wrong.status, 0, 'a user administrator cannot fetch');
  t.match(wrong.stderr, /ERROR 403 missing right: protocol log read/, 'and is told why');

  const arc = join(dir, 'pbx.arc');
  const missing = runCli(['revisor', 'archive', arc, '--connect', connect], { env, timeoutMs: CLI_TIMEOUT });
  t.not(missing.status, 0, 'archive without a file and without --new fails');
  t.match(missing.stderr, /does not exist; give --new/, 'saying so');
  const first = runCli(['revisor', 'archive', arc, '--new', '--connect', connect], { env, timeoutMs: CLI_TIMEOUT });
  t.equal(first.status, 0, `first archive: ${first.stderr}`);
  t.match(first.stdout, /\d+ entries appended to .*pbx\.arc; PBX: \d+ entries archived and deleted up to \d+/, 'reports what was archived');
  const afterFirst = runCli(['revisor', 'fetch', '--connect', connect], { env, timeoutMs: CLI_TIMEOUT });
  t.match(afterFirst.stdout.split('\n')[0], /rev\s+R \(8\) D1-1 1-\d+$/, 'the PBX now starts with the D1-1 of that archiving');

  // A client killed after its durable append, before the commit.
  const client = await lab.connect();
  client.timeoutMs = CLI_TIMEOUT;
  await client.login('rev', 'revpw1');
  const killed = archiveToFile(client, arc, {
    beforeCommit: () => {
      client.close();
      throw new Error('client killed');
    },
  });
  await t.rejects(killed, /client killed/, 'the in-process client dies before its commit');
  const ahead = verifyArchive(arc).tail!.seq;
  const resumed = runCli(['revisor', 'archive', arc, '--connect', connect], { env, timeoutMs: CLI_TIMEOUT });
  t.equal(resumed.status, 0, `the next CLI run succeeds: ${resumed.stderr}`);
  t.match(resumed.stdout, /\d+ entries were already in .* from an interrupted run; not written again/, 'it skips what the killed run wrote');
  const result = verifyArchive(arc);
  t.ok(result.ok, 'the archive verifies');
  const seqs = result.entries.map((e) => e.seq);
  t.same(seqs, [...new Set(seqs)], 'no entry twice');
  t.same(seqs, Array.from({ length: seqs.length }, (_, i) => i + 1), `every entry from 1 to ${seqs.at(-1)}, none missing (was ${ahead} before the restart)`);
  const verify = runCli(['archive', 'verify', arc, '--system-id', LAB_PBX_ID], { timeoutMs: CLI_TIMEOUT });
  t.equal(verify.status, 0, 'archive verify passes');
  t.match(verify.stdout, new RegExp(`OK — system ${LAB_PBX_ID}`), 'and names the PBX');

  writeFileSync(arc, readFileSync(arc, 'utf8').replace('D2-1 rev revision', 'D2-1 eve revision'));
  const tampered = runCli(['archive', 'verify', arc], { timeoutMs: CLI_TIMEOUT });
  t.equal(tampered.status, 2, 'verify exits 2 on the edited file (bad input)');
  t.match(tampered.stdout, /hash chain broken/, 'and says where');
  const refused = runCli(['revisor', 'archive', arc, '--connect', connect], { env, timeoutMs: CLI_TIMEOUT });
  t.not(refused.status, 0, 'revisor archive refuses the edited file');
  t.match(refused.stderr, /refused: line \d+: hash chain broken.*nothing was deleted/, 'before anything is deleted');
  t.equal(await lab.stop(), 0, 'the lab stops cleanly');
});
