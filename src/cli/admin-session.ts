import { parseLineSpec } from '../adapters/line-spec.js';
import { SessionClient, SessionError } from '../clients/session-client.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { ask } from './prompt.js';

/**
 * A short session on a PBX's admin port for the one-shot commands (`kds
 * save`, `revisor fetch|archive`): check the spec, ask name and password
 * (or HICOM_USER / HICOM_PASSWORD), connect, log in, run `body`, log out.
 * A refused login exits 5, an ERROR answer 1, a dead or silent line 3;
 * `failureNote` is added to every failure after the login (e.g. "nothing
 * was deleted in the PBX").
 */
export async function withAdminSession<T>(connect: string, body: (client: SessionClient, user: { name: string; password: string }) => Promise<T>, failureNote = ''): Promise<T> {
  const spec = parseLineSpec(connect, 'connect');
  if (spec.kind !== 'tcp') throw new ExitError(`--connect takes tcp:HOST:PORT here, not "${connect}"; dial in through a modem with "hicom-sim assistant"`, EXIT.usage);
  const name = await ask('User: ', { env: 'HICOM_USER' });
  const password = await ask('Password: ', { secret: true, env: 'HICOM_PASSWORD' });
  const client = await SessionClient.connectTcp(spec.host, spec.port);
  try {
    try {
      await client.login(name, password);
    } catch (err) {
      if (err instanceof SessionError && err.reply) throw new ExitError(err.message, EXIT.access);
      throw err;
    }
    const result = await body(client, { name, password });
    await client.command('logout');
    return result;
  } catch (err) {
    if (err instanceof SessionError) throw new ExitError(`${err.message}${failureNote}`, err.reply ? EXIT.failed : EXIT.connection);
    if (err instanceof ExitError) throw err;
    if (err instanceof Error && failureNote) err.message += failureNote;
    throw err;
  } finally {
    client.close();
  }
}
