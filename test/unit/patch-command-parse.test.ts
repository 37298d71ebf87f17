import { describe, expect, it } from 'vitest';
import { parsePatchCommand, PATCH_USAGE } from '../../commands/patch-request.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('parsePatchCommand', () => {
  it.each([
    ['list', { kind: 'list' }],
    ['  OVERDUE ', { kind: 'overdue' }],
    ['show mail-gw-1', { kind: 'show', system: 'mail-gw-1' }],
    ['who dns-1', { kind: 'who', system: 'dns-1' }],
    ['ack mail-gw-1', { kind: 'act', system: 'mail-gw-1', action: { kind: 'ack' } }],
    [
      'ack mail-gw-1 CVE-2005-1513',
      { kind: 'act', system: 'mail-gw-1', patch: 'CVE-2005-1513', action: { kind: 'ack' } },
    ],
    [
      'done mail-gw-1 netqmail 1.06 patch set',
      { kind: 'act', system: 'mail-gw-1', patch: 'netqmail 1.06 patch set', action: { kind: 'done' } },
    ],
    [
      'done mail-gw-1 "Kernel  update"',
      { kind: 'act', system: 'mail-gw-1', patch: 'Kernel  update', action: { kind: 'done' } },
    ],
    [
      'snooze mail-gw-1 3d --reason vendor build due Friday',
      {
        kind: 'act',
        system: 'mail-gw-1',
        action: { kind: 'snooze', durationMs: 3 * DAY, reason: 'vendor build due Friday' },
      },
    ],
    [
      'snooze mail-gw-1 1d12h --reason=waiting on the vendor',
      {
        kind: 'act',
        system: 'mail-gw-1',
        action: { kind: 'snooze', durationMs: 36 * HOUR, reason: 'waiting on the vendor' },
      },
    ],
    [
      'snooze mail-gw-1 CVE-2005-1513 36h --reason \u201cchange freeze\u201d',
      {
        kind: 'act',
        system: 'mail-gw-1',
        patch: 'CVE-2005-1513',
        action: { kind: 'snooze', durationMs: 36 * HOUR, reason: 'change freeze' },
      },
    ],
    [
      'add mail-gw-1 Critical qmail fails on big DNS answers',
      { kind: 'add', system: 'mail-gw-1', severity: 'critical', title: 'qmail fails on big DNS answers' },
    ],
    [
      'add mail-gw-1 high "Firmware update" --advisory VENDOR-1 --released 2026-10-01 --due 2026-10-20',
      {
        kind: 'add',
        system: 'mail-gw-1',
        severity: 'high',
        title: 'Firmware update',
        advisory: 'VENDOR-1',
        releasedAt: Date.parse('2026-10-01T00:00:00Z'),
        dueAt: Date.parse('2026-10-20T00:00:00Z'),
      },
    ],
    ['', { kind: 'help' }],
    ['help', { kind: 'help' }],
    ['--help', { kind: 'help' }],
  ])('%j', (text, expected) => {
    expect(parsePatchCommand(text)).toEqual(expected);
  });

  it.each([
    [
      'frobnicate mail-gw-1',
      /^"frobnicate" is not a patch command: use one of list, overdue, show, who, done, ack, snooze, add, accept-risk, risks, approve, reject\.$/,
      Object.values(PATCH_USAGE).join('\n'),
    ],
    ['show', /^Name the system/, PATCH_USAGE.show],
    ['ack', /^Name the system/, PATCH_USAGE.ack],
    ['snooze', /^Name the system/, PATCH_USAGE.snooze],
    ['show mail-gw-1 dns-1', /^One system at a time/, PATCH_USAGE.show],
    ['show "mail gw"', /^The system name must be 1 to 64 letters/, PATCH_USAGE.show],
    ['list everything', /^Patch list takes nothing after it/, PATCH_USAGE.list],
    [
      'snooze mail-gw-1 3 days --reason vendor',
      /^"days" is not a duration: use a number with m, h, d or w/,
      PATCH_USAGE.snooze,
    ],
    ['snooze mail-gw-1 3x --reason vendor', /^"3x" is not a duration/, PATCH_USAGE.snooze],
    ['snooze mail-gw-1 --reason vendor', /^Say for how long: a duration such as 3d/, PATCH_USAGE.snooze],
    ['snooze mail-gw-1 3d', /^A snooze needs a reason: add --reason/, PATCH_USAGE.snooze],
    ['snooze mail-gw-1 3d --reason', /^--reason needs a value\.$/, PATCH_USAGE.snooze],
    [
      'snooze mail-gw-1 3d --because vendor',
      /^Unknown option --because: this command takes --reason\.$/,
      PATCH_USAGE.snooze,
    ],
    ['ack mail-gw-1 --reason busy', /^Unknown option --reason: this command takes none\.$/, PATCH_USAGE.ack],
    ['add mail-gw-1', /^Give the severity after the system/, PATCH_USAGE.add],
    [
      'add mail-gw-1 urgent Fix it',
      /^The severity must be one of critical, high, medium, low \(got "urgent"\)\.$/,
      PATCH_USAGE.add,
    ],
    ['add mail-gw-1 high', /^Give the title of the patch/, PATCH_USAGE.add],
    ['add mail-gw-1 high Fix --released 1.10.2026', /^--released must be a date YYYY-MM-DD/, PATCH_USAGE.add],
    [
      'add mail-gw-1 high Fix --released 2026-10-05 --due 2026-10-01',
      /^--due 2026-10-01 is before --released 2026-10-05\.$/,
      PATCH_USAGE.add,
    ],
    ['add mail-gw-1 high Fix --advisory A --advisory B', /^--advisory is given twice\.$/, PATCH_USAGE.add],
  ])('refuses %j', (text, message, usage) => {
    const request = parsePatchCommand(text);
    expect(request.kind).toBe('invalid');
    if (request.kind !== 'invalid') return;
    expect(request.message).toMatch(message);
    expect(request.usage).toBe(usage);
  });
});

describe('risk acceptance commands', () => {
  it.each([
    [
      'accept-risk mail-gw-1 CVE-2005-1513 --until 2027-03-31 --reason CEO says no outage --controls relay only; frozen',
      {
        kind: 'accept-risk',
        system: 'mail-gw-1',
        patch: 'CVE-2005-1513',
        reason: 'CEO says no outage',
        controls: ['relay only', 'frozen'],
        until: { at: Date.parse('2027-03-31T00:00:00Z') },
      },
    ],
    [
      'accept-risk mail-gw-1 --reason why --until 90d',
      { kind: 'accept-risk', system: 'mail-gw-1', reason: 'why', controls: [], until: { afterMs: 90 * 86_400_000 } },
    ],
    ['risks', { kind: 'risks' }],
    ['approve #12', { kind: 'decide-risk', id: 12, decision: 'approve' }],
    [
      'reject 12 --reason the relay is not enough',
      { kind: 'decide-risk', id: 12, decision: 'reject', comment: 'the relay is not enough' },
    ],
  ])('reads %j', (text, expected) => {
    expect(parsePatchCommand(text)).toEqual(expected);
  });

  it.each([
    ['accept-risk mail-gw-1 --until 90d', /needs a reason/],
    ['accept-risk --until 90d --reason x', /name the system/i],
    ['approve', /give the number of one risk acceptance request/i],
    ['approve twelve', /not "twelve"/],
    ['reject 3', /a rejection needs a reason/i],
  ])('refuses %j', (text, message) => {
    const request = parsePatchCommand(text);
    expect(request.kind).toBe('invalid');
    expect(request.kind === 'invalid' && request.message).toMatch(message);
  });
});
