import type { Clock } from '../../core/clock.js';
import type { CentreDatabase } from './centre-database.js';
import type { EventBus } from './event-bus.js';
import { MemoryEventBus } from './memory-event-bus.js';
import { PostgresDatabase } from './postgres-database.js';
import { PostgresEventBus } from './postgres-event-bus.js';
import type { Logger } from '../logger.js';

/** The live-event bus that fits the database: LISTEN/NOTIFY on PostgreSQL, in-process on SQLite (one process writes the file). */
export function openEventBus(db: CentreDatabase, clock: Clock, logger?: Logger): Promise<EventBus> {
  return db instanceof PostgresDatabase ? PostgresEventBus.open(db, clock, logger) : Promise.resolve(new MemoryEventBus(logger));
}
