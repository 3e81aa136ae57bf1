import t from 'tap';
import { DatabaseUrlError, defaultDatabasePath, describeLocation, parseDatabaseUrl, redactUrl } from '../../src/database/database-url.js';

t.test('sqlite:PATH and postgres:// URLs parse into a location', async (t) => {
  t.same(parseDatabaseUrl('sqlite:centre.db', '/srv'), { engine: 'sqlite', path: '/srv/centre.db' }, 'a relative path is taken from the working directory');
  t.same(parseDatabaseUrl('sqlite:/var/lib/c.db'), { engine: 'sqlite', path: '/var/lib/c.db' }, 'an absolute path stays');
  t.same(parseDatabaseUrl('postgres://u:p@db.local:5433/centre'), { engine: 'postgres', url: 'postgres://u:p@db.local:5433/centre' }, 'postgres:// is PostgreSQL');
  t.equal(parseDatabaseUrl('postgresql://u@h/c').engine, 'postgres', 'postgresql:// too');
  t.equal(defaultDatabasePath('/state'), '/state/centre/centre.db', 'the embedded default lives under the state directory');
});

t.test('anything else is refused with a message that says what is expected', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['sqlite:', /needs a file path/],
    ['sqlite://x.db', /not a URL with \/\//],
    ['mysql://u:p@h/db', /not sqlite:PATH or postgres:\/\//],
    ['centre.db', /not sqlite:PATH or postgres:\/\//],
    ['postgres://u:p@h', /no database name/],
    ['postgres://u:p@h/', /no database name/],
    ['postgres://u:p@[::1/db', /not a valid URL/],
  ];
  for (const [spec, why] of cases) t.throws(() => parseDatabaseUrl(spec), { name: 'DatabaseUrlError', message: why }, `${spec} is refused`);
  t.throws(() => parseDatabaseUrl('mysql://u:secret@h/db'), DatabaseUrlError, 'a foreign URL is a DatabaseUrlError');
  try {
    parseDatabaseUrl('mysql://u:secret@h/db');
  } catch (err) {
    t.notMatch((err as Error).message, /secret/, 'the password never appears in the message');
  }
});

t.test('passwords are redacted in every description', async (t) => {
  t.equal(redactUrl('postgres://centre:s3cr%40t@h:5432/c'), 'postgres://centre:***@h:5432/c', 'the password is replaced');
  t.equal(redactUrl('postgres://centre@h/c'), 'postgres://centre@h/c', 'a URL without a password is unchanged');
  t.equal(describeLocation({ engine: 'postgres', url: 'postgres://a:b@h/c' }), 'postgres://a:***@h/c', 'describeLocation redacts');
  t.equal(describeLocation({ engine: 'sqlite', path: '/x/c.db' }), 'sqlite:/x/c.db', 'a SQLite location is its path');
});
