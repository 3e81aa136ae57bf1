import type { Command } from 'commander';
import { accessSync, constants, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { LevelWithSilent } from 'pino';
import { loadConfig, ConfigError } from '../lab/config.js';
import { Lab } from '../lab/lab.js';
import { VirtualLabClock } from '../lab/virtual-lab-clock.js';
import { parseFaultSpec } from '../network/fault-plan.js';
import { createLogger } from '../logger.js';
import { RealClock } from '../adapters/real-clock.js';
import { ClockDriver } from '../control/clock-driver.js';
import { isLocalOnly, parseControlAddress, type ControlAddress } from '../control/control-address.js';
import { ControlServer, newControlToken } from '../control/control-server.js';
import { renderTimelinePage } from '../timeline/timeline-page.js';
import { TimelineRecorder } from '../timeline/timeline-recorder.js';
import { CliError } from './cli-error.js';
import { writeReport } from './report-file.js';
import { untilSignal } from './until-signal.js';

/** A token file shorter than this is refused: it would be guessable. */
const MIN_TOKEN_CHARS = 16;

function readTokenFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CliError(`--control-token-file ${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, 2);
  }
  const token = text.trim();
  if (token.length < MIN_TOKEN_CHARS || /\s/.test(token)) throw new CliError(`--control-token-file ${path}: the token must be one word of at least ${MIN_TOKEN_CHARS} characters`, 2);
  return token;
}

/** Fail at start, not after a day of running, when the report could not be written. */
function reportWritable(path: string): void {
  try {
    accessSync(dirname(resolve(path)), constants.W_OK);
  } catch (err) {
    throw new CliError(`--report ${path}: its directory is not writable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, 2);
  }
}

function controlAddress(spec: string): ControlAddress {
  try {
    return parseControlAddress(spec);
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
}

/** `--fault TARGET=SPEC`: the target ends at the first '=' (targets never contain one); the spec is checked at once. */
function collectFault(value: string, previous: Array<[string, string]>): Array<[string, string]> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new CliError(`--fault ${value}: expected LINE=SPEC, e.g. 0800100=busy=3`, 2);
  const target = value.slice(0, eq);
  const spec = value.slice(eq + 1);
  try {
    parseFaultSpec(spec);
  } catch (err) {
    throw new CliError(`--fault ${value}: ${(err as Error).message}`, 2);
  }
  return [...previous, [target, spec]];
}

export function register(program: Command): void {
  program
    .command('lab')
    .description('run a lab in real time: PBXs, network, modems and centre (the embedded default unless --config)')
    .option('-c, --config <file>', 'lab configuration (YAML or JSON); see "hicom-sim config example"')
    .option('-s, --state <dir>', 'state directory (overrides stateDir of the configuration)')
    .option('--no-centre', 'do not run the centre in-process: leave its modem to "hicom-sim centre receive" or your own software')
    .option('-f, --fault <line=spec>', 'inject a network fault, e.g. 0800100=corrupt=0.001 or HSIM-0001:791=busy=2 (repeatable; docs/network.md)', collectFault, [] as Array<[string, string]>)
    .option('--control <address>', 'JSON control port for test rigs: tcp:[HOST:]PORT or unix:PATH (docs/control.md)')
    .option('--control-token-file <file>', 'clients of the control port must send this token first (a port off loopback gets a new token printed at start otherwise)')
    .option('--virtual-time', 'run on a virtual clock that only the control port moves (clock.advance, run-until)')
    .option('--report <file.html>', 'when the lab stops, write a timeline report: one self-contained HTML page with a chart of calls, signaling, faults … per device and the verdicts rigs recorded')
    .action(async (opts: { config?: string; state?: string; centre: boolean; fault: Array<[string, string]>; control?: string; controlTokenFile?: string; virtualTime?: boolean; report?: string }) => {
      if (opts.report !== undefined) reportWritable(opts.report);
      const address = opts.control === undefined ? undefined : controlAddress(opts.control);
      if (opts.controlTokenFile !== undefined && !address) throw new CliError('--control-token-file needs --control', 2);
      if (opts.virtualTime && !address) throw new CliError('--virtual-time needs --control: nothing else moves the clock', 2);
      const fileToken = opts.controlTokenFile === undefined ? undefined : readTokenFile(opts.controlTokenFile);
      let config;
      try {
        config = loadConfig(opts.config);
      } catch (err) {
        if (err instanceof ConfigError) throw new CliError(err.message, 2);
        throw err;
      }
      if (opts.state) config.stateDir = opts.state;
      // The command line adds to (and per line overrides) the configuration's faults.
      if (opts.fault.length) config.faults = { ...config.faults, ...Object.fromEntries(opts.fault) };
      const logger = createLogger(program.opts<{ logLevel: LevelWithSilent }>().logLevel);
      const virtual = opts.virtualTime ? new VirtualLabClock() : undefined;
      const clock = virtual ?? new RealClock();
      let lab: Lab;
      try {
        lab = await Lab.start(config, { clock, logger, runCentre: opts.centre });
      } catch (err) {
        throw new CliError((err as Error).message);
      }
      const recorder = opts.report === undefined ? undefined : TimelineRecorder.forLab(lab, `hicom-sim lab (state in ${config.stateDir})`);
      const driver = new ClockDriver(lab.events, virtual, () => clock.now(), () => lab.settled());
      let stopFromControl: (() => void) | undefined;
      let stopReason = 'signal';
      let control: ControlServer | undefined;
      let token: string | undefined;
      if (address) {
        token = fileToken ?? (isLocalOnly(address) ? undefined : newControlToken());
        try {
          control = await ControlServer.listen({ lab, clock: driver, address, token, logger, stopLab: (reason) => {
            stopReason = reason;
            stopFromControl?.();
          } });
        } catch (err) {
          await lab.close('control port failed');
          throw new CliError(`--control ${opts.control}: ${(err as Error).message}`);
        }
      }
      process.stdout.write(`hicom-sim lab running (state in ${config.stateDir})\n`);
      for (const line of lab.describe()) process.stdout.write(`${line}\n`);
      if (virtual) process.stdout.write(`clock: virtual, at ${new Date(clock.now()).toISOString()}; only the control port moves it\n`);
      if (control) {
        process.stdout.write(`control: ${control.description} (JSON lines, docs/control.md)${token ? ', token required' : ''}\n`);
        if (token && !fileToken) process.stdout.write(`control token: ${token}\n`);
      }
      process.stdout.write('Ctrl-C stops the lab.\n');
      await untilSignal((stop) => {
        stopFromControl = stop;
      });
      driver.close();
      await lab.close(stopReason);
      await control?.close();
      if (recorder && opts.report) writeReport(opts.report, renderTimelinePage('hicom-sim lab', [recorder.finish()]));
      process.stdout.write('hicom-sim lab stopped\n');
    });
}
