/**
 * Every mail check's report, so later checks can say what changed, and the domains a channel
 * watches (re-checked on a schedule, posting only when something got worse or was fixed).
 */
import type { Kysely } from 'kysely';
import type { StoreDialect } from '../database.js';
import { identityColumn } from './column-types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations see the schema as it was then
type AnyDb = Kysely<any>;

export function checkReportsMigration(dialect: StoreDialect) {
  return {
    async up(db: AnyDb): Promise<void> {
      await identityColumn(db.schema.createTable('check_reports'), dialect, 'id')
        .addColumn('domain', 'text', (c) => c.notNull())
        .addColumn('checked_at', 'bigint', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        // The --json document, deflated: reports repeat themselves (4-9 times smaller), and a watch stores one an hour.
        .addColumn('report', dialect === 'postgres' ? 'bytea' : 'blob', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('check_reports_domain')
        .on('check_reports')
        .columns(['domain', 'checked_at'])
        .execute();
      // Retention deletes by age across all domains.
      await db.schema.createIndex('check_reports_checked_at').on('check_reports').column('checked_at').execute();

      await identityColumn(db.schema.createTable('mail_watches'), dialect, 'id')
        .addColumn('domain', 'text', (c) => c.notNull())
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('conversation', 'text', (c) => c.notNull())
        .addColumn('interval_ms', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_report_id', 'bigint')
        .addUniqueConstraint('mail_watches_where', ['domain', 'platform', 'conversation'])
        .execute();
    },
  };
}
