/**
 * Writes many patches' escalation states in a few statements: UPDATE ... SET col = CASE id WHEN
 * ... END WHERE id IN (...), which SQLite and PostgreSQL both run. A sweep over thousands of due
 * patches would otherwise spend a round trip per patch.
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { EscalationState } from '../patching/escalation.js';
import { escalationColumns } from './inventory-rows.js';
import type { Database } from './schema.js';

/** Two parameters per row per column, plus the IN list: well under both databases' limits. */
const CHUNK = 500;

export async function updateEscalations(trx: Kysely<Database>, updates: readonly { readonly id: number; readonly state: EscalationState }[]): Promise<void> {
  for (let start = 0; start < updates.length; start += CHUNK) {
    const rows = updates.slice(start, start + CHUNK).map(({ id, state }) => ({ id, ...escalationColumns(state) }));
    const byId = <T>(value: (row: (typeof rows)[number]) => T): RawBuilder<T> =>
      sql<T>`case id ${sql.join(
        rows.map((row) => sql`when ${row.id} then ${value(row)}`),
        sql` `,
      )} end`;
    await trx
      .updateTable('patches')
      // The CASTs keep PostgreSQL from guessing the type of a CASE whose values are all NULL or text.
      .set({ escalation: sql<string>`cast(${byId((row) => row.escalation)} as text)`, next_at: sql<number | null>`cast(${byId((row) => row.next_at)} as bigint)` })
      .where(
        'id',
        'in',
        rows.map((row) => row.id),
      )
      .execute();
  }
}
