import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { LevelWithSilent } from 'pino';
import { DatabaseOpenError, type CentreDatabase } from '../database/centre-database.js';
import { DatabaseUrlError, defaultDatabasePath, parseDatabaseUrl, type DatabaseLocation } from '../database/database-url.js';
import { DeviceRegistry } from '../database/device-registry.js';
import type { BusMessage } from '../database/event-bus.js';
import { openDatabase } from '../database/open-database.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { createLogger, type Logger } from '../logger.js';
import { MasterKey, MasterKeyError } from '../storage/master-key.js';
import type { CentreDbOptions } from './centre-options.js';

/**
 * Opening the centre's database and registry for a command (loaded only
 * when a centre command runs). A bad `--db` or a database that is not ours
 * is bad input (2); a PostgreSQL server that cannot be reached is no
 * connection (3).
 */
export function cliLogger(program: Command, run: 'service' | 'one-shot' = 'service'): Logger {
  const level = program.opts<{ logLevel: LevelWithSilent }>().logLevel;
  // A command that answers and ends says what it did on stdout; its info
  // lines (a schema migrated on the way) would be noise on the user's
  // terminal, so it logs warnings and worse unless --log-level was given.
  const quiet = run === 'one-shot' && program.getOptionValueSource('logLevel') === 'default';
  return createLogger(quiet ? 'warn' : level);
}

/** How a command uses the database: a read-only one (status, list, show) never creates one, nor its directory. */
export interface OpenUse {
  readOnly?: boolean;
}

function locationOf(opts: CentreDbOptions): DatabaseLocation {
  try {
    return parseDatabaseUrl(opts.db ?? `sqlite:${defaultDatabasePath(opts.state)}`);
  } catch (err) {
    if (err instanceof DatabaseUrlError) throw new ExitError(err.message, EXIT.usage);
    throw err;
  }
}

/** A read-only command on a SQLite database that is not there: said in one line, and nothing is made. */
function refuseMissing(location: DatabaseLocation, use: OpenUse): void {
  if (use.readOnly && location.engine === 'sqlite' && !existsSync(location.path)) {
    throw new ExitError(`no centre database at ${location.path} (centre device add, centre receive or centre serve makes it; -s or --db names another); nothing was created`, EXIT.usage);
  }
}

/** Open the database named by the options; every failure is one line. */
export async function openCentreDatabase(opts: CentreDbOptions, logger: Logger, use: OpenUse = {}): Promise<CentreDatabase> {
  const location = locationOf(opts);
  refuseMissing(location, use);
  try {
    return await openDatabase(location, { logger });
  } catch (err) {
    if (err instanceof DatabaseOpenError) throw new ExitError(err.message, location.engine === 'postgres' ? EXIT.connection : EXIT.usage);
    throw err;
  }
}

/** The database and the device registry under the state directory's master key. */
export async function openDeviceRegistry(opts: CentreDbOptions, logger: Logger, use: OpenUse = {}): Promise<{ db: CentreDatabase; registry: DeviceRegistry; master: MasterKey }> {
  refuseMissing(locationOf(opts), use);
  // The key first: a state directory that cannot hold one fails before a database is created or migrated.
  const key = masterKey(opts.state);
  const db = await openCentreDatabase(opts, logger);
  try {
    return { db, registry: await DeviceRegistry.open(db, key), master: key };
  } catch (err) {
    await db.close();
    if (err instanceof MasterKeyError) throw new ExitError(err.message, EXIT.usage);
    throw err;
  }
}

/** The centre's master key for a command; a wrong or unreadable one is bad input. */
export function masterKey(stateDir: string): MasterKey {
  try {
    return MasterKey.load(stateDir);
  } catch (err) {
    if (err instanceof MasterKeyError) throw new ExitError(err.message, EXIT.usage);
    throw err;
  }
}

/** The audit trail's actor for a command run on this machine. */
export function localActor(): { actor: string } {
  return { actor: `cli:${userInfo().username}` };
}

/**
 * Tell every serving process on the database that `message.topic` changed
 * (event-bus.ts): a NOTIFY on PostgreSQL. On SQLite the commit is the
 * notice — the serving processes see the file's change counter move.
 */
export async function notifyServices(db: CentreDatabase, logger: Logger, message: BusMessage): Promise<void> {
  if (db.engine !== 'postgres') return;
  const [{ openEventBus }, { RealClock }] = await Promise.all([import('../database/open-event-bus.js'), import('../adapters/real-clock.js')]);
  const bus = await openEventBus(db, new RealClock(), logger);
  try {
    await bus.publish(message);
  } finally {
    await bus.close();
  }
}
