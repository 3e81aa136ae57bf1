import type { MaintenanceResult, TrunkStatus } from '../maintenance-state.js';
import { DMA_MAX } from '../maintenance-state.js';
import type { CommandContext, SessionCommand } from '../session-command.js';

/**
 * Maintenance actions of protocol-log format 6 (seed table, B2 … B8;
 * docs/maintenance.md). Each is checked first, then logged, then run: a
 * refused argument leaves no log entry because nothing ran.
 */

function trunkLine(t: TrunkStatus): string {
  return `trunk ${t.index}: ${t.state} in-service=${t.inService ? 'yes' : 'no'} loopback=${t.loopback ? 'on' : 'off'} rolling=${t.rolling ? 'on' : 'off'} errors=${t.errors} frames=${t.frames}`;
}

function index(ctx: CommandContext, text: string, what: string): number | undefined {
  if (!/^\d{1,3}$/.test(text)) {
    ctx.fail(422, `${what} number expected, got "${text}"`);
    return undefined;
  }
  return Number(text);
}

/** `<n>` or `all`; undefined in `value` means all. */
function indexOrAll(ctx: CommandContext, text: string, what: string): { value: number | undefined } | undefined {
  if (text.toLowerCase() === 'all') return { value: undefined };
  const n = index(ctx, text, what);
  return n === undefined ? undefined : { value: n };
}

function choice(ctx: CommandContext, text: string, on: string, off: string): boolean | undefined {
  const v = text.toLowerCase();
  if (v === on) return true;
  if (v === off) return false;
  ctx.fail(422, `"${on}" or "${off}" expected, got "${text}"`);
  return undefined;
}

function address(ctx: CommandContext, text: string): number | undefined {
  const m = /^(0x[0-9a-f]{1,8}|\d{1,10})$/i.exec(text);
  if (!m) {
    ctx.fail(422, `address expected (0x… hex or decimal), got "${text}"`);
    return undefined;
  }
  return Number(text);
}

/** Check that a trunk exists, log, run; reply with the trunk's new status. */
function trunkAction(ctx: CommandContext, n: number, log: string, act: () => MaintenanceResult<TrunkStatus>): void {
  const exists = ctx.pbx.maintenance.trunk(n);
  if (!exists.ok) return ctx.fail(exists.code, exists.error);
  ctx.pbx.audit(ctx.actor, 6, log);
  const r = act();
  if (!r.ok) return ctx.fail(r.code, r.error);
  ctx.print(trunkLine(r.value));
  ctx.ok();
}

function hexDump(address: number, data: Buffer): string[] {
  const out: string[] = [];
  for (let i = 0; i < data.length; i += 16) {
    const row = data.subarray(i, i + 16);
    const ascii = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    out.push(`${(address + i).toString(16).padStart(6, '0')}: ${row.toString('hex').replace(/(..)/g, '$1 ').trimEnd().padEnd(47)}  ${ascii}`);
  }
  return out;
}

