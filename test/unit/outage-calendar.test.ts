import { describe, expect, it } from 'vitest';
import { outageCalendar } from '../../src/outages/calendar.js';

const STAMP = Date.parse('2026-11-26T17:00:00Z');

/** The VEVENT blocks, unfolded (RFC 5545 folds long lines with CRLF and a space). */
function events(ics: string): Record<string, string>[] {
  const lines = ics.replace(/\r\n[ \t]/g, '').split('\r\n');
  const found: Record<string, string>[] = [];
  let current: Record<string, string> | undefined;
  for (const line of lines) {
    if (line === 'BEGIN:VEVENT') current = {};
    else if (line === 'END:VEVENT' && current) {
      found.push(current);
      current = undefined;
    } else if (current) {
      const colon = line.indexOf(':');
      current[line.slice(0, colon).split(';')[0]!] = line.slice(colon + 1);
    }
  }
  return found;
}

describe('the outage calendar', () => {
  const ics = outageCalendar({
    stamp: STAMP,
    windows: [
      {
        id: 7,
        system: 'mail-gw-1',
        start: Date.parse('2026-11-28T21:00:00Z'),
        end: Date.parse('2026-11-28T23:00:00Z'),
        reason: 'qmail EDNS patch',
        status: 'approved',
        approvedBy: 'carol',
        patches: ['CVE-2005-1513'],
      },
      {
        id: 3,
        system: 'dns-1',
        start: Date.parse('2026-11-21T21:00:00Z'),
        end: Date.parse('2026-11-21T22:00:00Z'),
        reason: 'unbound update',
        status: 'patched',
        approvedBy: 'bob',
        patches: [],
      },
    ],
    freezes: [
      {
        system: 'mail-gw-1',
        from: Date.parse('2026-12-15T00:00:00Z'),
        to: Date.parse('2027-01-06T00:00:00Z'),
        reason: 'year-end',
      },
    ],
  });

  it('is an iCalendar with one event per window and per freeze, with stable UIDs and UTC times', () => {
    expect(ics.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(ics.trimEnd().endsWith('END:VCALENDAR')).toBe(true);
    const [window, past, freeze] = events(ics);
    expect(window).toMatchObject({
      UID: 'outage-7@mxops',
      DTSTART: '20261128T210000Z',
      DTEND: '20261128T230000Z',
      SUMMARY: 'Outage: mail-gw-1',
      STATUS: 'CONFIRMED',
      DTSTAMP: '20261126T170000Z',
    });
    expect(window!.DESCRIPTION).toBe('Reason: qmail EDNS patch\\nPatches: CVE-2005-1513\\nApproved by: carol');
    expect(past).toMatchObject({ UID: 'outage-3@mxops', SUMMARY: 'Outage: dns-1 (patched)' });
    expect(freeze).toMatchObject({
      UID: `freeze-mail-gw-1-${Date.parse('2026-12-15T00:00:00Z')}@mxops`,
      SUMMARY: 'Freeze: mail-gw-1 (year-end)',
      DTSTART: '20261215T000000Z',
      DTEND: '20270106T000000Z',
    });
  });

  it('is the same text for the same input (subscribed calendars update in place)', () => {
    expect(outageCalendar({ stamp: STAMP, windows: [], freezes: [] })).toBe(
      outageCalendar({ stamp: STAMP, windows: [], freezes: [] }),
    );
  });
});
