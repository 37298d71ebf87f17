/**
 * The first schema: the patch inventory, escalation bookkeeping, risk acceptances and the
 * hash-chained audit log. See schema.ts for what each column holds.
 */
import type { Kysely } from 'kysely';
import type { StoreDialect } from '../database.js';
import { identityColumn } from './column-types.js';

// Migrations see the database as it was when they were written, not today's Database type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export function inventoryMigration(dialect: StoreDialect) {
  return {
    async up(db: AnyDb): Promise<void> {
      await db.schema
        .createTable('people')
        .addColumn('handle', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('slack_id', 'text')
        .addColumn('teams_id', 'text')
        .addColumn('time_zone', 'text', (c) => c.notNull())
        .addColumn('working_hours', 'text', (c) => c.notNull())
        .addColumn('manager', 'text')
        .execute();

      await db.schema
        .createTable('policies')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('definition', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('systems')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('criticality', 'text', (c) => c.notNull())
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('slack_channel', 'text')
        .addColumn('teams_channel', 'text')
        .addColumn('policy', 'text', (c) => c.notNull())
        .addColumn('maintenance_windows', 'text', (c) => c.notNull())
        .addColumn('freezes', 'text', (c) => c.notNull())
        .addColumn('depends_on', 'text', (c) => c.notNull())
        .execute();

      await identityColumn(db.schema.createTable('patches'), dialect, 'id')
        .addColumn('system', 'text', (c) => c.notNull().references('systems.name').onDelete('cascade'))
        .addColumn('patch_key', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('advisory', 'text')
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('released_at', 'bigint', (c) => c.notNull())
        .addColumn('due_at', 'bigint', (c) => c.notNull())
        .addColumn('due_source', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('done_at', 'bigint')
        .addColumn('done_by', 'text')
        .addColumn('escalation', 'text', (c) => c.notNull())
        .addColumn('next_at', 'bigint')
        .addUniqueConstraint('patches_system_key', ['system', 'patch_key'])
        .execute();
      // The sweep reads only what is due: WHERE next_at <= now, never the whole inventory.
      await db.schema.createIndex('patches_next_at').on('patches').column('next_at').execute();

      await db.schema
        .createTable('nags')
        .addColumn('patch_id', 'bigint', (c) => c.notNull().references('patches.id').onDelete('cascade'))
        .addColumn('step', 'integer', (c) => c.notNull())
        .addColumn('level', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('planned_at', 'bigint', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'bigint')
        .addPrimaryKeyConstraint('nags_pk', ['patch_id', 'step'])
        .execute();
      await db.schema.createIndex('nags_status').on('nags').column('status').execute();

      await db.schema
        .createTable('patch_threads')
        .addColumn('patch_id', 'bigint', (c) => c.notNull().references('patches.id').onDelete('cascade'))
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('conversation', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('patch_threads_pk', ['patch_id', 'platform'])
        .execute();

      await identityColumn(db.schema.createTable('risk_acceptances'), dialect, 'id')
        .addColumn('patch_id', 'bigint', (c) => c.notNull().references('patches.id').onDelete('cascade'))
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('controls', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('decided_by', 'text')
        .addColumn('decided_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('risk_acceptances_patch').on('risk_acceptances').column('patch_id').execute();

      await db.schema
        .createTable('audit_log')
        .addColumn('seq', 'bigint', (c) => c.primaryKey())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('system', 'text')
        .addColumn('surface', 'text', (c) => c.notNull())
        .addColumn('details', 'text', (c) => c.notNull())
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
    },
  };
}
