import t from 'tap';
import type { CallFailure } from '../../core/call.js';
import { configure, serviceActor, startTeleserviceLab } from '../support/teleservice-lab.js';

/** The X.75 pseudo-port of HSIM-0001 from outside: trunk 0301201 + DID 792. */
const X75_FROM_OUTSIDE = '0301201792';

/**
 * KDS `modem.x75.channels` (MOD-X75-CH): how many B channels the PBX's X.75
 * modem serves at once; one more digital caller gets BUSY. A change takes
 * effect for the next call. Callers here are bare digital calls that hold a
 * channel (the modem's link set-up timer frees it after 10 s).
 */
t.test('the X.75 channel count is a KDS item that decides when the next digital caller gets BUSY', async (t) => {
  const tl = await startTeleserviceLab({ centre: false });
  t.teardown(() => tl.close());
  const pbx = tl.pbx().pbx;
  let callers = 0;
  /** A digital call from a new number; resolves with 'connect' or the failure. */
  const call = (): Promise<'connect' | CallFailure> => new Promise((resolve) => {
    const line = tl.lab.exchange.addSubscriber(`08960${String(++callers).padStart(2, '0')}`, { offerCall: () => 'busy' });
    line.dial(X75_FROM_OUTSIDE, { bearer: 'digital', capabilities: { layer2: 'X75' } }, { onConnect: () => resolve('connect'), onFail: resolve });
    tl.clock.advance(2_000);
  });

  t.equal(pbx.kds.get('modem.x75.channels'), '1', 'one channel by default');
  t.equal(await call(), 'connect', 'the first digital caller is answered');
  t.equal(await call(), 'busy', 'a second one while the first holds the channel gets BUSY');

  configure(pbx, { 'modem.x75.channels': '2' });
  t.equal(await call(), 'connect', 'with two channels in the KDS the next caller is answered at once, the first still connected');
  t.equal(await call(), 'busy', 'and the third gets BUSY');

  const refused = pbx.changeItem(serviceActor(pbx), 'modem.x75.channels', '31');
  t.notOk(refused.ok, `more channels than an S2M trunk has B channels is refused (${refused.ok ? '' : refused.error})`);
  t.equal(pbx.kds.get('modem.x75.channels'), '2', 'the refused value changed nothing');
});
