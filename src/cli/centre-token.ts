import type { Command } from 'commander';
import { ApiTokenError, ApiTokens, parseRights } from '../database/api-tokens.js';
import { addCentreDbOptions, cliLogger, localActor, openCentreDatabase, type CentreDbOptions } from './centre-options.js';
import { CliError } from './cli-error.js';

async function withTokens<T>(program: Command, opts: CentreDbOptions, fn: (tokens: ApiTokens) => Promise<T>): Promise<T> {
  const db = await openCentreDatabase(opts, cliLogger(program));
  try {
    return await fn(new ApiTokens(db));
  } catch (err) {
    if (err instanceof ApiTokenError) throw new CliError(err.message, 2);
    throw err;
  } finally {
    await db.close();
  }
}

/** `hicom-sim centre token add|list|revoke`: API tokens for scripts (docs/centre-api.md). */
export function registerTokenCommands(centre: Command, program: Command): void {
  const token = centre.command('token').description('API tokens for scripts: sent as "Authorization: Bearer TOKEN" (stored only as a salted hash)');
  addCentreDbOptions(
    token
      .command('add <name>')
      .description('create a token; prints it (one line) and nothing else on stdout — the only time it is shown')
      .option('--rights <list>', 'comma-separated: read (everything the API shows), operate (events, device commands), admin (devices)', 'read'),
  ).action(async (name: string, opts: CentreDbOptions & { rights: string }) => {
    const { secret } = await withTokens(program, opts, (t) => t.create(name, parseRights(opts.rights), localActor(), Date.now()));
    process.stdout.write(`${secret}\n`);
  });
  addCentreDbOptions(token.command('list').description('every token (never its secret)').option('--json', 'machine-readable output')).action(async (opts: CentreDbOptions & { json?: boolean }) => {
    const tokens = await withTokens(program, opts, (t) => t.list());
    if (opts.json) return void process.stdout.write(`${JSON.stringify(tokens, null, 2)}\n`);
    process.stdout.write('name                             rights                 created              revoked\n');
    for (const k of tokens) process.stdout.write(`${k.name.padEnd(32)} ${k.rights.join(',').padEnd(22)} ${new Date(k.createdAt).toISOString().slice(0, 19)}  ${k.revokedAt ? new Date(k.revokedAt).toISOString().slice(0, 19) : '-'}\n`);
    if (tokens.length === 0) process.stdout.write('(no tokens)\n');
  });
  addCentreDbOptions(token.command('revoke <name>').description('revoke a token (every process stops accepting it at once)')).action(async (name: string, opts: CentreDbOptions) => {
    if (!(await withTokens(program, opts, (t) => t.revoke(name, localActor(), Date.now())))) throw new CliError(`no active token ${name}`);
    process.stdout.write(`revoked ${name}\n`);
  });
}
