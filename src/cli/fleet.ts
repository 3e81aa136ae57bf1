import { InvalidArgumentError, type Command } from 'commander';
import type { FleetCliOptions } from './fleet-run.js';

const positiveInt = (max: number) => (v: string): number => {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max) throw new InvalidArgumentError(`a whole number 1–${max}`);
  return Number(v);
};
const positive = (max: number) => (v: string): number => {
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v) || !(n > 0) || n > max) throw new InvalidArgumentError(`a number above 0, at most ${max}`);
  return n;
};
const share = (v: string): number => {
  const n = Number(v);
  if (!/^(0(\.\d+)?|1(\.0+)?)$/.test(v)) throw new InvalidArgumentError('a fraction 0–1');
  return n;
};

/** `hicom-sim fleet`: N simulated devices against a real centre over real UDP (docs/fleet.md); the fleet loads when it runs. */
export function register(program: Command): void {
  program
    .command('fleet')
    .description('run N simulated key depots and LAN PBXs (real firmware) against a centre over UDP; summary of acks, naks, timeouts and latency')
    .requiredOption('--centre <udp:HOST:PORT>', "the centre's UDP intake")
    .option('--devices <n>', 'how many devices (default: all of --keys)', positiveInt(1_000_000))
    .option('--keys <file>', 'the devices and their keys, lines "ID KIND KEY" (docs/fleet.md); without it ids and keys are made up, which a real centre rejects')
    .option('--speed <x>', 'run the devices\' clocks x times faster: x times the check-ins of real devices', positive(100_000), 1)
    .option('--duration <s>', 'seconds to run (real time)', positive(7 * 86_400), 60)
    .option('--activity <n>', 'events per device per hour of device time (door, class-B error)', (v) => (v === '0' ? 0 : positive(3600)(v)), 1)
    .option('--pbx-share <f>', 'share of PBXs among made-up devices (0–1)', share, 0.5)
    .option('--sockets <n>', 'UDP sockets the devices share', positiveInt(1024), 16)
    .option('--seed <n>', 'seed for made-up keys, start times and activity (repeatable runs)', positiveInt(2 ** 31))
    .option('--write-keys <file>', 'write the (made-up) devices and keys as a keys file, e.g. for a test centre')
    .option('--json', 'print the summary as one JSON object')
    .action(async (o: FleetCliOptions) => (await import('./fleet-run.js')).fleet(o, program.opts<{ logLevel: string }>().logLevel));
}
