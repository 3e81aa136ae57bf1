import { readFileSync } from 'node:fs';
import type { LevelWithSilent } from 'pino';
import { isLocalOnly, parseControlAddress, type ControlAddress } from '../control/control-address.js';
import type { ControlServer } from '../control/control-server.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { ioReason } from '../io-reason.js';
import { loadConfig } from '../lab/config.js';
import type { Lab } from '../lab/lab.js';
import { parseFaultSpec } from '../network/fault-plan.js';
import { untilSignal } from './until-signal.js';
import type { TraceFormat } from '../lab/trace-format.js';
import { checkTraceOptions, openTrace } from './trace-file.js';
import { checkWritable, writeOutputFile } from './user-files.js';

export interface LabCliOptions {
  config?: string;
  state?: string;
  centre: boolean;
  fault: string[];
  control?: string;
  controlTokenFile?: string;
  virtualTime?: boolean;
  report?: string;
  trace?: string;
  traceFormat?: TraceFormat;
}

/** A token file shorter than this is refused: it would be guessable. */
const MIN_TOKEN_CHARS = 16;

function readTokenFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ExitError(`--control-token-file ${path}: cannot read it (${ioReason(err)})`, EXIT.usage);
  }
  const token = text.trim();
  if (token.length < MIN_TOKEN_CHARS || /\s/.test(token)) throw new ExitError(`--control-token-file ${path}: the token must be one word of at least ${MIN_TOKEN_CHARS} characters`, EXIT.usage);
  return token;
}

function controlAddress(spec: string): ControlAddress {
  try {
    return parseControlAddress(spec);
  } catch (err) {
    throw new ExitError((err as Error).message, EXIT.usage); // it names --control and the value
  }
}

/** `--fault TARGET=SPEC`: the target ends at the first '=' (targets never contain one); the spec is checked before the lab starts. */
function parseFault(value: string): [string, string] {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new ExitError(`--fault ${value}: expected LINE=SPEC, e.g. 0800100=busy=3`, EXIT.usage);
  const spec = value.slice(eq + 1);
  try {
    parseFaultSpec(spec);
  } catch (err) {
    throw new ExitError(`--fault ${value}: ${(err as Error).message}`, EXIT.usage);
  }
  return [value.slice(0, eq), spec];
}

/**
 * `hicom-sim lab`: every option and the configuration are checked before
 * anything is bound; runs until SIGINT/SIGTERM (or the control port's
 * lab.stop), then closes every port and file.
 */
export async function lab(opts: LabCliOptions, logLevel: string): Promise<void> {
  // Fail at start, not after a day of running, when the report could not be written.
  if (opts.report !== undefined) checkWritable(opts.report, '--report');
  checkTraceOptions(opts);
  const address = opts.control === undefined ? undefined : controlAddress(opts.control);
  if (opts.controlTokenFile !== undefined && !address) throw new ExitError('--control-token-file needs --control', EXIT.usage);
  if (opts.virtualTime && !address) throw new ExitError('--virtual-time needs --control: nothing else moves the clock', EXIT.usage);
  const fileToken = opts.controlTokenFile === undefined ? undefined : readTokenFile(opts.controlTokenFile);
  const faults = opts.fault.map(parseFault);
  const config = loadConfig(opts.config);
  if (opts.state !== undefined) config.stateDir = opts.state;
  // The command line adds to (and per line overrides) the configuration's faults.
  if (faults.length) config.faults = { ...config.faults, ...Object.fromEntries(faults) };
  // Everything is checked: now the lab itself, and the control port and timeline only when asked for.
  const [{ Lab }, { RealClock }, { VirtualLabClock }, { ClockDriver }, { createLogger }] = await Promise.all([
    import('../lab/lab.js'), import('../adapters/real-clock.js'), import('../lab/virtual-lab-clock.js'), import('../control/clock-driver.js'), import('../logger.js'),
  ]);
  const logger = createLogger(logLevel as LevelWithSilent);
  const virtual = opts.virtualTime ? new VirtualLabClock() : undefined;
  const clock = virtual ?? new RealClock();
  const trace = openTrace(opts);
  let running: Lab;
  try {
    running = await Lab.start(config, { clock, logger, runCentre: opts.centre, ...(trace ? { trace } : {}) });
  } catch (err) {
    trace?.close();
    if (err instanceof ExitError || (err as NodeJS.ErrnoException).code || (err instanceof Error && err.name !== 'Error')) throw err;
    // Lab.start has released what it bound; what failed is a port, device or file of the configuration.
    throw new ExitError(`lab not started: ${(err as Error).message}`, EXIT.connection);
  }
  const timeline = opts.report === undefined ? undefined : await Promise.all([import('../timeline/timeline-recorder.js'), import('../timeline/timeline-page.js')]);
  const recorder = timeline?.[0].TimelineRecorder.forLab(running, `hicom-sim lab (state in ${config.stateDir})`);
  const driver = new ClockDriver(running.events, virtual, () => clock.now(), () => running.settled());
  let stopFromControl: (() => void) | undefined;
  let stopReason = 'signal';
  let control: ControlServer | undefined;
  let token: string | undefined;
  if (address) {
    const { ControlServer, newControlToken } = await import('../control/control-server.js');
    token = fileToken ?? (isLocalOnly(address) ? undefined : newControlToken());
    try {
      control = await ControlServer.listen({ lab: running, clock: driver, address, token, logger, stopLab: (reason) => {
        stopReason = reason;
        stopFromControl?.();
      } });
    } catch (err) {
      driver.close();
      await running.close('control port failed');
      trace?.close();
      throw new ExitError(`--control ${opts.control}: ${ioReason(err)}`, EXIT.connection);
    }
  }
  process.stdout.write(`hicom-sim lab running (state in ${config.stateDir})\n`);
  for (const line of running.describe()) process.stdout.write(`${line}\n`);
  if (virtual) process.stdout.write(`clock: virtual, at ${new Date(clock.now()).toISOString()}; only the control port moves it\n`);
  if (control) {
    process.stdout.write(`control: ${control.description} (JSON lines, docs/control.md)${token ? ', token required' : ''}\n`);
    if (token && !fileToken) process.stdout.write(`control token: ${token}\n`);
  }
  // The handlers go in before the ready line: a rig that signals as soon as
  // it reads the line must find them, or the default action kills the lab
  // without its orderly close.
  const stopped = untilSignal((stop) => {
    stopFromControl = stop;
  });
  process.stdout.write('Ctrl-C stops the lab.\n');
  await stopped;
  driver.close();
  await running.close(stopReason);
  if (trace) {
    trace.close();
    process.stdout.write(`trace: ${trace.path}\n`);
  }
  await control?.close();
  if (timeline && recorder && opts.report !== undefined) {
    writeOutputFile(opts.report, timeline[1].renderTimelinePage('hicom-sim lab', [recorder.finish()]), '--report');
    process.stdout.write(`timeline report: ${opts.report}\n`);
  }
  process.stdout.write('hicom-sim lab stopped\n');
}
