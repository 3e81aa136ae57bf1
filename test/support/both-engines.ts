import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import type { CentreDatabase } from '../../src/database/centre-database.js';
import { parseDatabaseUrl, type DatabaseLocation, type Engine } from '../../src/database/database-url.js';
import { openDatabase, type OpenDatabaseOptions } from '../../src/database/open-database.js';
import { sharedPostgresCluster } from './shared-postgres.js';

export const ENGINES: readonly Engine[] = ['sqlite', 'postgres'];

/** One fresh database on one engine, for one test. */
export interface EngineFixture {
  engine: Engine;
  /** What `--db` takes for it. */
  spec: string;
  location: DatabaseLocation;
  /** A state directory of this test's own (master key file, centre files). */
  stateDir: string;
  /** Open (and migrate) the database; every handle is closed at teardown. */
  open(options?: OpenDatabaseOptions): Promise<CentreDatabase>;
}

/** A fresh database on `engine`: a file in a temp directory, or a new database in this process's PostgreSQL cluster. */
export async function engineFixture(t: Test, engine: Engine): Promise<EngineFixture> {
  const stateDir = mkdtempSync(join(tmpdir(), `hicom-db-${engine}-`));
  const handles: CentreDatabase[] = [];
  t.teardown(async () => {
    for (const h of handles) await h.close().catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
  });
  const spec = engine === 'sqlite' ? `sqlite:${join(stateDir, 'centre', 'centre.db')}` : await (await sharedPostgresCluster()).createDatabase();
  const location = parseDatabaseUrl(spec);
  return {
    engine,
    spec,
    location,
    stateDir,
    async open(options) {
      const db = await openDatabase(location, options);
      handles.push(db);
      return db;
    },
  };
}

/**
 * Run `body` once per engine, as the subtests "NAME [sqlite]" and
 * "NAME [postgres]", each on a fresh database. When PostgreSQL cannot be
 * started the postgres subtest fails with the reason.
 */
export function onBothEngines(t: Test, name: string, body: (t: Test, f: EngineFixture) => Promise<void>): void {
  for (const engine of ENGINES) onEngine(t, name, engine, body);
}

/**
 * The subtest "NAME [ENGINE]" on a fresh database: one engine's half of a
 * long real-time test whose two halves live in two files (one per engine),
 * so each stays inside tap's per-file timeout and the halves run side by side.
 */
export function onEngine(t: Test, name: string, engine: Engine, body: (t: Test, f: EngineFixture) => Promise<void>): void {
  t.test(`${name} [${engine}]`, async (t) => body(t, await engineFixture(t, engine)));
}
