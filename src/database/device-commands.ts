import type { Kysely, Selectable } from 'kysely';
import type { CommandEnvelope, JsonObject } from '../../core/check-in-body.js';
import { recordAudit } from './audit-trail.js';
import type { CentreDatabase } from './centre-database.js';
import { prepareQuery } from './prepared-query.js';
import type { CommandState, Database, DeviceCommandsTable } from './schema.js';
import { affected, query, type Work } from './work.js';

/**
 * Commands for devices (docs/check-in-telegram.md §3.3): queued here,
 * carried in the ack of every check-in until the device's `command` event
 * reports the outcome. Each moves one way:
 *
 * ```
 *   queued ──in an ack──▶ delivered ──command event──▶ acknowledged
 *     │                      │ (repeated in every ack until then)
 *     └──────cancel──────────┴──▶ cancelled
 * ```
 * Every move is one conditional update on the state it leaves, so a move
 * that lost a race (another process, a repeated event) changes nothing.
 */
export interface QueuedCommand {
  id: number;
  deviceId: string;
  /** The id the device sees. */
  commandId: number;
  type: string;
  fields: JsonObject;
  state: CommandState;
  createdAt: number;
  createdBy: string;
  deliveredAt: number | null;
  deliveries: number;
  acknowledgedAt: number | null;
  result: string | null;
  detail: string | null;
}

export class DeviceCommandError extends Error {
  override name = 'DeviceCommandError';
}

/** Commands repeated in one ack at most (the ack must stay one datagram; the rest follow in later acks). */
export const MAX_COMMANDS_PER_ACK = 8;

export interface NewCommand {
  type: string;
  fields: JsonObject;
  at: number;
  by: string;
  address?: string;
}

/** Queue a command; returns it, or undefined for an unknown device. Audited with the change. */
export function* queueCommand(qb: Kysely<Database>, deviceId: string, c: NewCommand): Work<QueuedCommand | undefined> {
  // The row lock of this update orders concurrent queuers: ids rise per device in commit order.
  const { rows } = yield* query(
    qb
      .updateTable('devices')
      .set((eb) => ({ next_command_id: eb('next_command_id', '+', 1) }))
      .where('id', '=', deviceId)
      .returning('next_command_id'),
  );
  if (rows.length === 0) return undefined;
  const commandId = Number(rows[0].next_command_id) - 1;
  const ins = yield* query(
    qb
      .insertInto('device_commands')
      .values({ device_id: deviceId, command_id: commandId, type: c.type, fields: JSON.stringify(c.fields), state: 'queued', created_at: c.at, created_by: c.by })
      .returningAll(),
  );
  // The audit names the command, never a PIN or its hash.
  yield* recordAudit(qb, { at: c.at, actor: c.by, address: c.address, action: 'command.queue', target: deviceId, detail: { command: commandId, type: c.type } });
  return commandOf(ins.rows[0]);
}

/** The intake's per-check-in read: what the device has still to run, oldest first (prepared per database). */
export function openCommandsQuery(qb: Kysely<Database>) {
  return prepareQuery<{ deviceId: string }>((p) =>
    qb
      .selectFrom('device_commands')
      .select(['command_id', 'type', 'fields'])
      .where('device_id', '=', p('deviceId'))
      .where('state', 'in', ['queued', 'delivered'])
      .orderBy('command_id')
      .limit(MAX_COMMANDS_PER_ACK),
  );
}

export function envelopeOf(row: { command_id: number; type: string; fields: string }): CommandEnvelope {
  return { ...(JSON.parse(row.fields) as JsonObject), id: Number(row.command_id), type: row.type } as CommandEnvelope;
}

/** Part of the check-in's unit of work: these commands ride in its ack. */
export function* markDelivered(qb: Kysely<Database>, deviceId: string, commandIds: readonly number[], at: number): Work<void> {
  if (commandIds.length === 0) return;
  yield* query(
    qb
      .updateTable('device_commands')
      .set((eb) => ({ state: 'delivered', deliveries: eb('deliveries', '+', 1), delivered_at: eb.fn.coalesce('delivered_at', eb.val(at)) }))
      .where('device_id', '=', deviceId)
      .where('command_id', 'in', [...commandIds])
      .where('state', 'in', ['queued', 'delivered']),
  );
}

