import { createServer, type Server } from 'node:net';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command, Option } from 'commander';
import t from 'tap';
import { commandLabel } from '../../src/cli/cli-failure.js';
import { buildProgram, leafCommands } from '../../src/cli/program.js';
import { EXIT } from '../../src/exit-codes.js';
import { BAD_CLASSES, KDS_CREDENTIALS, makeFixtures, snapshot, type Fixtures, type InputKind } from './bad-input-fixtures.js';
import { freePort, runCliAsync, tempDir, type CliRun } from './lab-child.js';

/**
 * Issue 18's matrix: every command the program registers (read from
 * `buildProgram()`, so a new command is in here the moment it exists)
 * against every class of bad input — unknown, missing, empty and wrongly
 * typed options and arguments; missing, directory, empty, garbage,
 * truncated and bit-flipped input files; unwritable outputs; stdin closed
 * with no credentials; malformed connect and bind specs; nothing listening;
 * a port in use — and for each run: the documented exit code, exactly one
 * line on stderr naming the problem, no stack trace, finished within
 * BOUND_MS, and every input file byte-identical afterwards.
 *
 * Per command the test needs one valid invocation (VALID) that the variants
 * change one thing at a time; a command without one fails the test.
 */
const BOUND_MS = 30_000;
/** Child processes at a time: the machine has two cores; a few more hide the runs that wait (a modem that never answers). */
const PARALLEL = 6;

const dir = tempDir(t, 'hicom-bad-input-');
const fixtures: Fixtures = makeFixtures(join(dir, 'inputs'));
const outDir = join(dir, 'outputs');
mkdirSync(outDir);
let outputs = 0;
/** A fresh output path per run, so parallel runs never share one. */
const output = (name: string): string => join(outDir, `${++outputs}-${name}`);

/** The role of a parameter (`<arg>` or `--long`) of a command, where it is not plain text. */
type Role = { input: InputKind } | { output: string } | { connect: true } | { bindDir: true } | { centreState: true } | { database: true } | { control: true } | { udpCentre: true };

interface Valid {
  /** Arguments and options of a valid run; `{input: k}` and the like are filled per run. */
  args: Array<string | Role>;
  opts: Record<string, string | true | Role>;
  /** Environment the valid run needs (credentials). */
  env?: Record<string, string>;
  /** The command asks for name and password when the environment does not give them. */
  prompts?: boolean;
  /** Exit code of the valid run itself (0; 3 when it needs a PBX or modem and gets nothing listening); undefined: never run (it would keep running). */
  expect?: number;
}

const kds: Role = { input: 'kds' };
const connect: Role = { connect: true };
/** A copy, per run, of a state directory whose centre database has device DEV1 (so no run changes another's). */
const centreState: Role = { centreState: true };
const db: Record<string, Role> = { '--state': centreState };
/** A portal password strong enough for `centre person add`. */
const PORTAL_PASSWORD = 'correct horse battery';

