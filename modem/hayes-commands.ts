import type { CommandContext, CommandDef } from './command-context.js';
import { MODULATION_ORDER, MODULATION_RATES, type Modulation } from './negotiation.js';
import { PROFILE_SLOTS, type ModemSettings } from './profile-store.js';
import { MAX_X_LEVEL } from './result-codes.js';
import { S_REGISTER_DEFS } from './s-registers.js';
import { FCLASS_COMMAND } from './service-class.js';

/** A basic command with a number in [0, max] (omitted = 0, V.250 §5.3.1) that sets one setting. */
function numeric(name: string, max: number, apply: (ctx: CommandContext, n: number) => void): CommandDef {
  return {
    name,
    handler: (ctx, cmd) => {
      if (cmd.kind !== 'basic') return 'error';
      const n = cmd.arg ?? 0;
      if (n > max) return 'error';
      apply(ctx, n);
      return 'ok';
    },
  };
}

const pad3 = (n: number): string => String(n).padStart(3, '0');

function profileText(ctx: CommandContext): string {
  const s = ctx.settings;
  const regs = ctx.sRegisters;
  const basic = `E${+s.echo} L${s.speakerVolume} M${s.speakerMode} Q${+s.quiet} V${+s.verbose} X${s.xLevel} &C${s.dcdMode} &D${s.dtrMode} &K${s.flowControl}`;
  const ext = `+MS=${s.ms.carrier},${+s.ms.automode},${s.ms.minRate},${s.ms.maxRate} +ES=${s.es.join(',')} +DS=${s.ds.join(',')} +FCLASS=${s.fclass} +IPR=${s.ipr} +ICF=${s.icf.join(',')} +IFC=${s.ifc.join(',')} PUMP=${s.pump}`;
  const sregs = S_REGISTER_DEFS.map((d) => `S${String(d.n).padStart(2, '0')}:${pad3(regs.get(d.n))}`).join(' ');
  return `${basic}\n${ext}\n${sregs}`;
}

function infoLines(ctx: CommandContext, n: number): string | undefined {
  const link = ctx.link;
  const lines: Record<number, () => string> = {
    0: () => (ctx.profile === 'isdn-ta' ? '64000' : '14400'),
    1: () => '255',
    2: () => 'OK',
    3: () => `${ctx.identity.manufacturer} ${ctx.identity.model} ${ctx.identity.revision}`,
    4: () => (ctx.profile === 'isdn-ta' ? 'V.32bis V.42 V.42bis MNP5 X.75' : 'V.21 V.22 V.22bis V.32 V.32bis V.42 MNP2-4 V.42bis MNP5'),
    5: () => `profile ${ctx.profile}`,
    6: () => (link ? `LAST CONNECT ${link.connectText}` : 'NO CONNECTION'),
  };
  return lines[n]?.();
}

function extArgsNumbers(args: string[], ranges: Array<[number, number]>, current: number[]): number[] | undefined {
  if (args.length > ranges.length) return undefined;
  const out = [...current];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '') continue; // omitted sub-parameter keeps its value (V.250 §5.4.2.1)
    if (!/^\d{1,6}$/.test(args[i])) return undefined;
    const v = Number(args[i]);
    if (v < ranges[i][0] || v > ranges[i][1]) return undefined;
    out[i] = v;
  }
  return out;
}

/**
 * A V.250 extended parameter of numbers (`+ES=3,0,2`): `?` reads it, `=?`
 * lists the ranges, `=` sets it, omitted sub-parameters keep their value
 * (V.250 §5.4.2.1) and one out of range is ERROR with nothing changed.
 */
function compoundParameter(
  name: string,
  ranges: Array<[number, number]>,
  testText: string,
  get: (s: ModemSettings) => number[],
  set: (s: ModemSettings, values: number[]) => void,
): CommandDef {
  return {
    name,
    handler: (ctx, cmd) => {
      if (cmd.kind !== 'extended') return 'error';
      if (cmd.op === 'read') return ctx.info(`${name}: ${get(ctx.settings).join(',')}`), 'ok';
      if (cmd.op === 'test') return ctx.info(`${name}: ${testText}`), 'ok';
      if (cmd.op !== 'set') return 'error';
      const values = extArgsNumbers(cmd.args, ranges, get(ctx.settings));
      if (!values) return 'error';
      set(ctx.settings, values);
      return 'ok';
    },
  };
}

/** +IPR rates: 0 (follow the DTE) and the usual fixed rates of V.250 §6.2.10. */
const DTE_RATES = [0, 300, 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200];