/** Part of the check-in's unit of work: the device reported a command's outcome. Returns false when it was not open (already reported, cancelled, unknown). */
export function* acknowledgeCommand(qb: Kysely<Database>, deviceId: string, commandId: number, outcome: { result: string; detail: string }, at: number): Work<boolean> {
  const upd = yield* query(
    qb
      .updateTable('device_commands')
      .set({ state: 'acknowledged', acknowledged_at: at, result: outcome.result, detail: outcome.detail })
      .where('device_id', '=', deviceId)
      .where('command_id', '=', commandId)
      .where('state', 'in', ['queued', 'delivered']),
  );
  return affected(upd) === 1;
}

/** Reading and changing the queue outside the intake (API, CLI). */
export class DeviceCommands {
  constructor(readonly db: CentreDatabase) {}

  /** Queue a command; DeviceCommandError for an unknown device. */
  async queue(deviceId: string, c: NewCommand): Promise<QueuedCommand> {
    const q = await this.db.run(() => queueCommand(this.db.kysely, deviceId, c));
    if (!q) throw new DeviceCommandError(`no device ${deviceId}`);
    return q;
  }

  /** Newest first. */
  async list(deviceId: string, limit = 100): Promise<QueuedCommand[]> {
    const rows = await this.db.kysely.selectFrom('device_commands').selectAll().where('device_id', '=', deviceId).orderBy('command_id', 'desc').limit(limit).execute();
    return rows.map(commandOf);
  }

  async get(deviceId: string, commandId: number): Promise<QueuedCommand | undefined> {
    const row = await this.db.kysely.selectFrom('device_commands').selectAll().where('device_id', '=', deviceId).where('command_id', '=', commandId).executeTakeFirst();
    return row && commandOf(row);
  }

  /**
   * Take a queued command for this process to carry itself — the centre's
   * test call by modem to a PBX without LAN — instead of an ack: queued →
   * delivered. False when it is not queued (another process took it, or it
   * was cancelled), so only one process ever dials for it.
   */
  async claim(deviceId: string, commandId: number, at: number): Promise<boolean> {
    const qb = this.db.kysely;
    return this.db.run(function* () {
      const upd = yield* query(qb.updateTable('device_commands').set({ state: 'delivered', deliveries: 1, delivered_at: at }).where('device_id', '=', deviceId).where('command_id', '=', commandId).where('state', '=', 'queued'));
      return affected(upd) === 1;
    });
  }

  /** The outcome of a command this process carried itself (`claim`): delivered → acknowledged. */
  async complete(deviceId: string, commandId: number, outcome: { result: string; detail: string }, at: number): Promise<boolean> {
    return this.db.run(() => acknowledgeCommand(this.db.kysely, deviceId, commandId, outcome, at));
  }

  /** Withdraw a command the device has not reported yet; DeviceCommandError otherwise. */
  async cancel(deviceId: string, commandId: number, by: { actor: string; address?: string }, at: number): Promise<QueuedCommand> {
    const qb = this.db.kysely;
    const n = await this.db.run(function* () {
      const upd = yield* query(qb.updateTable('device_commands').set({ state: 'cancelled' }).where('device_id', '=', deviceId).where('command_id', '=', commandId).where('state', 'in', ['queued', 'delivered']));
      if (affected(upd) === 1) yield* recordAudit(qb, { at, ...by, action: 'command.cancel', target: deviceId, detail: { command: commandId } });
      return affected(upd);
    });
    const c = await this.get(deviceId, commandId);
    if (!c) throw new DeviceCommandError(`device ${deviceId} has no command ${commandId}`);
    if (n === 0) throw new DeviceCommandError(`command ${commandId} of ${deviceId} is ${c.state}; only a queued or delivered command can be cancelled`);
    return c;
  }
}

function commandOf(r: Selectable<DeviceCommandsTable>): QueuedCommand {
  const n = (v: number | null) => (v === null ? null : Number(v));
  return {
    id: Number(r.id),
    deviceId: r.device_id,
    commandId: Number(r.command_id),
    type: r.type,
    fields: JSON.parse(r.fields) as JsonObject,
    state: r.state,
    createdAt: Number(r.created_at),
    createdBy: r.created_by,
    deliveredAt: n(r.delivered_at),
    deliveries: Number(r.deliveries),
    acknowledgedAt: n(r.acknowledged_at),
    result: r.result,
    detail: r.detail,
  };
}
