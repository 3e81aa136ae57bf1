import t from 'tap';
import { SessionState } from '../../firmware-sim/session.js';
import { AdminTerminal } from '../support/pbx-harness.js';
import { pbxWithUsers, SERV } from '../support/firmware-fixtures.js';

/** Deterministic bytes (xorshift32), so a failure can be replayed. */
function randomBytes(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const STATES: Array<{ name: string; reach: (term: AdminTerminal) => void; want: SessionState }> = [
  { name: 'User:', reach: () => undefined, want: SessionState.User },
  { name: 'Password:', reach: (term) => term.send('serv\r'), want: SessionState.Password },
  { name: 'command', reach: (term) => term.login(SERV.name, SERV.password), want: SessionState.Command },
  { name: 'dialogue', reach: (term) => (term.login(SERV.name, SERV.password), term.cmd('pin set')), want: SessionState.Dialogue },
];

for (const [i, state] of STATES.entries()) {
  t.test(`10,000 random bytes in the ${state.name} state`, async (t) => {
    const { pbx, clock, store } = pbxWithUsers();
    const term = new AdminTerminal(pbx);
    state.reach(term);
    t.equal(term.session.state, state.want, `reached the ${state.name} state`);
    const kds = JSON.stringify(pbx.kds.entries());
    const users = JSON.stringify(pbx.users.list().map((u) => [u.name, u.circle, u.passwordHash]));
    const bytes = randomBytes(10_000, 0x9e3779b9 + i);
    t.doesNotThrow(() => {
      for (let off = 0; off < bytes.length; off += 97) term.dte.write(bytes.subarray(off, off + 97));
    }, 'the session survives the bytes');
    t.equal(JSON.stringify(pbx.kds.entries()), kds, 'the KDS is intact');
    t.equal(JSON.stringify(pbx.users.list().map((u) => [u.name, u.circle, u.passwordHash])), users, 'the user table is intact');
    t.ok(store.load(), 'the stored state still loads');
    t.not(term.session.state, SessionState.Closed, 'the local port stays open');
    term.take();
    term.send('\x03\r');
    clock.advance(60_000);
    term.send('\x03');
    if (term.session.state === SessionState.Command) term.cmd('logout');
    term.take();
    if (term.session.state === SessionState.Password) term.send('\r');
    clock.advance(60_000);
    term.take();
    t.match(term.login(SERV.name, SERV.password), /Welcome serv/, 'afterwards a normal login works');
    t.equal(term.cmd('show system').status, 'OK', 'and commands work');
  });
}