const VALID: Record<string, Valid> = {
  lab: { args: [], opts: { '--config': { input: 'config' }, '--state': { bindDir: true }, '--control': { control: true }, '--control-token-file': { input: 'token' }, '--report': { output: 'lab.html' }, '--trace': { output: 'lab.pcapng' }, '--trace-format': 'wireshark' } },
  'config example': { args: [], opts: {}, expect: EXIT.ok },
  'config check': { args: [{ input: 'config' }], opts: {}, expect: EXIT.ok },
  'kds new': { args: [{ output: 'new.kds' }], opts: { '--type': 'OfficeCom', '--system-version': 'HE300M.00.001.01' }, expect: EXIT.ok },
  'kds open': { args: [kds], opts: {}, env: KDS_CREDENTIALS, prompts: true, expect: EXIT.ok },
  'kds show': { args: [kds, 'station.100'], opts: {}, env: KDS_CREDENTIALS, prompts: true, expect: EXIT.ok },
  'kds save': { args: [{ output: 'saved.kds' }], opts: { '--connect': connect }, env: KDS_CREDENTIALS, prompts: true, expect: EXIT.connection },
  'dtmf decode': { args: [{ input: 'wav' }], opts: {}, expect: EXIT.ok },
  'dtmf gen': { args: ['123#'], opts: { '--output': { output: 'gen.wav' }, '--on': '60', '--rate': '8000' }, expect: EXIT.ok },
  'report decode': { args: [{ input: 'report' }], opts: {}, expect: EXIT.ok },
  'archive view': { args: [{ input: 'archive' }], opts: { '--from': '2026-01-01', '--to': '2026-12-31' }, expect: EXIT.ok },
  'archive verify': { args: [{ input: 'archive' }], opts: { '--system-id': '4711-0815' }, expect: EXIT.ok },
  'revisor fetch': { args: [], opts: { '--connect': connect, '--from': '1', '--out': { output: 'fetch.txt' } }, env: KDS_CREDENTIALS, prompts: true, expect: EXIT.connection },
  'revisor archive': { args: [{ input: 'archive' }], opts: { '--connect': connect }, env: KDS_CREDENTIALS, prompts: true, expect: EXIT.connection },
  assistant: { args: [], opts: { '--connect': connect, '--script': { input: 'script' }, '--timeout': '5000' }, env: KDS_CREDENTIALS, prompts: true, expect: EXIT.connection },
  'aps build': { args: [], opts: { '--aps-version': 'HE300M.00.002.01', '--type': 'OfficePro', '--output': { output: 'image.aps' }, '--size': '1024' }, expect: EXIT.ok },
  'aps check': { args: [{ input: 'aps' }], opts: {}, expect: EXIT.ok },
  'centre receive': { args: [], opts: { '--modem': connect, ...db }, expect: EXIT.connection },
  'centre status': { args: [], opts: { ...db, '--overdue-days': '3', '--json': true }, expect: EXIT.ok },
  'centre import': { args: [{ input: 'centre-dir' }], opts: db, expect: EXIT.ok },
  'scenario run': { args: [{ input: 'scenario' }], opts: { '--junit': { output: 'junit.xml' }, '--report': { output: 'timeline.html' }, '--trace': { output: 'run.pcapng' }, '--trace-format': 'lapb-with-dir' }, expect: EXIT.ok },
  'pbx reload': { args: ['HSIM-BAD1'], opts: { '--state': { bindDir: true } }, expect: EXIT.connection },
  help: { args: ['kds', 'save'], opts: {}, expect: EXIT.ok },
  'centre device add': { args: ['DEV2'], opts: { '--kind': 'key-depot', '--interval': '120', ...db, '--db': { database: true } }, expect: EXIT.ok },
  'centre device list': { args: [], opts: { ...db, '--json': true }, expect: EXIT.ok },
  'centre device show': { args: ['DEV1'], opts: db, expect: EXIT.ok },
  'centre device update': { args: ['DEV1'], opts: { ...db, '--grace': '45', '--test-window': '02:00-04:00' }, expect: EXIT.ok },
  'centre device remove': { args: ['DEV1'], opts: db, expect: EXIT.ok },
  'centre device rekey': { args: ['DEV1'], opts: db, expect: EXIT.ok },
  'centre token add': { args: ['ci'], opts: { ...db, '--rights': 'read,operate' }, expect: EXIT.ok },
  'centre token list': { args: [], opts: { ...db, '--json': true }, expect: EXIT.ok },
  'centre token revoke': { args: ['T1'], opts: db, expect: EXIT.ok },
  fleet: { args: [], opts: { '--centre': { udpCentre: true }, '--keys': { input: 'keys' }, '--duration': '1', '--speed': '60', '--sockets': '2', '--write-keys': { output: 'keys.txt' } }, expect: EXIT.connection },
  'centre serve': { args: [], opts: { ...db, '--udp': '127.0.0.1:0', '--http': '127.0.0.1:0', '--modem': connect } },
  'centre person add': { args: ['alice'], opts: { ...db, '--role': 'installer', '--display-name': 'Alice', '--networks': '127.0.0.0/8' }, env: { HICOM_PORTAL_PASSWORD: PORTAL_PASSWORD }, expect: EXIT.ok },
  'centre person update': { args: ['bob'], opts: { ...db, '--networks': '127.0.0.0/8', '--disable': true }, expect: EXIT.ok },
  'centre person list': { args: [], opts: db, expect: EXIT.ok },
  'card new': { args: [], opts: { '--individual': 'T4711', '--group': 'NL-BONN', '--octopus': true, '--valid-from': '2026-01-01', '--valid-until': '2027-01-01', '--output': { output: 'new.card' } }, expect: EXIT.ok },
  'card show': { args: [{ input: 'card' }], opts: {}, expect: EXIT.ok },
  'maintenance plan add': { args: ['nightly'], opts: { '--devices': 'DEV1', '--window': '20:00-06:00', '--days': '1-5', '--time-zone': 'Europe/Berlin', '--holidays': '2026-12-24', '--steps': 'errors,archive', '--retention': '3', '--retries': '1', '--function-test-wait': '30', ...db }, expect: EXIT.ok },
  'maintenance plan list': { args: [], opts: db, expect: EXIT.ok },
  // A fresh centre has no plan: show and remove name the plan they did not find.
  'maintenance plan show': { args: ['nightly'], opts: db, expect: EXIT.usage },
  'maintenance plan remove': { args: ['nightly'], opts: db, expect: EXIT.usage },
  'maintenance history': { args: [], opts: { ...db, '--device': 'DEV1', '--limit': '5', '--json': true }, expect: EXIT.ok },
  // No lab runs on the state directory: no connection.
  'maintenance deactivate': { args: ['HSIM-BAD1'], opts: { '--state': { bindDir: true } }, expect: EXIT.connection },
  'maintenance reactivate': { args: ['HSIM-BAD1'], opts: { '--state': { bindDir: true } }, expect: EXIT.connection },
  'maintenance verify-deactivated': { args: ['HSIM-BAD1'], opts: { '--state': { bindDir: true }, '--json': true }, expect: EXIT.connection },
  'maintenance access set': { args: ['DEV1'], opts: { ...db, '--lan': '192.168.101.10:2300', '--lan-route': 'direct', '--modem': '0301234791', '--callback-index': '2', '--service-user': 'service' }, env: { HICOM_PIN: '24680', HICOM_PASSWORD: 'svc-pw-1', HICOM_CALLBACK_CODE: '4711' }, expect: EXIT.ok },
  'maintenance access list': { args: [], opts: db, expect: EXIT.ok },
  // A fresh centre has no access stored and no plan: both name what they did not find.
  'maintenance access remove': { args: ['DEV1'], opts: db, expect: EXIT.usage },
  'maintenance run-now': { args: ['nightly'], opts: { ...db, '--modem': connect, '--lan-concurrency': '4', '--minutes': '5', '--json': true }, expect: EXIT.usage },
  // Hidden, run by the lab inside a network namespace; it ends when its stdin (the lifeline) closes, as it is closed here.
  'lab-lan-relay': { args: [], opts: { '--listen': '127.0.0.1:0', '--socket': '/tmp/hicom-bad-input-no-lab.sock' }, expect: EXIT.ok },
};

