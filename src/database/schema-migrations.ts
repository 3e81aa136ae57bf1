import type { SchemaMigration } from './column-types.js';
import { migration as m0001 } from './migrations/0001-settings.js';
import { migration as m0002 } from './migrations/0002-devices.js';
import { migration as m0003 } from './migrations/0003-audit-trail.js';
import { migration as m0004 } from './migrations/0004-intake.js';
import { migration as m0005 } from './migrations/0005-portal.js';
import { migration as m0006 } from './migrations/0006-service.js';
import { migration as m0007 } from './migrations/0007-maintenance.js';
import { migration as m0008 } from './migrations/0008-maintenance-visits.js';
import { migration as m0009 } from './migrations/0009-device-supervision.js';
import { migration as m0010 } from './migrations/0010-maintenance-schedule.js';
import { migration as m0011 } from './migrations/0011-function-test-wait.js';
import { migration as m0012 } from './migrations/0012-check-in-chain.js';
import { migration as m0013 } from './migrations/0013-device-check-in-row.js';
import { migration as m0014 } from './migrations/0014-report-index-entries.js';
import { migration as m0015 } from './migrations/0015-enum-check-comparisons.js';

/** Every migration this program knows, oldest first. A new one is a new numbered file added at the end. */
export const SCHEMA_MIGRATIONS: readonly SchemaMigration[] = [m0001, m0002, m0003, m0004, m0005, m0006, m0007, m0008, m0009, m0010, m0011, m0012, m0013, m0014, m0015];

/** Name of the table in which Kysely's Migrator records what ran. */
export const MIGRATION_TABLE = 'schema_migrations';
export const MIGRATION_LOCK_TABLE = 'schema_migrations_lock';