const ALL_RATES = [...new Set(Object.values(MODULATION_RATES).flat())].sort((a, b) => a - b);
const MIN_RATE = ALL_RATES[0];
const MAX_RATE = ALL_RATES[ALL_RATES.length - 1];

/** The command table of the Hayes modem; see docs/at-commands.md. */
export const HAYES_COMMANDS: readonly CommandDef[] = [
  { name: 'D', handler: (ctx, cmd) => (cmd.kind === 'dial' ? ctx.dial(cmd.dialString) : 'error') },
  {
    name: 'A',
    handler: (ctx, cmd) => (cmd.kind === 'basic' && !cmd.arg ? ctx.answer() : 'error'),
  },
  {
    name: 'H',
    handler: (ctx, cmd) => {
      if (cmd.kind !== 'basic' || (cmd.arg ?? 0) > 1) return 'error';
      if (cmd.arg === 1) return ctx.offHook() ? 'ok' : 'error';
      ctx.hangUp();
      return 'ok';
    },
  },
  { name: 'O', handler: (ctx, cmd) => (cmd.kind === 'basic' && (cmd.arg ?? 0) <= 1 ? ctx.goOnline() : 'error') },
  numeric('E', 1, (ctx, n) => { ctx.settings.echo = n === 1; }),
  numeric('V', 1, (ctx, n) => { ctx.settings.verbose = n === 1; }),
  numeric('Q', 1, (ctx, n) => { ctx.settings.quiet = n === 1; }),
  numeric('X', MAX_X_LEVEL, (ctx, n) => { ctx.settings.xLevel = n; }),
  numeric('L', 3, (ctx, n) => { ctx.settings.speakerVolume = n; }),
  numeric('M', 3, (ctx, n) => { ctx.settings.speakerMode = n; }),
  numeric('B', 1, () => {}),
  numeric('T', 0, (ctx) => { ctx.settings.dialMode = 'T'; }),
  numeric('P', 0, (ctx) => { ctx.settings.dialMode = 'P'; }),
  numeric('&C', 1, (ctx, n) => { ctx.settings.dcdMode = n; ctx.linesChanged(); }),
  numeric('&D', 3, (ctx, n) => { ctx.settings.dtrMode = n; }),
  numeric('&K', 4, (ctx, n) => { ctx.settings.flowControl = n; }),
  numeric('&S', 1, () => {}),
  numeric('&F', 0, (ctx) => ctx.factory()),
  numeric('Z', PROFILE_SLOTS - 1, (ctx, n) => ctx.reset(n)),
  numeric('&W', PROFILE_SLOTS - 1, (ctx, n) => {
    ctx.store.save(n, { settings: structuredClone(ctx.settings), sRegisters: ctx.sRegisters.snapshot() });
  }),
  numeric('&V', 0, (ctx) => {
    const stored = ctx.store.load(0);
    ctx.info(`ACTIVE PROFILE:\n${profileText(ctx)}\nSTORED PROFILE 0: ${stored ? 'set' : 'factory'}`);
  }),
  {
    name: 'I',
    handler: (ctx, cmd) => {
      const text = cmd.kind === 'basic' ? infoLines(ctx, cmd.arg ?? 0) : undefined;
      if (text === undefined) return 'error';
      ctx.info(text);
      return 'ok';
    },
  },
  {
    name: 'S',
    handler: (ctx, cmd) => {
      if (cmd.kind !== 'sreg' || !ctx.sRegisters.exists(cmd.reg)) return 'error';
      if (cmd.op === 'read') {
        // V.250 §5.3.2: S-parameter values read as three decimal digits.
        ctx.info(pad3(ctx.sRegisters.get(cmd.reg)));
        return 'ok';
      }
      return ctx.sRegisters.set(cmd.reg, cmd.value) ? 'ok' : 'error';
    },
  },
  {
    name: '+MS',
    handler: (ctx, cmd) => {
      if (cmd.kind !== 'extended') return 'error';
      const ms = ctx.settings.ms;
      if (cmd.op === 'read') return ctx.info(`+MS: ${ms.carrier},${+ms.automode},${ms.minRate},${ms.maxRate}`), 'ok';
      if (cmd.op === 'test') return ctx.info(`+MS: (${MODULATION_ORDER.join(',')}),(0,1),(${MIN_RATE}-${MAX_RATE}),(${MIN_RATE}-${MAX_RATE})`), 'ok';
      if (cmd.op !== 'set' || cmd.args.length > 4) return 'error';
      const [carrier, ...rest] = cmd.args;
      const next = { ...ms };
      if (carrier !== '') {
        if (!MODULATION_ORDER.includes(carrier as Modulation)) return 'error';
        next.carrier = carrier as Modulation;
        next.maxRate = Math.max(...MODULATION_RATES[next.carrier]);
        next.minRate = MIN_RATE;
      }
      const nums = extArgsNumbers(rest, [[0, 1], [0, MAX_RATE], [0, MAX_RATE]], [+next.automode, next.minRate, next.maxRate]);
      if (!nums) return 'error';
      [next.automode, next.minRate, next.maxRate] = [nums[0] === 1, nums[1] || MIN_RATE, nums[2] || Math.max(...MODULATION_RATES[next.carrier])];
      if (next.minRate > next.maxRate) return 'error';
      ctx.settings.ms = next;
      return 'ok';
    },
  },
  compoundParameter('+ES', [[0, 4], [0, 4], [0, 6]], '(0-4),(0-4),(0-6)', (s) => s.es, (s, v) => { s.es = [v[0], v[1], v[2]]; }),
  compoundParameter('+DS', [[0, 3], [0, 1], [512, 65535], [6, 250]], '(0-3),(0,1),(512-65535),(6-250)', (s) => s.ds, (s, v) => { s.ds = [v[0], v[1], v[2], v[3]]; }),
  // The DTE-DCE interface of V.250 §6.2.10-§6.2.13: stored and reported; a pty or TCP line has no rate, framing or flow control to change.
  {
    name: '+IPR',
    handler: (ctx, cmd) => {
      if (cmd.kind !== 'extended') return 'error';
      if (cmd.op === 'read') return ctx.info(`+IPR: ${ctx.settings.ipr}`), 'ok';
      if (cmd.op === 'test') return ctx.info(`+IPR: (${DTE_RATES.join(',')})`), 'ok';
      if (cmd.op !== 'set' || cmd.args.length !== 1) return 'error';
      const rate = cmd.args[0] === '' ? 0 : Number(cmd.args[0]);
      if (!/^\d{0,6}$/.test(cmd.args[0]) || !DTE_RATES.includes(rate)) return 'error';
      ctx.settings.ipr = rate;
      return 'ok';
    },
  },
  compoundParameter('+ICF', [[0, 6], [0, 3]], '(0-6),(0-3)', (s) => s.icf, (s, v) => { s.icf = [v[0], v[1]]; }),
  compoundParameter('+IFC', [[0, 3], [0, 2]], '(0-3),(0-2)', (s) => s.ifc, (s, v) => { s.ifc = [v[0], v[1]]; }),
  // +ILRR=1 would report the DTE rate before CONNECT; that rate does not exist here, so only 0 is offered.
  compoundParameter('+ILRR', [[0, 0]], '(0)', () => [0], () => {}),
  FCLASS_COMMAND,
  {
    // ISDN terminal adapter: AT+BX75 (or =1) selects the X.75 pump, AT+BX75=0 the analog one.
    name: '+BX75',
    handler: (ctx, cmd) => {
      if (cmd.kind !== 'extended' || ctx.profile !== 'isdn-ta' || !ctx.hasPump('x75')) return 'error';
      const s = ctx.settings;
      if (cmd.op === 'read') return ctx.info(`+BX75: ${s.pump === 'x75' ? 1 : 0}`), 'ok';
      if (cmd.op === 'test') return ctx.info('+BX75: (0,1)'), 'ok';
      const v = cmd.op === 'action' ? '1' : cmd.args.length === 1 ? cmd.args[0] : '';
      if (v !== '0' && v !== '1') return 'error';
      s.pump = v === '1' ? 'x75' : 'analog';
      return 'ok';
    },
  },
  ...(['+GMI', '+GMM', '+GMR', '+GCAP'] as const).map((name): CommandDef => ({
    name,
    handler: (ctx, cmd) => {
      if (cmd.kind !== 'extended' || (cmd.op !== 'action' && cmd.op !== 'test')) return 'error';
      if (cmd.op === 'test') return 'ok';
      const id = ctx.identity;
      const text = { '+GMI': id.manufacturer, '+GMM': id.model, '+GMR': id.revision, '+GCAP': '+GCAP: +MS,+ES,+DS,+FCLASS' }[name];
      ctx.info(text);
      return 'ok';
    },
  })),
];