/** Malformed connect specs (issue 18): no port, no host:port, port out of range, no path, no kind, empty. */
const BAD_SPECS = ['tcp:', 'tcp:host', 'tcp:127.0.0.1:99999', 'pty:', 'garbage', 'serial:'];
/** Malformed control port addresses: no port, port out of range, no kind, a kind the control port does not take, no socket path. */
const BAD_CONTROLS = ['tcp:', 'tcp:127.0.0.1:99999', 'garbage', 'pty:/tmp/x', 'unix:'];
/** Malformed UDP addresses of a centre: no address, the wrong kind, no kind, port out of range. */
const BAD_UDP = ['udp:', 'tcp:127.0.0.1:7300', 'garbage', 'udp:127.0.0.1:99999'];
/** Malformed or wrong `--db` values: no path, no engine, a file that is not a database. */
const BAD_DATABASES = (): string[] => ['sqlite:', 'garbage', 'mysql://u@h/x', `sqlite:${fixtures.bad.report.garbage}`];

interface Case {
  name: string;
  argv: string[];
  env?: Record<string, string>;
  code: number;
  /** What the one stderr line must contain (the option, file or spec it is about). */
  names: string | RegExp;
}

let nothingListening = 0;
let preparedState = '';

function fill(role: string | true | Role, override?: string): string | true {
  if (override !== undefined) return override;
  if (typeof role === 'string' || role === true) return role;
  if ('input' in role) return fixtures.valid[role.input];
  if ('output' in role) return output(role.output);
  if ('connect' in role) return `tcp:127.0.0.1:${nothingListening}`;
  if ('centreState' in role) {
    const copy = output('state');
    cpSync(preparedState, copy, { recursive: true });
    return copy;
  }
  if ('database' in role) return `sqlite:${output('centre.db')}`;
  if ('control' in role) return 'tcp:127.0.0.1:0';
  if ('udpCentre' in role) return `udp:127.0.0.1:${nothingListening}`;
  const made = output('dir');
  mkdirSync(made);
  return made;
}

