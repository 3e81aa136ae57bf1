import t from 'tap';
import { ConfigError, validateConfig } from '../../src/lab/config.js';

const modem = (extra: Record<string, unknown> = {}) => ({ name: 'tech', number: '0897000', bind: 'tcp:127.0.0.1:7200', ...extra });

t.test('bridge: 38400 and an empty phone book by default; a modem listens only when told', async (t) => {
  const c = validateConfig({ modems: [modem()] });
  t.same(c.bridge, { rate: 38400, phoneBook: {} }, 'tcpser\'s default rate, no entries');
  t.equal(c.modems[0].listen, undefined, 'no listener');
  const d = validateConfig({ modems: [modem({ listen: 'tcp:127.0.0.1:6400' })], bridge: { rate: 9600, phoneBook: { '5551234': 'bbs.example.org:2323', home: '127.0.0.1' } } });
  t.same(d.bridge, { rate: 9600, phoneBook: { '5551234': 'bbs.example.org:2323', home: '127.0.0.1' } }, 'as given');
  t.equal(d.modems[0].listen, 'tcp:127.0.0.1:6400', 'the listener');
});

t.test('bad bridge entries: one clear error naming the field', async (t) => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['rate too low', { bridge: { rate: 100 } }, /^bridge\.rate: a whole number 300–921600$/],
    ['rate not a number', { bridge: { rate: 'fast' } }, /^bridge\.rate: a whole number/],
    ['unknown field', { bridge: { port: 6400 } }, /^bridge: unknown field "port" \(known: rate, phoneBook\)$/],
    ['phone book not a mapping', { bridge: { phoneBook: ['a'] } }, /^bridge\.phoneBook: expected a mapping/],
    ['entry key with a blank', { bridge: { phoneBook: { 'my bbs': 'h:1' } } }, /^bridge\.phoneBook: "my bbs" is neither a number/],
    ['target not host:port', { bridge: { phoneBook: { home: 'h:99999' } } }, /^bridge\.phoneBook\.home: "h:99999" is not host\[:port\]/],
    ['listen on a pty', { modems: [modem({ listen: 'pty:/tmp/x' })] }, /^modems\[0\]\.listen: "pty:\/tmp\/x" must be tcp:\[HOST:\]PORT/],
    ['listen not a spec', { modems: [modem({ listen: 'nowhere' })] }, /^modems\[0\]\.listen: bad line binding/],
  ];
  for (const [what, doc, message] of cases) {
    t.throws(() => validateConfig(doc), { name: ConfigError.name, message }, what);
  }
});
