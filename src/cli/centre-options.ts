import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { LevelWithSilent } from 'pino';
import { DatabaseOpenError, type CentreDatabase } from '../database/centre-database.js';
import { DatabaseUrlError, defaultDatabasePath, parseDatabaseUrl } from '../database/database-url.js';
import { DeviceRegistry } from '../database/device-registry.js';
import { openDatabase } from '../database/open-database.js';
import { MasterKey, MasterKeyError } from '../storage/master-key.js';
import { createLogger, type Logger } from '../logger.js';
import { CliError } from './cli-error.js';

/** The state directory every command defaults to (the lab's `stateDir`). */
export const DEFAULT_STATE_DIR = './hicom-state';

export interface CentreDbOptions {
  db?: string;
  state: string;
}

/** `--db` and `-s`: the same pair in every centre command, so that processes given the same ones share a database and a master key. */
export function addCentreDbOptions(cmd: Command): Command {
  return cmd
    .option('--db <spec>', 'the centre database: sqlite:PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE (default: sqlite:<state>/centre/centre.db)')
    .option('-s, --state <dir>', 'state directory (master key in <state>/centre/master.key unless HICOM_MASTER_KEY is set)', DEFAULT_STATE_DIR);
}

export function cliLogger(program: Command): Logger {
  return createLogger(program.opts<{ logLevel: LevelWithSilent }>().logLevel);
}

/** Open the database named by the options; every failure is one CliError line. */
export async function openCentreDatabase(opts: CentreDbOptions, logger: Logger): Promise<CentreDatabase> {
  try {
    const location = parseDatabaseUrl(opts.db ?? `sqlite:${defaultDatabasePath(opts.state)}`);
    return await openDatabase(location, { logger });
  } catch (err) {
    if (err instanceof DatabaseUrlError) throw new CliError(err.message, 2);
    if (err instanceof DatabaseOpenError) throw new CliError(err.message);
    throw err;
  }
}

/** The database and the device registry under the state directory's master key. */
export async function openDeviceRegistry(opts: CentreDbOptions, logger: Logger): Promise<{ db: CentreDatabase; registry: DeviceRegistry }> {
  const db = await openCentreDatabase(opts, logger);
  try {
    return { db, registry: await DeviceRegistry.open(db, MasterKey.load(opts.state)) };
  } catch (err) {
    await db.close();
    if (err instanceof MasterKeyError) throw new CliError(err.message);
    throw err;
  }
}

/** The audit trail's actor for a command run on this machine. */
export function localActor(): { actor: string } {
  return { actor: `cli:${userInfo().username}` };
}
