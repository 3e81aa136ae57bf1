import type { Kysely } from 'kysely';
import type { CentreDatabase } from './centre-database.js';
import type { Database } from './schema.js';
import { query, type Work } from './work.js';

/** Who did what, when and from where (spec §5.3: every login, grant and change). */
export interface AuditEntry {
  at: number;
  /** A person's login name, or `cli:<os user>` for a local command. */
  actor: string;
  /** Dotted verb, e.g. `device.add`, `event.acknowledge`, `login`. */
  action: string;
  /** What it was done to, e.g. the device id; '' when nothing in particular. */
  target?: string;
  /** More about it; never a secret (keys, passwords, PINs). */
  detail?: Record<string, unknown>;
  /** The client's address; absent for a local command. */
  address?: string;
}

export interface AuditRecord extends Required<Omit<AuditEntry, 'address'>> {
  id: number;
  address: string | null;
}

export interface AuditQuery {
  target?: string;
  since?: number;
  limit?: number;
}

/** Part of another unit of work: the entry commits with the change it records, or not at all. */
export function* recordAudit(qb: Kysely<Database>, entry: AuditEntry): Work<void> {
  yield* query(
    qb.insertInto('audit_trail').values({
      at: entry.at,
      actor: entry.actor,
      action: entry.action,
      target: entry.target ?? '',
      detail: JSON.stringify(entry.detail ?? {}),
      address: entry.address ?? null,
    }),
  );
}

/** The audit trail: append-only, read newest first. */
export class AuditTrail {
  constructor(readonly db: CentreDatabase) {}

  record(entry: AuditEntry): Promise<void> {
    return this.db.run(() => recordAudit(this.db.kysely, entry));
  }

  async list(q: AuditQuery = {}): Promise<AuditRecord[]> {
    let sel = this.db.kysely.selectFrom('audit_trail').selectAll().orderBy('id', 'desc').limit(q.limit ?? 1000);
    if (q.target !== undefined) sel = sel.where('target', '=', q.target);
    if (q.since !== undefined) sel = sel.where('at', '>=', q.since);
    const rows = await sel.execute();
    return rows.map((r) => ({ ...r, id: Number(r.id), detail: JSON.parse(r.detail) as Record<string, unknown> }));
  }
}
