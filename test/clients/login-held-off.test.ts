import t from 'tap';
import { SessionError } from '../../src/clients/session-client.js';
import { PbxLink } from '../support/pbx-link.js';
import { REV, revisorPbx } from '../support/revisor-fixtures.js';

/**
 * A login while the port is held off after failed logins: the PBX answers
 * the name with `ERROR 429 … wait n s` and asks for no password. The client
 * must report that at once (issue 18: it waited 10 s for "Password:" and
 * said it timed out).
 */
t.test('a login refused with ERROR 429 fails at once with the PBX\'s words', async (t) => {
  const { pbx } = revisorPbx();
  const first = new PbxLink(pbx);
  await t.rejects(first.client.login(REV.name, 'wrong password'), /login as .* failed/, 'a wrong password fails');
  first.cut();
  const second = new PbxLink(pbx);
  t.teardown(() => second.cut());
  second.client.timeoutMs = 2_000;
  const err = await second.client.login(REV.name, REV.password).then(() => undefined, (e: unknown) => e);
  t.ok(err instanceof SessionError, 'the login is refused');
  t.match((err as SessionError).message, /^login as rev failed: ERROR 429 too many failed logins; wait \d+ s$/, 'with the PBX\'s ERROR 429 line, not a timeout');
  t.equal((err as SessionError).reply?.code, 429, 'the reply carries the code, so the CLI exits 5 (access refused)');
});
