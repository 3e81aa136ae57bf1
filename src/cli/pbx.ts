import type { Command } from 'commander';

/** `hicom-sim pbx …`: hardware actions on a PBX of a running lab, through the lab's control socket. */
export function register(program: Command): void {
  const pbx = program.command('pbx').description('hardware actions on a PBX of a running lab (the lab found by its state directory)');
  pbx
    .command('reload <id>')
    .description('press the reload switch: the PBX restarts with its delivered database (default KDS, SERVICE with its default password, AMHOST, PIN default); the protocol log stays and records the reload')
    .option('-c, --config <file>', 'the configuration the lab runs with (its stateDir locates the lab)')
    .option('-s, --state <dir>', 'the state directory of the running lab (overrides the configuration)')
    .action(async (id: string, opts: { config?: string; state?: string }) => (await import('./pbx-run.js')).reload(id, opts));
}
