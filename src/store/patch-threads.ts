/**
 * Where each patch's nag thread lives on each platform (DESIGN.md, "Threads are data"): saved the
 * moment the thread's first message is posted (with the nag that posted it: nag-records.ts
 * recordThreadStarted), so a retried or later nag replies in it.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface MessageRefRow {
  readonly platform: string;
  readonly conversation: string;
  readonly message: string;
}

export async function threadsOf(db: Kysely<Database>, patchId: number): Promise<MessageRefRow[]> {
  return db
    .selectFrom('patch_threads')
    .select(['platform', 'conversation', 'message'])
    .where('patch_id', '=', patchId)
    .execute();
}

export async function saveThread(db: Kysely<Database>, patchId: number, thread: MessageRefRow): Promise<void> {
  await db
    .insertInto('patch_threads')
    .values({ patch_id: patchId, ...thread })
    .onConflict((conflict) =>
      conflict
        .columns(['patch_id', 'platform'])
        .doUpdateSet({ conversation: thread.conversation, message: thread.message }),
    )
    .execute();
}
