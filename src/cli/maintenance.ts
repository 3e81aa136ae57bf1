import { InvalidArgumentError, type Command } from 'commander';
import { parseClockWindow } from '../maintenance/clock-window.js';
import { DEFAULT_FUNCTION_TEST_WAIT_MS, MAX_FUNCTION_TEST_WAIT_MINUTES } from '../maintenance/function-test-wait.js';
import { addCentreDbOptions, type CentreDbOptions } from './centre-options.js';
import type { PlanAddOptions } from './maintenance-run.js';
import type { AccessSetOptions, RunNowOptions } from './maintenance-visit-run.js';
import { collect, lineSpec, numberIn } from './option-values.js';

/*
 * `hicom-sim maintenance …` (docs/maintenance-plans.md): declared here
 * cheaply; the database and the lab's control socket load
 * (maintenance-run.ts, maintenance-deactivate-run.ts) only when one runs.
 */

/** The steps a plan may list (src/maintenance/maintenance-plan.ts checks them; named here for the help). */
const STEP_NAMES = 'errors, kds-backup, archive, aps, function-test';

/** `20:00-06:00` → the window's start and its length in minutes (the end may be after midnight). */
function clockWindow(v: string): { start: [number, number]; minutes: number } {
  const w = parseClockWindow(v);
  if (!w) throw new InvalidArgumentError('expected HH:MM-HH:MM, e.g. 20:00-06:00');
  return { start: [w.hour, w.minute], minutes: w.minutes };
}

const run = () => import('./maintenance-run.js');
const deactivation = () => import('./maintenance-deactivate-run.js');
const visits = () => import('./maintenance-visit-run.js');

