import { describe, expect, it } from 'vitest';
import { parseOutageCommand } from '../../commands/outage-command.js';

const HOUR = 3_600_000;

describe('parseOutageCommand', () => {
  it.each([
    [
      'request mail-gw-1 saturday 22:00 4h apply the qmail patch',
      {
        kind: 'request',
        system: 'mail-gw-1',
        when: 'saturday 22:00',
        durationMs: 4 * HOUR,
        reason: 'apply the qmail patch',
      },
    ],
    [
      'request mail-gw-1 2026-11-28 22:00 90m reboot',
      { kind: 'request', system: 'mail-gw-1', when: '2026-11-28 22:00', durationMs: 90 * 60_000, reason: 'reboot' },
    ],
    [
      'request mail-gw-1 next sat 2am 1d12h move the disks, then 2h of checks',
      { kind: 'request', when: 'next sat 2am', durationMs: 36 * HOUR, reason: 'move the disks, then 2h of checks' },
    ],
    [
      'request mail-gw-1 2026-11-28T22:00+01:00 4h patch --now',
      { kind: 'request', when: '2026-11-28T22:00+01:00', reason: 'patch --now' },
    ],
    ['list', { kind: 'list' }],
    ['approve #12', { kind: 'decide', id: 12, vote: 'approve' }],
    ['deny 12 --reason not before the audit', { kind: 'decide', id: 12, vote: 'deny', reason: 'not before the audit' }],
    ['propose 12 sunday 06:00', { kind: 'decide', id: 12, vote: 'propose', when: 'sunday 06:00' }],
    ['patched #12', { kind: 'answer', id: 12, outcome: 'patched' }],
    ['not-done 12', { kind: 'answer', id: 12, outcome: 'not-done' }],
    ['not-done 12 sorry', { kind: 'invalid', message: 'Give only the request number (got "12 sorry").' }],
    ['', { kind: 'help' }],
    ['help', { kind: 'help' }],
  ])('%s', (text, expected) => {
    expect(parseOutageCommand(text)).toMatchObject(expected);
  });

  it.each([
    ['request', 'Name the system'],
    ['request mail-gw-1 4h reboot', 'Say when before the duration "4h"'],
    ['request mail-gw-1 saturday 22:00', 'Say how long after the time'],
    ['request mail-gw-1 saturday 22:00 4h', 'Say why after the duration'],
    ['list all', 'Outage list takes nothing after it'],
    ['approve twelve', 'Give the number of an outage request'],
    ['deny 12', 'A denial needs a reason'],
    ['propose 12', 'Say when instead'],
    ['cancel 12', '"cancel" is not an outage command'],
  ])('refuses %s', (text, message) => {
    const parsed = parseOutageCommand(text);
    expect(parsed.kind).toBe('invalid');
    expect(parsed.kind === 'invalid' && parsed.message).toContain(message);
  });
});
