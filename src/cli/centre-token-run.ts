import type { Command } from 'commander';
import { ApiTokenError, ApiTokens, parseRights } from '../database/api-tokens.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { cliLogger, localActor, openCentreDatabase, type OpenUse } from './centre-db-run.js';
import type { CentreDbOptions } from './centre-options.js';

/** The actions of `hicom-sim centre token …`; a refused name or right is bad input (exit 2). */
async function withTokens<T>(program: Command, opts: CentreDbOptions, fn: (tokens: ApiTokens) => Promise<T>, use: OpenUse = {}): Promise<T> {
  const db = await openCentreDatabase(opts, cliLogger(program, 'one-shot'), use);
  try {
    return await fn(new ApiTokens(db));
  } catch (err) {
    if (err instanceof ApiTokenError) throw new ExitError(err.message, EXIT.usage);
    throw err;
  } finally {
    await db.close();
  }
}

export async function add(program: Command, name: string, opts: CentreDbOptions & { rights: string }): Promise<void> {
  const { secret } = await withTokens(program, opts, (t) => t.create(name, parseRights(opts.rights), localActor(), Date.now()));
  process.stdout.write(`${secret}\n`);
}

export async function list(program: Command, opts: CentreDbOptions & { json?: boolean }): Promise<void> {
  const tokens = await withTokens(program, opts, (t) => t.list(), { readOnly: true });
  if (opts.json) return void process.stdout.write(`${JSON.stringify(tokens, null, 2)}\n`);
  process.stdout.write('name                             rights                 created              revoked\n');
  for (const k of tokens) process.stdout.write(`${k.name.padEnd(32)} ${k.rights.join(',').padEnd(22)} ${new Date(k.createdAt).toISOString().slice(0, 19)}  ${k.revokedAt ? new Date(k.revokedAt).toISOString().slice(0, 19) : '-'}\n`);
  if (tokens.length === 0) process.stdout.write('(no tokens)\n');
}

export async function revoke(program: Command, name: string, opts: CentreDbOptions): Promise<void> {
  if (!(await withTokens(program, opts, (t) => t.revoke(name, localActor(), Date.now())))) throw new ExitError(`no active token ${name}`, EXIT.usage);
  process.stdout.write(`revoked ${name}\n`);
}
