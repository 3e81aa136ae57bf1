import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import t, { type Test } from 'tap';
import { Circle } from '../../firmware-sim/circles.js';
import { SessionClient } from '../../src/clients/session-client.js';
import { firstLoginOverTcp, startLab, tempDir, writeLabConfig } from '../support/lab-child.js';
import { addUser } from '../support/add-user.js';

/**
 * Bad input over TCP against the real process. After each kind the process
 * is alive, a fresh login works, and what was stored is unchanged.
 *
 * Failed logins slow down the whole access point (firmware-sim/login-throttle.ts),
 * so the attacks that fail logins use their own Assistant T ports (station 100
 * on UP0E-1, station 101 on UP0E-2) and the checks use the V.24 port.
 */
const GARBAGE_BYTES = 64 * 1024;

t.test('garbage, overlong lines and names, wrong passwords and unknown commands leave the PBX running and intact', async (t) => {
  const lab = await startLab(t, await writeLabConfig(tempDir(t), { stations: ['100', '101'] }));
  const open = async (port = lab.files.port): Promise<SessionClient> => {
    const c = await SessionClient.connectTcp('127.0.0.1', port);
    t.teardown(() => c.close());
    return c;
  };
  const setup = await open();
  await firstLoginOverTcp(setup, 'tech', 'techpw1');
  await addUser(setup, { name: 'useradm', circle: Circle.UserAdministration, password: 'uapw1' });
  await setup.run('set station.103.name "Bleibt So"');
  await setup.run('logout');
  await setup.login('useradm', 'uapw1');
  await addUser(setup, { name: 'rev', circle: Circle.Revision, password: 'revpw1' });
  await setup.run('logout');
  const baseline = await open();
  await baseline.login('rev', 'revpw1');
  const kdsBefore = (await baseline.run('kds show')).lines;
  baseline.close();

  /** Assert, on the subtest `t`, that the process lives and the KDS is as before; a fresh Revision login. */
  const intact = async (t: Test, after: string): Promise<SessionClient> => {
    t.equal(lab.child.proc.exitCode, null, `the process is alive after ${after}`);
    const c = await open();
    await c.login('rev', 'revpw1');
    t.same((await c.run('kds show')).lines, kdsBefore, `the KDS is unchanged after ${after}`);
    return c;
  };

  await t.test('64 KiB of random bytes before login', async (t) => {
    const socket = connect({ host: '127.0.0.1', port: lab.files.stationPorts!['101'] });
    await new Promise<void>((done) => socket.once('connect', () => done()));
    const garbage = randomBytes(GARBAGE_BYTES);
    garbage[0] = 0x41; // a raw client: Telnet negotiation is tested elsewhere
    socket.on('data', () => undefined);
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.end(garbage);
    await closed;
    (await intact(t, 'random bytes before login')).close();
  });

  await t.test('64 KiB of random bytes inside a session', async (t) => {
    const c = await open();
    await c.login('rev', 'revpw1');
    c.write(randomBytes(GARBAGE_BYTES).toString('latin1'));
    // Ctrl-C ends any dialogue the garbage may have started; then a known command.
    c.write('\x03\rshow system\r');
    await c.expect(/system-id: HSIM-E2E1/, 20_000);
    t.ok((await c.reply()).ok, 'show system, sent after the garbage, ends with OK');
    const again = await c.command('show system');
    t.ok(again.ok, 'the next command is answered OK');
    t.ok(again.lines.includes('system-id: HSIM-E2E1'), 'and its reply is its own: the session is back in step');
    c.close();
    (await intact(t, 'random bytes in a session')).close();
  });

  await t.test('a 100,000-character line', async (t) => {
    const c = await open();
    await c.expect('User: ');
    c.write(`${'U'.repeat(100_000)}\r`);
    t.match(await c.expect(/ERROR 413 [^\r]*\r\n/), /line too long \(100000 characters; at most 1024\)/, 'at the User: prompt the line is refused as too long');
    await c.expect('User: ');
    c.write('rev\r');
    await c.expect('Password: ');
    c.write('revpw1\r');
    t.ok((await c.reply()).ok, 'the same connection logs in afterwards');
    await c.run('mode machine');
    const long = await c.command('x'.repeat(100_000));
    t.equal(long.code, 413, 'a 100,000-character command is refused with 413');
    t.match(long.message, /100000 characters; at most 1024/, 'the refusal says how long the line was');
    t.ok((await c.command('show system')).ok, 'the session goes on');
    c.close();
    (await intact(t, 'a 100,000-character line')).close();
  });

  await t.test('17-character user names', async (t) => {
    const c = await open();
    await c.expect('User: ');
    c.write('ABCDEFGHIJKLMNOPQ\r');
    t.match(await c.expect(/ERROR [^\r]*\r\n/), /ERROR 422 user name: at most 16 characters/, 'a 17-character name at the login prompt is refused');
    await c.expect('User: ');
    c.write('useradm\r');
    await c.expect('Password: ');
    c.write('uapw1\r');
    await c.reply();
    await c.run('mode machine');
    const add = await c.command('user add ABCDEFGHIJKLMNOPQ revision');
    t.equal(add.code, 422, 'user add refuses a 17-character name');
    t.match(add.message, /17 characters long; at most 16/, 'the refusal gives the length');
    const odd = await c.command('user add na\u20acme revision');
    t.equal(odd.code, 422, 'user add refuses a character outside the optiset E set');
    t.notMatch((await c.run('user list')).lines.join('\n'), /ABCDEFGHIJKLMNOPQ/, 'no such user was created');
    c.close();
    (await intact(t, '17-character names')).close();
  });

  await t.test('10 wrong passwords: growing delays that reconnecting does not reset', async (t) => {
    const before = await intact(t, 'nothing');
    const countA03 = async (c: SessionClient): Promise<number> => (await c.run('log show')).lines.filter((l) => / rev\s+- \(3\) A0-3$/.test(l)).length;
    const a03Before = await countA03(before);
    before.close();

    const terminal = lab.files.stationPorts!['100'];
    const wrong = async (c: SessionClient): Promise<string> => {
      await c.expect('User: ');
      c.write('rev\r');
      await c.expect('Password: ');
      c.write('not-it\r');
      return c.expect(/Next attempt in \d+ s\./);
    };
    const c = await open(terminal);
    t.match(await wrong(c), /ERROR 401 login failed[^]*Next attempt in 1 s\./, 'first failure: 401 and a 1 s delay');
    c.write('rev\r');
    t.match(await c.expect(/ERROR 429 [^\r]*\r\n/), /too many failed logins; wait 1 s/, 'a name typed during the delay is refused with 429');
    t.match(await wrong(c), /Next attempt in 2 s\./, 'second failure: 2 s');
    t.match(await wrong(c), /Next attempt in 4 s\./, 'third failure: 4 s');
    t.match(await wrong(c), /Next attempt in 8 s\./, 'fourth failure: 8 s');
    c.close();
    for (let i = 5; i <= 10; i++) {
      const next = await open(terminal);
      await next.expect('User: ');
      next.write('rev\r');
      t.match(await next.expect(/ERROR \d+ [^\r]*\r\n/), /ERROR 429 too many failed logins; wait \d+ s/, `attempt ${i} on a fresh connection to the same port is still held off`);
      next.close();
    }
    const after = await intact(t, '10 wrong passwords');
    t.equal((await countA03(after)) - a03Before, 4, 'each checked wrong password was logged as A0-3 under the user name; held-off attempts never reach a password');
    after.close();
  });

  await t.test('unknown and malformed commands', async (t) => {
    const c = await intact(t, 'nothing');
    const unknown = await c.command('frobnicate now');
    t.equal(unknown.code, 404, 'an unknown command gives 404');
    t.match(unknown.message, /unknown command "frobnicate now"; type help/, 'the reply names the command and points to help');
    t.equal((await c.command('kds frob')).code, 404, 'an unknown sub-command gives 404');
    t.equal((await c.command('get')).code, 400, 'a missing argument gives 400 with the usage');
    t.equal((await c.command('get "station.103.name')).code, 400, 'an unterminated quote gives 400');
    t.equal((await c.command('get station.999.name')).code, 404, 'an unknown item gives 404');
    t.ok((await c.command('show system')).ok, 'the session goes on');
    c.close();
    (await intact(t, 'unknown commands')).close();
  });
});