function argvOf(path: string[], v: Valid, change: { arg?: [number, string | undefined]; opt?: [string, string | true | undefined]; extra?: string[] } = {}): string[] {
  const args: string[] = [];
  v.args.forEach((a, i) => {
    if (change.arg?.[0] === i) {
      if (change.arg[1] !== undefined) args.push(change.arg[1]);
    } else {
      args.push(fill(a) as string);
    }
  });
  const opts: string[] = [];
  for (const [flag, value] of Object.entries(v.opts)) {
    if (change.opt?.[0] === flag) continue;
    const filled = fill(value);
    opts.push(...(filled === true ? [flag] : [flag, filled]));
  }
  if (change.opt && change.opt[1] !== undefined) opts.push(...(change.opt[1] === true ? [change.opt[0]] : [change.opt[0], change.opt[1]]));
  return [...path, ...args, ...opts, ...(change.extra ?? [])];
}

function roleOf(v: Valid, key: string | number): Role | undefined {
  const r = typeof key === 'number' ? v.args[key] : v.opts[key];
  return typeof r === 'object' ? r : undefined;
}

/** The cases for one command, from what commander knows of it plus the roles of its parameters. */
function casesFor(cmd: Command, v: Valid): Case[] {
  const label = commandLabel(cmd);
  const path = label.split(' ');
  const env = v.env;
  const cases: Case[] = [];
  const usage = (name: string, argv: string[], names: string | RegExp, extraEnv = env): void => {
    cases.push({ name: `${label}: ${name}`, argv, env: extraEnv, code: EXIT.usage, names });
  };
  usage('an unknown option', argvOf(path, v, { extra: ['--no-such-option'] }), "unknown option '--no-such-option'");
  const args = cmd.registeredArguments;
  if (!args.some((a) => a.variadic)) usage('one argument too many', argvOf(path, v, { extra: ['surplus'] }), /too many arguments/);
  args.forEach((a, i) => {
    if (a.required) usage(`<${a.name()}> missing`, argvOf(path, { ...v, args: v.args.slice(0, i) }), a.name());
    usage(`<${a.name()}> empty`, argvOf(path, v, { arg: [i, ''] }), `<${a.name()}>`);
    const role = roleOf(v, i);
    if (role) cases.push(...fileCases(label, `<${a.name()}>`, role, (value) => argvOf(path, v, { arg: [i, value] }), env));
  });
  for (const o of cmd.options as Option[]) {
    const flag = o.long ?? o.short!;
    if (o.negate || (!o.required && !o.optional)) continue; // a flag has no value to get wrong
    if (o.mandatory) usage(`${flag} missing`, argvOf(path, v, { opt: [flag, undefined] }), flag);
    usage(`${flag} empty`, argvOf(path, v, { opt: [flag, ''] }), flag);
    if (o.parseArg && !Array.isArray(o.defaultValue)) {
      // (A repeatable option's parser only collects: its values are commands or specs, checked later.)
      usage(`${flag} x9`, argvOf(path, v, { opt: [flag, 'x9'] }), flag);
    }
    const role = roleOf(v, flag);
    if (role) cases.push(...fileCases(label, flag, role, (value) => argvOf(path, v, { opt: [flag, value] }), env));
  }
  if (v.prompts) {
    // stdin is closed in every run: without HICOM_USER/HICOM_PASSWORD nobody can answer "User:".
    usage('stdin closed, no credentials', argvOf(path, v), /no answer for "User:"/, {});
  }
  return cases;
}

