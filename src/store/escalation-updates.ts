/**
 * Writes many patches' escalation states in a few statements: UPDATE ... FROM (VALUES ...), which
 * SQLite (3.33 and later) and PostgreSQL both run, and both name the VALUES columns column1,
 * column2... A sweep over thousands of due patches would otherwise spend a statement per patch.
 * (A CASE id WHEN ... form was tried first: SQLite spent most of the sweep preparing it.)
 */
import { type Kysely, sql } from 'kysely';
import type { EscalationState } from '../patching/escalation.js';
import { escalationColumns } from './inventory-rows.js';
import type { Database } from './schema.js';

/** Three parameters a row: well under both databases' limits per statement. */
const CHUNK = 1_000;

export async function updateEscalations(
  trx: Kysely<Database>,
  updates: readonly { readonly id: number; readonly state: EscalationState }[],
): Promise<void> {
  for (let start = 0; start < updates.length; start += CHUNK) {
    const rows = updates.slice(start, start + CHUNK).map(({ id, state }) => {
      const columns = escalationColumns(state);
      return sql`(${id}, ${columns.escalation}, ${columns.next_at})`;
    });
    // The CASTs give PostgreSQL the types its VALUES cannot infer from parameters (and from NULLs).
    await sql`update patches set escalation = cast(v.column2 as text), next_at = cast(v.column3 as bigint)
      from (values ${sql.join(rows)}) as v
      where patches.id = cast(v.column1 as bigint)`.execute(trx);
  }
}
