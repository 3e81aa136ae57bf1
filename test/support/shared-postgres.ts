import t from 'tap';
import { startPostgresCluster, type PostgresCluster } from './postgres-cluster.js';

let shared: Promise<PostgresCluster> | undefined;

/**
 * The one cluster of this test process (started on first use, stopped when
 * the root tap test ends): a test file starts at most one, and each test
 * gets its own database in it.
 */
export function sharedPostgresCluster(): Promise<PostgresCluster> {
  if (!shared) {
    shared = startPostgresCluster();
    const started = shared;
    t.teardown(async () => (await started.catch(() => undefined))?.stop());
  }
  return shared;
}