function fileCases(label: string, param: string, role: Role, argv: (value: string) => string[], env: Record<string, string> | undefined): Case[] {
  const out: Case[] = [];
  if ('input' in role) {
    for (const cls of BAD_CLASSES) {
      const file = fixtures.bad[role.input][cls];
      if (!file) continue;
      // A KDS file with a flipped bit cannot be told from a wrong password (AES-GCM): access refused, documented.
      const code = role.input === 'kds' && cls === 'bit-flipped' ? EXIT.access : EXIT.usage;
      const names = role.input === 'centre-dir' && cls !== 'missing' && cls !== 'directory' ? 'PBX0001.hcs' : file;
      out.push({ name: `${label}: ${param} ${cls}`, argv: argv(file), env, code, names });
    }
  } else if ('output' in role) {
    out.push({ name: `${label}: ${param} is a directory`, argv: argv(outDir), env, code: EXIT.usage, names: outDir });
    const deep = join(outDir, 'no', 'such', 'dir', role.output);
    out.push({ name: `${label}: ${param} in a missing directory`, argv: argv(deep), env, code: EXIT.usage, names: deep });
  } else if ('connect' in role) {
    for (const spec of BAD_SPECS) out.push({ name: `${label}: ${param} ${spec}`, argv: argv(spec), env, code: EXIT.usage, names: spec });
  } else if ('udpCentre' in role) {
    for (const spec of BAD_UDP) out.push({ name: `${label}: ${param} ${spec}`, argv: argv(spec), env, code: EXIT.usage, names: spec });
  } else if ('control' in role) {
    for (const spec of BAD_CONTROLS) out.push({ name: `${label}: ${param} ${spec}`, argv: argv(spec), env, code: EXIT.usage, names: spec });
  } else if ('database' in role) {
    for (const spec of BAD_DATABASES()) out.push({ name: `${label}: ${param} ${spec}`, argv: argv(spec), env, code: EXIT.usage, names: spec.replace(/^sqlite:/, '') || spec });
    const server = `postgres://u:p@127.0.0.1:${nothingListening}/centre`;
    out.push({ name: `${label}: ${param} a PostgreSQL server that is not there`, argv: argv(server), env, code: EXIT.connection, names: `127.0.0.1:${nothingListening}` });
  } else {
    out.push({ name: `${label}: ${param} is a file`, argv: argv(fixtures.valid.report), env, code: EXIT.usage, names: fixtures.valid.report });
  }
  return out;
}

