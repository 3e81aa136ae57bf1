import type { Clock } from '../../core/clock.js';
import type { CentreDatabase } from './centre-database.js';
import type { EventBus } from './event-bus.js';
import { PostgresDatabase } from './postgres-database.js';
import { PostgresEventBus } from './postgres-event-bus.js';
import { SqliteDatabase } from './sqlite-database.js';
import { SqliteEventBus } from './sqlite-event-bus.js';
import { MemoryEventBus } from './memory-event-bus.js';
import type { Logger } from '../logger.js';

/**
 * The live-event bus that fits the database: LISTEN/NOTIFY on PostgreSQL;
 * on SQLite in-process messages plus a resync when another process
 * committed to the file (its `data_version`).
 */
export function openEventBus(db: CentreDatabase, clock: Clock, logger?: Logger): Promise<EventBus> {
  if (db instanceof PostgresDatabase) return PostgresEventBus.open(db, clock, logger);
  return Promise.resolve(db instanceof SqliteDatabase ? new SqliteEventBus(db, logger) : new MemoryEventBus(logger));
}