export function register(program: Command): void {
  const maintenance = program.command('maintenance').description('after-hours maintenance: plans that visit devices in a window, their history, ending a LAN teleservice contract');
  const plan = maintenance.command('plan').description('maintenance plans in the centre database');

  addCentreDbOptions(plan.command('add <name>')
    .description('add a plan: which devices, a window, the steps in order')
    .option('--devices <ids>', 'comma-separated device ids')
    .option('--customer <name>', 'every PBX registered for this customer (instead of --devices)')
    .option('--window <HH:MM-HH:MM>', 'the window by the clock, e.g. 20:00-06:00 (ends the next morning)', clockWindow)
    .option('--days <cron-dow>', 'with --window: days of the week as cron writes them, e.g. 1-5 (Monday–Friday)', '*')
    .option('--cron <expr>', 'instead of --window: a cron expression for the window\'s start, e.g. "0 20 * * 1-5"')
    .option('--minutes <n>', 'with --cron: the window\'s length in minutes', numberIn(0, 24 * 60))
    .option('--time-zone <tz>', 'IANA time zone the window is read in for devices without one of their own (centre device … --tz)', 'UTC')
    .option('--holidays <dates>', 'comma-separated YYYY-MM-DD dates on which no window starts')
    .option('--steps <list>', `steps in order, from ${STEP_NAMES}`, 'errors,kds-backup,archive,function-test')
    .option('--target-aps <version>', 'the APS version the aps step checks for')
    .option('--load-aps', 'load the target APS where another runs')
    .option('--retention <n>', 'KDS backups kept per device', numberIn(1, 100), 7)
    .option('--retries <n>', 'retries of a failed step inside the window', numberIn(0, 10), 2)
    .option('--lan-concurrency <n>', 'at most this many LAN visits of the plan at once (the centre\'s modems bound the modem visits)', numberIn(1, 1000), 8)
    .option('--service-user <name>', 'the PBX user visits log in as', 'service')
    .option('--function-test-wait <min>', `how long the function-test step waits for the PBX's report (default ${DEFAULT_FUNCTION_TEST_WAIT_MS / 60_000}: the longest signaling interval and a call)`, numberIn(1, MAX_FUNCTION_TEST_WAIT_MINUTES)))
    .action(async (name: string, o: PlanAddOptions) => (await run()).planAdd(program, name, o));
  addCentreDbOptions(plan.command('list').description('every plan, one line each')).action(async (o: CentreDbOptions) => (await run()).planList(program, o));
  addCentreDbOptions(plan.command('show <name>').description('a plan in full with its next windows')).action(async (name: string, o: CentreDbOptions) => (await run()).planShow(program, name, o));
  addCentreDbOptions(plan.command('remove <name>').description('remove a plan with its visit history')).action(async (name: string, o: CentreDbOptions) => (await run()).planRemove(program, name, o));
  addCentreDbOptions(maintenance.command('history')
    .description('visits, newest first, each with its steps: start, end, outcome, bytes, output')
    .option('--device <id>', 'only this device')
    .option('--limit <n>', 'at most this many visits', numberIn(1, 10_000), 20)
    .option('--json', 'one JSON object per visit'))
    .action(async (o: CentreDbOptions & { device?: string; limit: number; json?: boolean }) => (await run()).history(program, o));

  addCentreDbOptions(maintenance.command('run-now <plan>')
    .description('visit the plan\'s devices now: a window opens at once for the plan\'s window length (its cron and holidays aside); per device and step what happened. Exit 0 when every visit ended done, 1 otherwise')
    .option('--modem <line>', 'a centre modem\'s DTE line (tcp:HOST:PORT, pty:PATH, serial:DEVICE[@BAUD]) for the modem visits; repeat for several', (v: string, prev: string[]) => collect(lineSpec(v), prev), [])
    .option('--lan-concurrency <n>', 'at most this many LAN visits at once (default: the plan\'s)', numberIn(1, 1000))
    .option('--minutes <n>', 'the window\'s length instead of the plan\'s', numberIn(1, 24 * 60))
    .option('--aps-dir <dir>', 'the APS images the aps step loads (default <state>/centre/aps)')
    .option('--json', 'one JSON object per device'))
    .action(async (name: string, o: RunNowOptions) => (await visits()).runNow(program, name, o));
  const access = maintenance.command('access').description('how the centre reaches each PBX for its visits (LAN teleservice, modem, callback); PIN and passwords stored sealed');
  addCentreDbOptions(access.command('set <device>')
    .description(`store how to reach a PBX; the customer PIN, the service user's password and a callback code from $HICOM_PIN, $HICOM_PASSWORD, $HICOM_CALLBACK_CODE, the terminal, or piped lines in that order`)
    .option('--lan <host:port>', 'its LAN teleservice address as the provider network reaches it')
    .option('--lan-route <route>', 'how the centre gets onto the provider network: direct, bind:ADDRESS or netns:NAME', 'direct')
    .option('--modem <number>', 'its IMOD number for the centre\'s modems')
    .option('--callback-index <n>', 'with --modem: ask the PBX to call back on this callback index (its KDS has the number)', numberIn(1, 6))
    .option('--service-user <name>', 'the PBX user the visits log in as (the plan\'s service user)', 'service'))
    .action(async (device: string, o: AccessSetOptions) => (await visits()).accessSet(program, device, o));
  addCentreDbOptions(access.command('list').description('every device with stored access (never a secret)')).action(async (o: CentreDbOptions) => (await visits()).accessList(program, o));
  addCentreDbOptions(access.command('remove <device>').description('forget how to reach a PBX')).action(async (device: string, o: CentreDbOptions) => (await visits()).accessRemove(program, device, o));

  addCentreDbOptions(maintenance.command('deactivate <device>').description('end the LAN teleservice contract: disconnect the provider network from the customer LAN and revoke the PBX\'s service-network entry (the lab of -s), recorded in the centre database'))
    .action(async (device: string, o: CentreDbOptions) => (await deactivation()).setLink(program, device, false, o));
  addCentreDbOptions(maintenance.command('reactivate <device>').description('the reverse of deactivate: join the networks again and give the PBX its service-network entry back'))
    .action(async (device: string, o: CentreDbOptions) => (await deactivation()).setLink(program, device, true, o));
  addCentreDbOptions(maintenance.command('verify-deactivated <device>')
    .description('prove a deactivation: a ping (where the lab has namespaces) and a TCP connect to the LAN teleservice port from the provider\'s side must both fail; the result is stored as evidence. Exit 1 when the PBX is still reachable')
    .option('--json', 'print the evidence as JSON'))
    .action(async (device: string, o: CentreDbOptions & { json?: boolean }) => (await deactivation()).verify(program, device, o));
}
