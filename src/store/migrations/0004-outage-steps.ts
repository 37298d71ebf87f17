/**
 * The follow-through of approved outage windows, recorded like nags so a restart loses and doubles
 * nothing: one row per step (a reminder before the start, the start notice, the question at the
 * end). Requests also keep the patches they were asked for, which "Patched" marks applied.
 */
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations see the schema as it was then
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('outage_requests')
    .addColumn('patches', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  await db.schema
    .createTable('outage_steps')
    .addColumn('request_id', 'bigint', (c) => c.notNull().references('outage_requests.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .addPrimaryKeyConstraint('outage_steps_pk', ['request_id', 'kind'])
    .execute();
  await db.schema.createIndex('outage_steps_due').on('outage_steps').columns(['status', 'due_at']).execute();
}
