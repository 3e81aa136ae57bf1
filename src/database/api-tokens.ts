import { createHash, randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import { hashSecret, verifySecret } from '../../firmware-sim/secret-hash.js';
import { recordAudit } from './audit-trail.js';
import type { CentreDatabase } from './centre-database.js';
import type { ApiTokensTable } from './schema.js';
import { affected, query } from './work.js';

/**
 * API tokens for scripts (`hicom-sim centre token add`): sent as
 * `Authorization: Bearer hcs_<id>_<secret>`. The id finds the row, the
 * secret is checked against its salted scrypt hash (spec §4.10: secrets only
 * as salted hashes); only the hash is stored, the token is shown once.
 */
export const API_RIGHTS = ['read', 'operate', 'admin'] as const;
/**
 * What each right allows: read — everything the API shows; operate —
 * acknowledge and comment events, queue and cancel device commands;
 * admin — add, change, rekey and remove devices.
 */
export type ApiRight = (typeof API_RIGHTS)[number];

const TOKEN_PATTERN = /^hcs_(\d{1,15})_([A-Za-z0-9_-]{43})$/;
const NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
/** How long a checked token is remembered in this process before its scrypt hash is checked again. */
export const TOKEN_CACHE_MS = 60_000;

export interface ApiToken {
  id: number;
  name: string;
  rights: ApiRight[];
  createdAt: number;
  createdBy: string;
  revokedAt: number | null;
}

export class ApiTokenError extends Error {
  override name = 'ApiTokenError';
}

export function parseRights(text: string): ApiRight[] {
  const rights = text.split(',').map((r) => r.trim()).filter((r) => r !== '');
  for (const r of rights) if (!API_RIGHTS.includes(r as ApiRight)) throw new ApiTokenError(`right "${r}" is not one of ${API_RIGHTS.join(', ')}`);
  if (rights.length === 0) throw new ApiTokenError(`a token needs at least one right (${API_RIGHTS.join(', ')})`);
  return [...new Set(rights as ApiRight[])];
}

export class ApiTokens {
  readonly #db: CentreDatabase;
  readonly #cost: number | undefined;
  /** sha256(token) → token and when its hash was last checked. */
  readonly #checked = new Map<string, { token: ApiToken; at: number }>();

  /** `hashCost` lowers scrypt's N for tests. */
  constructor(db: CentreDatabase, options: { hashCost?: number } = {}) {
    this.#db = db;
    this.#cost = options.hashCost;
  }

  /** Create a token; returns it with its secret (the only time it exists in clear). */
  async create(name: string, rights: ApiRight[], by: { actor: string; address?: string }, at: number): Promise<{ token: ApiToken; secret: string }> {
    if (!NAME_PATTERN.test(name)) throw new ApiTokenError(`token name ${JSON.stringify(name)} is not 1–64 characters of A–Z a–z 0–9 . _ -`);
    const random = randomBytes(32).toString('base64url');
    const qb = this.#db.kysely;
    const cost = this.#cost;
    const id = await this.#db.run(function* () {
      const taken = yield* query(qb.selectFrom('api_tokens').select('id').where('name', '=', name));
      if (taken.rows.length > 0) return undefined;
      // The id is part of the token, so the row exists before its hash can be made; the placeholder never verifies.
      const ins = yield* query(qb.insertInto('api_tokens').values({ name, hash: '-', rights: rights.join(','), created_at: at, created_by: by.actor }).returning('id'));
      const id = Number(ins.rows[0].id);
      yield* query(qb.updateTable('api_tokens').set({ hash: hashSecret(tokenText(id, random), cost) }).where('id', '=', id));
      yield* recordAudit(qb, { at, ...by, action: 'token.create', target: name, detail: { rights } });
      return id;
    });
    if (id === undefined) throw new ApiTokenError(`a token named ${name} exists already`);
    return { token: { id, name, rights, createdAt: at, createdBy: by.actor, revokedAt: null }, secret: tokenText(id, random) };
  }

  async list(): Promise<ApiToken[]> {
    return (await this.#db.kysely.selectFrom('api_tokens').selectAll().orderBy('name').execute()).map(tokenOf);
  }

  /** Revoke by name; false for an unknown or already revoked token. */
  async revoke(name: string, by: { actor: string; address?: string }, at: number): Promise<boolean> {
    const qb = this.#db.kysely;
    return this.#db.run(function* () {
      const upd = yield* query(qb.updateTable('api_tokens').set({ revoked_at: at }).where('name', '=', name).where('revoked_at', 'is', null));
      if (affected(upd) === 0) return false;
      yield* recordAudit(qb, { at, ...by, action: 'token.revoke', target: name });
      return true;
    });
  }

  /**
   * The token a bearer value stands for, or undefined (malformed, unknown,
   * wrong secret, revoked). Revocation is read from the database every time,
   * so a token revoked by another process stops working at once.
   */
  async verify(bearer: string, now: number): Promise<ApiToken | undefined> {
    const m = TOKEN_PATTERN.exec(bearer);
    if (!m) return undefined;
    const row = await this.#db.kysely.selectFrom('api_tokens').selectAll().where('id', '=', Number(m[1])).executeTakeFirst();
    if (!row || row.revoked_at !== null) return undefined;
    const digest = createHash('sha256').update(bearer).digest('base64');
    const known = this.#checked.get(digest);
    if (known && known.token.id === Number(row.id) && now - known.at < TOKEN_CACHE_MS) return tokenOf(row);
    if (!verifySecret(bearer, row.hash)) return undefined;
    this.#checked.set(digest, { token: tokenOf(row), at: now });
    return tokenOf(row);
  }
}

function tokenText(id: number, random: string): string {
  return `hcs_${id}_${random}`;
}

function tokenOf(r: Selectable<ApiTokensTable>): ApiToken {
  return { id: Number(r.id), name: r.name, rights: r.rights.split(',') as ApiRight[], createdAt: Number(r.created_at), createdBy: r.created_by, revokedAt: r.revoked_at === null ? null : Number(r.revoked_at) };
}
