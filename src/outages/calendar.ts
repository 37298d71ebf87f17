/**
 * Approved outage windows and freeze periods as an iCalendar file (RFC 5545), so the people who
 * plan around them see them in their own calendars. ical-generator writes the format; events have
 * stable UIDs, so a subscribed calendar updates them in place instead of duplicating them.
 */
import ical, { ICalEventBusyStatus, ICalEventStatus } from 'ical-generator';

export interface CalendarWindow {
  readonly id: number;
  readonly system: string;
  readonly start: number;
  readonly end: number;
  readonly reason: string;
  /** 'approved' (ahead or under way), 'patched' or 'not-done' (over). */
  readonly status: string;
  readonly approvedBy: string | undefined;
  readonly patches: readonly string[];
}

export interface CalendarFreeze {
  readonly system: string;
  readonly from: number;
  readonly to: number;
  readonly reason: string;
}

export function outageCalendar(input: {
  readonly windows: readonly CalendarWindow[];
  readonly freezes: readonly CalendarFreeze[];
  readonly stamp: number;
}): string {
  const calendar = ical({
    name: 'mxops: outage windows and freezes',
    prodId: { company: 'mxops', product: 'outage-calendar', language: 'EN' },
  });
  const stamp = new Date(input.stamp);
  for (const window of input.windows) {
    const outcome = window.status === 'patched' ? ' (patched)' : window.status === 'not-done' ? ' (not done)' : '';
    calendar.createEvent({
      id: `outage-${window.id}@mxops`,
      start: new Date(window.start),
      end: new Date(window.end),
      stamp,
      summary: `Outage: ${window.system}${outcome}`,
      description: [
        `Reason: ${window.reason}`,
        `Patches: ${window.patches.join(', ') || 'none listed'}`,
        `Approved by: ${window.approvedBy ?? 'unknown'}`,
      ].join('\n'),
      status: ICalEventStatus.CONFIRMED,
      busystatus: ICalEventBusyStatus.BUSY,
    });
  }
  for (const freeze of input.freezes) {
    calendar.createEvent({
      id: `freeze-${freeze.system}-${freeze.from}@mxops`,
      start: new Date(freeze.from),
      end: new Date(freeze.to),
      stamp,
      summary: `Freeze: ${freeze.system}${freeze.reason ? ` (${freeze.reason})` : ''}`,
      description: `No changes to ${freeze.system}${freeze.reason ? `: ${freeze.reason}` : ''}.`,
      status: ICalEventStatus.CONFIRMED,
      busystatus: ICalEventBusyStatus.FREE,
    });
  }
  return calendar.toString();
}
