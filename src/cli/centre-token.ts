import type { Command } from 'commander';
import { addCentreDbOptions, type CentreDbOptions } from './centre-options.js';

/** `hicom-sim centre token add|list|revoke`: API tokens for scripts (docs/centre-api.md); the database layer loads when one runs. */
export function registerTokenCommands(centre: Command, program: Command): void {
  const run = (): Promise<typeof import('./centre-token-run.js')> => import('./centre-token-run.js');
  const token = centre.command('token').description('API tokens for scripts: sent as "Authorization: Bearer TOKEN" (stored only as a salted hash)');
  addCentreDbOptions(
    token
      .command('add <name>')
      .description('create a token; prints it (one line) and nothing else on stdout — the only time it is shown')
      .option('--rights <list>', 'comma-separated: read (everything the API shows), operate (events, device commands), admin (devices)', 'read'),
  ).action(async (name: string, opts: CentreDbOptions & { rights: string }) => (await run()).add(program, name, opts));
  addCentreDbOptions(token.command('list').description('every token (never its secret)').option('--json', 'machine-readable output')).action(async (opts: CentreDbOptions & { json?: boolean }) => (await run()).list(program, opts));
  addCentreDbOptions(token.command('revoke <name>').description('revoke a token (every process stops accepting it at once)')).action(async (name: string, opts: CentreDbOptions) => (await run()).revoke(program, name, opts));
}