/** Cases only one command has: a port in use, a state directory that cannot be made, a far end that is not a modem, a help topic that does not exist. */
function specialCases(busyPort: number, httpPort: number): Case[] {
  const config = (name: string, doc: string): string => {
    const file = join(fixtures.dir, name);
    writeFileSync(file, doc);
    return file;
  };
  const labArgs = (file: string): string[] => ['lab', '--config', file, '--state', output('state')];
  const pbx = (ports: string): string => `pbxs:\n  - id: HSIM-BAD1\n    trunks: ["0301234"]\n    adminPorts: [${ports}]\nmodems: []\n`;
  // Configurations each entry of which is fine, but not together: config check and lab share the validator that refuses them.
  const inconsistent: Array<[string, string, string]> = [
    ['the same port twice', pbx('{ bind: "tcp:127.0.0.1:7391" }, { bind: "tcp:7391" }'), 'already bound by pbxs[0].adminPorts[0]'],
    ['two modems of one name', `${pbx('{ bind: "tcp:127.0.0.1:0" }').replace('modems: []\n', '')}modems:\n  - { name: m, number: "0897000", bind: "tcp:127.0.0.1:0" }\n  - { name: m, number: "0897001", bind: "tcp:127.0.0.1:0" }\n`, 'names must be unique'],
    ['a modem number that is a test line', `${pbx('{ bind: "tcp:127.0.0.1:0" }').replace('modems: []\n', '')}modems:\n  - { name: m, number: "0800100", bind: "tcp:127.0.0.1:0" }\n`, 'already testLines.echo'],
    ['two PBXs with the same trunk', `${pbx('{ bind: "tcp:127.0.0.1:0" }').replace('modems: []\n', '')}  - id: HSIM-BAD2\n    trunks: ["0301234"]\n    adminPorts: [{ bind: "tcp:127.0.0.1:0" }]\nmodems: []\n`, 'is also pbxs[0].trunks[0]'],
    ['a station the PBX does not have', pbx('{ bind: "tcp:127.0.0.1:0", station: "999" }'), 'has no station 999'],
    ['a station keypad the PBX does not have', pbx('{ bind: "tcp:127.0.0.1:0" }').replace('modems: []', '    keypads: [{ station: "998", bind: "tcp:127.0.0.1:0" }]\nmodems: []'), 'pbxs[0].keypads[0].station: OfficePro has no station 998'],
    ['a station keypad on an admin port\'s port', pbx('{ bind: "tcp:127.0.0.1:7392" }').replace('modems: []', '    keypads: [{ station: "100", bind: "tcp:7392" }]\nmodems: []'), 'pbxs[0].keypads[0].bind: tcp:7392 is already bound by pbxs[0].adminPorts[0]'],
    ['a PBX and no port at all', 'pbxs:\n  - id: HSIM-BAD1\n    trunks: ["0301234"]\nmodems: []\n', 'nothing to connect to'],
  ];
  const validatorCases = inconsistent.flatMap(([what, doc, names], i): Case[] => {
    const file = config(`inconsistent-${i}.yaml`, doc);
    return [
      { name: `config check: ${what}`, argv: ['config', 'check', file], code: EXIT.usage, names },
      { name: `lab: ${what}`, argv: labArgs(file), code: EXIT.usage, names },
    ];
  });
  return [
    ...validatorCases,
    { name: 'centre device list: a state directory that cannot be made', argv: ['centre', 'device', 'list', '--state', '/proc/nope/state'], code: EXIT.usage, names: '/proc/nope' },
    { name: 'lab: an admin port already in use', argv: labArgs(config('busy-port.yaml', pbx(`{ bind: "tcp:127.0.0.1:${busyPort}" }`))), code: EXIT.connection, names: String(busyPort) },
    // A good port first, then one that fails: the lab must release the first and exit, not keep running on it.
    { name: 'lab: a second admin port already in use', argv: labArgs(config('busy-second-port.yaml', pbx(`{ bind: "tcp:127.0.0.1:0" }, { bind: "tcp:127.0.0.1:${busyPort}" }`))), code: EXIT.connection, names: String(busyPort) },
    { name: 'lab: a serial device that does not exist after a good port', argv: labArgs(config('bad-serial.yaml', pbx('{ bind: "tcp:127.0.0.1:0" }, { bind: "serial:/dev/hicom-no-such-tty" }'))), code: EXIT.connection, names: '/dev/hicom-no-such-tty' },
    { name: 'lab: a malformed bind spec', argv: labArgs(config('bad-bind.yaml', pbx('{ bind: "tcp:127.0.0.1:99999" }'))), code: EXIT.usage, names: 'tcp:127.0.0.1:99999' },
    { name: 'lab: a state directory that cannot be made', argv: ['lab', '--config', fixtures.valid.config, '--state', '/proc/nope/state'], code: EXIT.usage, names: '/proc/nope' },
    { name: 'centre receive: the far end is not a modem (an HTTP server)', argv: ['centre', 'receive', '--modem', `tcp:127.0.0.1:${httpPort}`, '--state', fill(centreState) as string], code: EXIT.connection, names: `tcp:127.0.0.1:${httpPort}` },
    { name: 'centre status: --dir of earlier versions', argv: ['centre', 'status', '--dir', fixtures.valid['centre-dir'], '--state', fill(centreState) as string], code: EXIT.usage, names: 'centre import' },
    { name: 'assistant: --pin that is not 5 digits', argv: ['assistant', '--modem', `tcp:127.0.0.1:${nothingListening}`, '--dial', '0301234791', '--pin', 'abc'], env: KDS_CREDENTIALS, code: EXIT.usage, names: '--pin' },
    { name: 'kds new: --type left out and stdin closed', argv: ['kds', 'new', output('wizard.kds'), '--system-version', 'HE300M.00.001.01'], code: EXIT.usage, names: /no answer for "PBX type/ },
    { name: 'centre token add: a right that does not exist', argv: ['centre', 'token', 'add', 'x', '--rights', 'read,fly', '--state', fill(centreState) as string], code: EXIT.usage, names: 'fly' },
    { name: 'centre serve: the HTTP port already in use', argv: ['centre', 'serve', '--state', fill(centreState) as string, '--udp', '127.0.0.1:0', '--http', `127.0.0.1:${busyPort}`], code: EXIT.connection, names: String(busyPort) },
    { name: 'centre serve: --tls-cert without --tls-key', argv: ['centre', 'serve', '--state', fill(centreState) as string, '--udp', '127.0.0.1:0', '--http', '127.0.0.1:0', '--tls-cert', fixtures.valid.token], code: EXIT.usage, names: '--tls-key' },
    { name: 'centre serve: plain HTTP off loopback', argv: ['centre', 'serve', '--state', fill(centreState) as string, '--udp', '127.0.0.1:0', '--http', '0.0.0.0:0'], code: EXIT.usage, names: 'plain HTTP only on loopback' },
    ...BAD_CLASSES.filter((cls) => fixtures.bad.token[cls]).map((cls): Case => {
      const file = fixtures.bad.token[cls]!;
      return { name: `centre serve: --tls-cert ${cls}`, argv: ['centre', 'serve', '--state', fill(centreState) as string, '--udp', '127.0.0.1:0', '--http', '127.0.0.1:0', '--tls-cert', file, '--tls-key', file], code: EXIT.usage, names: file };
    }),
    { name: 'centre serve: --tls-cert a file that is no certificate', argv: ['centre', 'serve', '--state', fill(centreState) as string, '--udp', '127.0.0.1:0', '--http', '127.0.0.1:0', '--tls-cert', fixtures.valid.token, '--tls-key', fixtures.valid.token], code: EXIT.usage, names: '--tls-cert' },
    { name: 'maintenance access set: stdin closed, no PIN', argv: ['maintenance', 'access', 'set', 'DEV1', '--modem', '0301234791', '--state', fill(centreState) as string], code: EXIT.usage, names: /no answer for "customer PIN of DEV1:"/ },
    { name: 'maintenance access set: a PIN that is not 5 digits', argv: ['maintenance', 'access', 'set', 'DEV1', '--modem', '0301234791', '--state', fill(centreState) as string], env: { HICOM_PIN: '1234', HICOM_PASSWORD: 'pw' }, code: EXIT.usage, names: /PIN is 5 digits/ },
    { name: 'maintenance access set: neither --lan nor --modem', argv: ['maintenance', 'access', 'set', 'DEV1', '--state', fill(centreState) as string], code: EXIT.usage, names: /--lan HOST:PORT, --modem NUMBER/ },
    { name: 'maintenance access set: an unknown device', argv: ['maintenance', 'access', 'set', 'GHOST', '--modem', '0301234791', '--state', fill(centreState) as string], env: { HICOM_PIN: '24680', HICOM_PASSWORD: 'pw' }, code: EXIT.usage, names: /GHOST is not registered/ },
    { name: 'centre person add: stdin closed, no password', argv: ['centre', 'person', 'add', 'bob', '--state', fill(centreState) as string], code: EXIT.usage, names: 'no password' },
    { name: 'centre person add: a weak password', argv: ['centre', 'person', 'add', 'bob', '--state', fill(centreState) as string], env: { HICOM_PORTAL_PASSWORD: 'short' }, code: EXIT.usage, names: /password/ },
    // The PC reads only the ids of a card; its signature and validity only the PBX judges (a bit-flipped card reaches the PBX, here nothing listening).
    ...fileCases('assistant', '--card', { input: 'card' }, (file) => ['assistant', '--connect', `tcp:127.0.0.1:${nothingListening}`, '--card', file, '-e', 'show system'], { HICOM_PASSWORD: KDS_CREDENTIALS.HICOM_PASSWORD }).filter((c) => !c.name.endsWith('bit-flipped')),
    { name: 'help: a command that does not exist', argv: ['help', 'nosuch'], code: EXIT.usage, names: 'nosuch' },
    { name: 'hicom-sim: no command at all', argv: [], code: EXIT.usage, names: 'no command given' },
    { name: 'hicom-sim: a group without its command', argv: ['kds'], code: EXIT.usage, names: 'kds needs a command' },
  ];
}

async function pool<T, R>(items: readonly T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await run(items[i]);
    }
  }));
  return results;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

