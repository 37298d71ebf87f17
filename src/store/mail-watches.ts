/**
 * Domains that channels watch: `/mailcheck watch partner.com` re-checks on a schedule and posts
 * into the channel only when something got worse or was fixed. Adding and removing a watch is
 * audited like every other change made from chat.
 */
import type { Kysely, Selectable } from 'kysely';
import type { AuditSurface } from './audit-log.js';
import { auditAppender } from './audit-log.js';
import type { OpenDatabase } from './database.js';
import type { Database, MailWatchesTable } from './schema.js';
import { writeTransaction } from './write-transaction.js';

export type WatchPlatform = 'slack' | 'teams';

/** Where a watch posts. */
export interface WatchPlace {
  readonly domain: string;
  readonly platform: WatchPlatform;
  /** Slack channel id or Teams conversation id. */
  readonly conversation: string;
}

export interface MailWatch extends WatchPlace {
  readonly id: number;
  readonly intervalMs: number;
  readonly createdBy: string;
  readonly createdAt: Date;
  /** The report the watch last compared against; null before its first run. */
  readonly lastReportId: number | null;
}

export interface WatchChange extends WatchPlace {
  /** The chat identity (slack:U123) or handle of who asked. */
  readonly by: string;
  readonly surface: AuditSurface;
  readonly at: Date;
}

/** Starts a watch, or changes the interval of the one already there; `created` says which. */
export async function addWatch(
  store: OpenDatabase,
  change: WatchChange & { readonly intervalMs: number },
): Promise<{ watch: MailWatch; created: boolean }> {
  return writeTransaction(store, async (trx) => {
    const existing = await findWatchAt(trx, change);
    if (existing) {
      await trx
        .updateTable('mail_watches')
        .set({ interval_ms: change.intervalMs })
        .where('id', '=', existing.id)
        .execute();
    } else {
      await trx
        .insertInto('mail_watches')
        .values({
          domain: change.domain,
          platform: change.platform,
          conversation: change.conversation,
          interval_ms: change.intervalMs,
          created_by: change.by,
          created_at: change.at.getTime(),
          last_report_id: null,
        })
        .execute();
    }
    // Read back for the id the insert gave it; in the same transaction, so it is there.
    const row = await findWatchAt(trx, change);
    if (!row) throw new Error(`the watch of ${change.domain} just written is gone`);
    const watch = watchFromRow(row);
    await auditAppender(trx).append({
      at: change.at.getTime(),
      actor: change.by,
      action: existing ? 'watch-changed' : 'watch-added',
      surface: change.surface,
      details: {
        domain: watch.domain,
        platform: watch.platform,
        conversation: watch.conversation,
        intervalMs: watch.intervalMs,
      },
    });
    return { watch, created: !existing };
  });
}

/** Stops a watch; undefined when there was none. */
export async function removeWatch(store: OpenDatabase, change: WatchChange): Promise<MailWatch | undefined> {
  return writeTransaction(store, async (trx) => {
    const row = await findWatchAt(trx, change);
    if (!row) return undefined;
    await trx.deleteFrom('mail_watches').where('id', '=', row.id).execute();
    await auditAppender(trx).append({
      at: change.at.getTime(),
      actor: change.by,
      action: 'watch-removed',
      surface: change.surface,
      details: { domain: row.domain, platform: row.platform, conversation: row.conversation },
    });
    return watchFromRow(row);
  });
}

export async function findWatch(store: OpenDatabase, id: number): Promise<MailWatch | undefined> {
  const row = await store.db.selectFrom('mail_watches').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? watchFromRow(row) : undefined;
}

/** Every watch, or those of one conversation. */
export async function listWatches(
  store: OpenDatabase,
  where: { readonly platform: WatchPlatform; readonly conversation: string } | undefined = undefined,
): Promise<MailWatch[]> {
  let query = store.db.selectFrom('mail_watches').selectAll();
  if (where) query = query.where('platform', '=', where.platform).where('conversation', '=', where.conversation);
  const rows = await query.orderBy('domain').orderBy('id').execute();
  return rows.map(watchFromRow);
}

export async function setLastReport(store: OpenDatabase, watchId: number, reportId: number): Promise<void> {
  await store.db.updateTable('mail_watches').set({ last_report_id: reportId }).where('id', '=', watchId).execute();
}

function watchFromRow(row: Selectable<MailWatchesTable>): MailWatch {
  return {
    id: Number(row.id),
    domain: row.domain,
    platform: row.platform as WatchPlatform,
    conversation: row.conversation,
    intervalMs: Number(row.interval_ms),
    createdBy: row.created_by,
    createdAt: new Date(Number(row.created_at)),
    lastReportId: row.last_report_id === null ? null : Number(row.last_report_id),
  };
}

/** The watch of a domain in one conversation (at most one: addWatch changes the one there). */
function findWatchAt(trx: Kysely<Database>, place: WatchPlace): Promise<Selectable<MailWatchesTable> | undefined> {
  return trx
    .selectFrom('mail_watches')
    .selectAll()
    .where('domain', '=', place.domain)
    .where('platform', '=', place.platform)
    .where('conversation', '=', place.conversation)
    .executeTakeFirst();
}
