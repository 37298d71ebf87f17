/** `mxops outage calendar` and the calendar feed: approved windows and freezes as iCalendar. */
import type { Clock } from '../src/clock.js';
import { outageCalendar } from '../src/outages/calendar.js';
import type { OpenDatabase } from '../src/store/database.js';
import { calendarEntries } from '../src/store/outage-calendar.js';
import { parseSince } from './since.js';

/** What a calendar shows by default: the last month, and everything ahead. */
const DEFAULT_SINCE = '30d';

export async function runOutageCalendar(
  input: { readonly since?: string | undefined },
  deps: { readonly store: OpenDatabase; readonly clock: Clock },
): Promise<string> {
  const now = deps.clock.wallMs();
  const entries = await calendarEntries(deps.store.db, parseSince(input.since ?? DEFAULT_SINCE, now));
  return outageCalendar({ ...entries, stamp: now });
}