/**
 * Run shard `shard` of `shards` of the matrix (cases dealt round-robin, so
 * each shard is a fair sample; test/cli/bad-input-matrix-N.test.ts run them
 * as separate files that tap can run side by side).
 */
export function badInputMatrix(shard: number, shards: number): void {
t.test(`every command, every class of bad input (shard ${shard + 1} of ${shards}): one line, the documented code, no hang, nothing changed`, async (t) => {
  for (const name of ['HICOM_USER', 'HICOM_PASSWORD', 'HICOM_PIN']) delete process.env[name]; // the runs' environment is only what each case gives
  nothingListening = await freePort();
  preparedState = join(dir, 'prepared-state');
  const prepared = await runCliAsync(['centre', 'device', 'add', 'DEV1', '--kind', 'pbx', '--state', preparedState, '--log-level', 'warn']);
  const token = await runCliAsync(['centre', 'token', 'add', 'T1', '--state', preparedState, '--log-level', 'warn']);
  const person = await runCliAsync(['centre', 'person', 'add', 'bob', '--role', 'installer', '--state', preparedState, '--log-level', 'warn'], { env: { HICOM_PORTAL_PASSWORD: PORTAL_PASSWORD } });
  t.same([prepared.status, token.status, person.status], [0, 0, 0], `a state directory with device DEV1, token T1 and person bob to copy for the centre commands (${prepared.stderr.trim()}${token.stderr.trim()}${person.stderr.trim()})`);
  const busy = createServer();
  // Answers like a web server: the far end a mistyped --modem might reach.
  const http = createServer((s) => s.on('data', () => s.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n')));
  const [busyPort, httpPort] = [await listen(busy), await listen(http)];
  t.teardown(() => {
    busy.close();
    http.close();
  });

  const leaves = leafCommands(await buildProgram());
  const labels = leaves.map(commandLabel);
  t.same(labels.filter((l) => !VALID[l]), [], 'every registered command has a valid invocation here to vary (add one for a new command)');
  t.same(Object.keys(VALID).filter((l) => !labels.includes(l)), [], 'and every entry here is a registered command');

  const mine = <T>(_: T, i: number): boolean => i % shards === shard;
  const cases = [...leaves.filter((c) => VALID[commandLabel(c)]).flatMap((c) => casesFor(c, VALID[commandLabel(c)])), ...specialCases(busyPort, httpPort)].filter(mine);
  const baselines = leaves.map((c) => ({ label: commandLabel(c), v: VALID[commandLabel(c)] })).filter(({ v }) => v?.expect !== undefined).filter(mine);
  const before = snapshot(fixtures.dir);
  const started = Date.now();
  const runs = await pool([...cases.map((c) => ({ c })), ...baselines.map((b) => ({ b }))], PARALLEL, async (item): Promise<CliRun> => {
    if ('c' in item) return runCliAsync(item.c.argv, { env: item.c.env, timeoutMs: BOUND_MS, cwd: dir });
    return runCliAsync(argvOf(item.b.label.split(' '), item.b.v), { env: item.b.v.env, timeoutMs: BOUND_MS, cwd: dir });
  });
  const wall = Date.now() - started;

  const wrong: string[] = [];
  cases.forEach((c, i) => {
    const r = runs[i];
    const lines = r.stderr.split('\n').filter((l, j, all) => j < all.length - 1 || l !== '');
    const problems = [
      r.signal ? `killed after ${BOUND_MS} ms (a hang)` : '',
      r.status !== c.code ? `exit ${r.status}, documented ${c.code}` : '',
      lines.length !== 1 ? `${lines.length} stderr lines` : '',
      !/^hicom-sim: /.test(lines[0] ?? '') ? 'stderr does not start with "hicom-sim: "' : '',
      /\n\s+at |Error: .*\n/.test(r.stderr) ? 'a stack trace' : '',
      !(typeof c.names === 'string' ? r.stderr.includes(c.names) : c.names.test(r.stderr)) ? `does not name ${String(c.names)}` : '',
    ].filter(Boolean);
    if (problems.length) wrong.push(`${c.name} [${c.argv.join(' ')}]: ${problems.join('; ')} — stderr: ${JSON.stringify(r.stderr.slice(0, 300))}`);
  });
  t.same(wrong, [], `${cases.length} bad-input runs of ${leaves.length} commands: each exits with its documented code and one line on stderr naming the problem, no stack, within ${BOUND_MS} ms`);

  const baselineWrong = baselines.map(({ label, v }, i) => ({ label, v, r: runs[cases.length + i] })).filter(({ v, r }) => r.status !== v.expect).map(({ label, r }) => `${label}: exit ${r.status} ${r.stderr.trim()}`);
  t.same(baselineWrong, [], 'the valid invocations the cases vary work (0, or 3 where they need a PBX or modem and nothing listens), so each case fails for the one thing it changed');
  t.same(snapshot(fixtures.dir), before, 'every input file is byte-identical afterwards and none was added or removed');
  t.comment(`${cases.length + baselines.length} runs in ${wall} ms, ${PARALLEL} at a time`);
});
}
