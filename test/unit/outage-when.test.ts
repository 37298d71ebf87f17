import { describe, expect, it } from 'vitest';
import { parseWhen } from '../../src/outages/when.js';

// Thursday 26 November 2026, 18:00 in Berlin (17:00 UTC).
const NOW = Date.parse('2026-11-26T17:00:00Z');

describe('when an outage starts, as typed', () => {
  it.each([
    ['saturday 22:00', 'Europe/Berlin', '2026-11-28T21:00:00.000Z'],
    ['sat 22:00', 'Europe/Berlin', '2026-11-28T21:00:00.000Z'],
    ['next saturday 22:00', 'Europe/Berlin', '2026-12-05T21:00:00.000Z'],
    ['tomorrow 06:30', 'Europe/Berlin', '2026-11-27T05:30:00.000Z'],
    ['2026-11-28 22:00', 'America/New_York', '2026-11-29T03:00:00.000Z'],
    ['2026-11-28T22:00', 'UTC', '2026-11-28T22:00:00.000Z'],
    ['2026-11-28T22:00+01:00', 'America/New_York', '2026-11-28T21:00:00.000Z'],
    // At that moment it is already 02:00 on Friday in Tokyo: "tomorrow" there is Saturday.
    ['tomorrow 09:00', 'Asia/Tokyo', '2026-11-28T00:00:00.000Z'],
  ])('reads %j in %s', (text, zone, expected) => {
    expect(new Date(parseWhen(text, NOW, zone)).toISOString()).toBe(expected);
  });

  it('places a time the clocks skip at the moment they jump (Berlin, 28 March 2027)', () => {
    expect(new Date(parseWhen('2027-03-28 02:30', NOW, 'Europe/Berlin')).toISOString()).toBe(
      '2027-03-28T01:00:00.000Z',
    );
  });

  it.each([
    ['whenever', /is not a time/],
    ['friday', /names a day but no time/],
    ['saturday 22:00 please', /could not read "please"/],
    ['saturday 22:00', /not an IANA time zone/, 'Mars/Olympus'],
  ])('refuses %j', (text, message, zone = 'Europe/Berlin') => {
    expect(() => parseWhen(text, NOW, zone)).toThrow(message);
  });
});
