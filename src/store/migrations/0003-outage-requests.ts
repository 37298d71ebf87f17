/**
 * Outage-window requests, their votes, every posted copy of their approval card (so a decision
 * replaces all of them), and the follow-through steps of an approved window (reminders, start,
 * end), recorded once each like nags.
 */
import type { Kysely } from 'kysely';
import type { StoreDialect } from '../database.js';
import { identityColumn } from './column-types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations see the schema as it was then
type AnyDb = Kysely<any>;

export function outageRequestsMigration(dialect: StoreDialect) {
  return {
    async up(db: AnyDb): Promise<void> {
      await identityColumn(db.schema.createTable('outage_requests'), dialect, 'id')
        .addColumn('system', 'text', (c) => c.notNull().references('systems.name').onDelete('cascade'))
        .addColumn('start_at', 'bigint', (c) => c.notNull())
        .addColumn('end_at', 'bigint', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('approvals', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('decided_by', 'text')
        .addColumn('decided_at', 'bigint')
        .addColumn('decision_note', 'text')
        .addColumn('proposed_start', 'bigint')
        .execute();
      // Conflict checks read approved windows by system and time; expiry reads pending ones by time.
      await db.schema
        .createIndex('outage_requests_system')
        .on('outage_requests')
        .columns(['system', 'status', 'end_at'])
        .execute();
      await db.schema
        .createIndex('outage_requests_status')
        .on('outage_requests')
        .columns(['status', 'expires_at'])
        .execute();

      await db.schema
        .createTable('outage_cards')
        .addColumn('request_id', 'bigint', (c) => c.notNull().references('outage_requests.id').onDelete('cascade'))
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('conversation', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('outage_cards_pk', ['request_id', 'platform', 'conversation', 'message'])
        .execute();
    },
  };
}
