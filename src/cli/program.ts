import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Every CLI command module exports `register(program)`; this file lists them
 * so `bin/hicom-sim.ts` stays a two-line entry point.
 */
export type CommandModule = { register(program: Command): void };

const modules: Array<() => Promise<CommandModule>> = [
  () => import('./lab.js'),
  () => import('./config.js'),
  () => import('./kds.js'),
  () => import('./dtmf.js'),
  () => import('./report.js'),
  () => import('./archive.js'),
  () => import('./revisor.js'),
  () => import('./assistant.js'),
  () => import('./aps.js'),
  () => import('./centre.js'),
  () => import('./scenario.js'),
  () => import('./fleet.js'),
  () => import('./pbx.js'),
  () => import('./card.js'),
  () => import('./lan-relay.js'),
];

function packageVersion(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ['../..', '../../..']) {
    try {
      return (JSON.parse(readFileSync(join(here, up, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      // try the next level: the file runs from src/ under ts-node and from dist/src/ when built
    }
  }
  return '0.0.0';
}

export async function buildProgram(): Promise<Command> {
  const program = new Command('hicom-sim')
    .description('Hicom-style PBX, its IMOD and X.75 modems, the telephone network and the service centre — over serial ports, ptys and TCP')
    .version(packageVersion())
    .addOption(new Option('--log-level <level>', 'log level').choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'))
    .showHelpAfterError()
    .configureOutput({ outputError: (str, write) => write(str) });
  for (const load of modules) (await load()).register(program);
  return program;
}
