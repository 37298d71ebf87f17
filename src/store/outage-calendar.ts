/** What the outage calendar shows, from the store: windows approved (and how they ended), and freezes. */
import type { Kysely } from 'kysely';
import type { CalendarFreeze, CalendarWindow } from '../outages/calendar.js';
import { systemFromRow } from './inventory-rows.js';
import type { Database } from './schema.js';

/** Windows and freezes that end at or after `since`. */
export async function calendarEntries(
  db: Kysely<Database>,
  since: number,
): Promise<{ windows: CalendarWindow[]; freezes: CalendarFreeze[] }> {
  const windows = await db
    .selectFrom('outage_requests')
    .select(['id', 'system', 'start_at', 'end_at', 'reason', 'status', 'decided_by', 'patches'])
    .where('status', 'in', ['approved', 'patched', 'not-done'])
    .where('end_at', '>=', since)
    .orderBy('start_at')
    .execute();
  // Freezes live in each system's row: a calendar reads the inventory whole (an export, not a hot path).
  const systems = (await db.selectFrom('systems').selectAll().where('freezes', '!=', '[]').execute()).map(
    systemFromRow,
  );
  return {
    windows: windows.map((row) => ({
      id: row.id,
      system: row.system,
      start: row.start_at,
      end: row.end_at,
      reason: row.reason,
      status: row.status,
      approvedBy: row.decided_by ?? undefined,
      patches: JSON.parse(row.patches) as string[],
    })),
    freezes: systems.flatMap((system) =>
      system.freezes.filter((freeze) => freeze.to >= since).map((freeze) => ({ system: system.name, ...freeze })),
    ),
  };
}
