/**
 * Each direct message a nag has sent, recorded the moment the platform took it and before the next
 * step: a retry after a crash skips the recipients recorded here. On Teams this record is the only
 * way to know (the Bot Connector cannot read a chat back); on Slack it spares the search.
 */
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations see the schema as it was then
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('nag_direct_messages')
    .addColumn('patch_id', 'bigint', (c) => c.notNull())
    .addColumn('step', 'integer', (c) => c.notNull())
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('conversation', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('nag_direct_messages_pk', ['patch_id', 'step', 'platform', 'recipient'])
    .addForeignKeyConstraint('nag_direct_messages_nag', ['patch_id', 'step'], 'nags', ['patch_id', 'step'], (fk) =>
      fk.onDelete('cascade'),
    )
    .execute();
}