export const maintenanceCommands: SessionCommand[] = [
  {
    words: ['trunk', 'status'],
    params: '[n]',
    help: 'read trunk status: state, error counter, loopback, rolling (B7-1)',
    action: 'maintenance',
    run(ctx, args) {
      let list: TrunkStatus[];
      if (args[0] !== undefined) {
        const n = index(ctx, args[0], 'trunk');
        if (n === undefined) return;
        const t = ctx.pbx.maintenance.trunk(n);
        if (!t.ok) return ctx.fail(t.code, t.error);
        list = [t.value];
      } else list = ctx.pbx.maintenance.trunks();
      ctx.pbx.audit(ctx.actor, 6, `B7-1${args[0] ? ` trunk ${args[0]}` : ''}`);
      for (const t of list) ctx.print(trunkLine(t));
      ctx.ok(`${list.length} trunks`);
    },
  },
  {
    words: ['trunk', 'service'],
    params: '<n> in|out',
    help: 'put a trunk in or out of service; calls over it fail while out (B2-1)',
    action: 'maintenance',
    run(ctx, args) {
      const n = index(ctx, args[0], 'trunk');
      const on = n === undefined ? undefined : choice(ctx, args[1], 'in', 'out');
      if (n === undefined || on === undefined) return;
      trunkAction(ctx, n, `B2-1 trunk ${n} ${on ? 'in service' : 'out of service'}`, () => ctx.pbx.maintenance.setTrunkInService(n, on));
    },
  },
  {
    words: ['station', 'service'],
    params: '<n> in|out',
    help: 'put a station in or out of service; calls to it fail while out (B2-1)',
    action: 'maintenance',
    run(ctx, args) {
      const n = index(ctx, args[0], 'station');
      const on = n === undefined ? undefined : choice(ctx, args[1], 'in', 'out');
      if (n === undefined || on === undefined) return;
      if (!ctx.pbx.kds.has(`station.${n}.port`)) return ctx.fail(404, `no station ${n}`);
      ctx.pbx.audit(ctx.actor, 6, `B2-1 station ${n} ${on ? 'in service' : 'out of service'}`);
      ctx.pbx.maintenance.setStationInService(String(n), on);
      ctx.print(`station ${n}: ${on ? 'in service' : 'out of service'}`);
      ctx.ok();
    },
  },
  {
    words: ['trunk', 'loopback'],
    params: '<n> on|off',
    help: 'switch digital loopback; a trunk in loopback echoes what is sent (B5-1)',
    action: 'maintenance',
    run(ctx, args) {
      const n = index(ctx, args[0], 'trunk');
      const on = n === undefined ? undefined : choice(ctx, args[1], 'on', 'off');
      if (n === undefined || on === undefined) return;
      trunkAction(ctx, n, `B5-1 trunk ${n} loopback ${on ? 'on' : 'off'}`, () => ctx.pbx.maintenance.setLoopback(n, on));
    },
  },
  {
    words: ['trunk', 'rolling'],
    params: '<n> on|off',
    help: 'switch trunk rolling (B6-1)',
    action: 'maintenance',
    run(ctx, args) {
      const n = index(ctx, args[0], 'trunk');
      const on = n === undefined ? undefined : choice(ctx, args[1], 'on', 'off');
      if (n === undefined || on === undefined) return;
      trunkAction(ctx, n, `B6-1 trunk ${n} rolling ${on ? 'on' : 'off'}`, () => ctx.pbx.maintenance.setRolling(n, on));
    },
  },
  {
    words: ['trunk', 'clear'],
    params: '<n>|all',
    help: 'clear trunk error counters (B8-1)',
    action: 'maintenance',
    run(ctx, args) {
      const which = indexOrAll(ctx, args[0], 'trunk');
      if (!which) return;
      if (which.value !== undefined) {
        const t = ctx.pbx.maintenance.trunk(which.value);
        if (!t.ok) return ctx.fail(t.code, t.error);
      }
      ctx.pbx.audit(ctx.actor, 6, `B8-1 trunk ${which.value ?? 'all'}`);
      const r = ctx.pbx.maintenance.clearErrors(which.value);
      if (!r.ok) return ctx.fail(r.code, r.error);
      ctx.ok(`${r.value} errors cleared`);
    },
  },
  {
    words: ['trunk', 'test'],
    params: '<n> <text>',
    help: 'send a test frame over a trunk: echoed in loopback, refused (error counted) out of service',
    action: 'maintenance',
    run(ctx, args) {
      const n = index(ctx, args[0], 'trunk');
      if (n === undefined) return;
      const r = ctx.pbx.maintenance.transmit(n, Buffer.from(args[1], 'utf8'));
      if (!r.ok) return ctx.fail(r.code, r.error);
      ctx.print(r.value.echo ? `echo: ${r.value.echo.toString('utf8')}` : 'sent (no echo: trunk not in loopback)');
      ctx.ok();
    },
  },
  {
    words: ['dma', 'read'],
    params: '<address> [length]',
    help: `read simulated memory (B3-1; at most ${DMA_MAX} bytes; map in docs/maintenance.md)`,
    action: 'maintenance',
    run(ctx, args) {
      const at = address(ctx, args[0]);
      if (at === undefined) return;
      const length = args[1] === undefined ? 16 : Number(args[1]);
      if (!Number.isInteger(length)) return ctx.fail(422, `length must be 1–${DMA_MAX} bytes`);
      const probe = ctx.pbx.maintenance.dmaRead(at, length);
      if (!probe.ok) return ctx.fail(probe.code, probe.error);
      ctx.pbx.audit(ctx.actor, 6, `B3-1 0x${at.toString(16)} ${length}`);
      ctx.print(...hexDump(at, probe.value));
      ctx.ok(`${length} bytes`);
    },
  },
  {
    words: ['dma', 'write'],
    params: '<address> <hex-bytes>',
    help: 'write simulated memory (B3-2; read-only regions refuse)',
    action: 'maintenance',
    run(ctx, args) {
      const at = address(ctx, args[0]);
      if (at === undefined) return;
      if (!/^([0-9a-f]{2})+$/i.test(args[1])) return ctx.fail(422, 'data must be hex bytes, e.g. 0a0b0c');
      const data = Buffer.from(args[1], 'hex');
      const check = ctx.pbx.maintenance.dmaCheckWrite(at, data.length);
      if (!check.ok) return ctx.fail(check.code, check.error);
      ctx.pbx.audit(ctx.actor, 6, `B3-2 0x${at.toString(16)} ${args[1].toLowerCase()}`);
      const r = ctx.pbx.maintenance.dmaWrite(at, data);
      if (!r.ok) return ctx.fail(r.code, r.error);
      ctx.ok(`${r.value} bytes written`);
    },
  },
  {
    words: ['bs', 'show'],
    help: 'status of the DECT base stations (overload, restart)',
    action: 'maintenance',
    run(ctx, args) {
      const list = ctx.pbx.maintenance.baseStations();
      for (const b of list) ctx.print(`bs ${b.index}: overload=${b.overload ? 'yes' : 'no'} restart=${b.restart ? 'yes' : 'no'}`);
      ctx.ok(`${list.length} base stations`);
    },
  },
  ...(['overload', 'restart'] as const).map((flag): SessionCommand => ({
    words: ['bs', `clear-${flag}`],
    params: '<n>|all',
    help: `clear the ${flag} status of base stations (${flag === 'overload' ? 'B4-1' : 'B4-2'})`,
    action: 'maintenance',
    run(ctx, args) {
      const which = indexOrAll(ctx, args[0], 'base station');
      if (!which) return;
      if (which.value !== undefined && !ctx.pbx.maintenance.baseStations().some((b) => b.index === which.value)) {
        return ctx.fail(404, `no base station ${which.value}`);
      }
      ctx.pbx.audit(ctx.actor, 6, `${flag === 'overload' ? 'B4-1' : 'B4-2'} bs ${which.value ?? 'all'}`);
      const r = ctx.pbx.maintenance.clearBaseStation(flag, which.value);
      if (!r.ok) return ctx.fail(r.code, r.error);
      ctx.ok(`${r.value} base stations cleared`);
    },
  })),
];
