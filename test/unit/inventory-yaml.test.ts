import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import {
  InventoryFileError,
  MAX_LISTED_PROBLEMS,
  type InventoryProblem,
} from '../../src/patching/inventory-file-error.js';
import { MAX_INVENTORY_BYTES } from '../../src/patching/inventory-text.js';
import { formatInventoryYaml, parseInventoryYaml } from '../../src/patching/inventory-yaml.js';
import { DEFAULT_OUTAGE_APPROVAL, type InventoryDocument } from '../../src/patching/inventory.js';
import { DAY, HOUR, inventory, patch, PEOPLE, system } from '../support/inventory-fixture.js';

const EXAMPLE = readFileSync(new URL('../fixtures/inventory/example.yaml', import.meta.url), 'utf8');

const yaml = (...rows: string[]): string => `${rows.join('\n')}\n`;

function problemsOf(text: string): readonly InventoryProblem[] {
  try {
    parseInventoryYaml(text);
  } catch (error) {
    if (error instanceof InventoryFileError) return error.problems;
    throw error;
  }
  throw new Error('expected the file to be rejected');
}

// Building blocks that are valid on their own; each case below breaks one thing.
const PERSON = ['  - handle: alice', '    name: Alice Example', '    timeZone: Europe/Berlin'];
const POLICY = [
  '  - name: standard',
  '    sla: { critical: 7d, high: 30d, medium: 90d, low: 180d }',
  '    levels:',
  '      - { targets: [owner], wait: 2d }',
];
const SYSTEM = [
  '  - name: mail-gw-1',
  '    kind: mail-server',
  '    criticality: high',
  '    owner: alice',
  '    channel: { slack: C0123ABCD }',
  '    policy: standard',
];
const PATCH = [
  '  - system: mail-gw-1',
  '    title: qmail has no EDNS0',
  '    severity: critical',
  '    released: 2026-10-01',
];

describe('parseInventoryYaml: the example file', () => {
  const doc = parseInventoryYaml(EXAMPLE, 'example.yaml');

  it('reads every section', () => {
    expect(doc.people.map((person) => person.handle)).toEqual(['alice', 'bob', 'carol']);
    expect(doc.policies.map((policy) => policy.name)).toEqual(['standard', 'internet-facing']);
    expect(doc.systems.map((entry) => entry.name)).toEqual(['mail-gw-1', 'dns-1', 'fw-edge-1']);
    expect(doc.patches).toHaveLength(5);
  });

  it('reads people with their chain, defaults and day ranges', () => {
    expect(doc.people[0]).toStrictEqual({
      handle: 'alice',
      name: 'Alice Example',
      chat: { slack: 'U012ABCDEF', teams: '00000000-0000-0000-0000-000000000001' },
      timeZone: 'Europe/Berlin',
      workingHours: { days: [1, 2, 3, 4, 5], startMinute: 8 * 60 + 30, endMinute: 17 * 60 },
      manager: 'bob',
    });
    expect(doc.people[1]?.workingHours).toEqual({ days: [1, 2, 3, 4, 5], startMinute: 540, endMinute: 1080 });
    expect(doc.people[2]?.workingHours.days).toEqual([1, 2, 3, 4]);
    expect(doc.people[2]?.manager).toBeUndefined();
  });

  it('reads policies, with 0 as "no reminder" and defaults', () => {
    const [standard, internet] = doc.policies;
    expect(standard?.slaMs).toEqual({ critical: 7 * DAY, high: 30 * DAY, medium: 90 * DAY, low: 180 * DAY });
    expect(standard?.levels[1]).toEqual({ targets: ['owner', 'team-channel'], waitMs: 2 * DAY });
    expect(internet?.remindBeforeMs).toBe(0);
    expect(internet?.levels[0]?.waitMs).toBe(12 * HOUR);
    expect(internet?.leadership).toEqual([]);
    expect(internet?.quietHours).toBe(false);
  });

  it('reads an outage block where one is given, and no outage field where none is', () => {
    const [standard, internet] = doc.policies;
    expect(standard).not.toHaveProperty('outage');
    expect(internet?.outage).toStrictEqual({
      approvers: ['carol', 'bob'],
      quorum: 1,
      selfApproval: false,
      expireAfterMs: 3 * DAY,
      remindBeforeMs: [DAY, HOUR],
    });
  });

  it('reads the qmail gateway with windows, a freeze whose bare end date includes that day, and dependencies', () => {
    expect(doc.systems[0]).toStrictEqual({
      name: 'mail-gw-1',
      kind: 'mail-server',
      criticality: 'high',
      owner: 'alice',
      channel: { slack: 'C0123ABCD', teams: '19:abc@thread.tacv2' },
      policy: 'internet-facing',
      maintenanceWindows: [
        { days: [6, 7], startMinute: 22 * 60, durationMs: 4 * HOUR, timeZone: 'Europe/Berlin' },
        { days: [3], startMinute: 120, durationMs: HOUR, timeZone: 'UTC' },
      ],
      freezes: [{ from: Date.UTC(2026, 11, 15), to: Date.UTC(2027, 0, 6), reason: 'year-end freeze' }],
      dependsOn: ['dns-1'],
    });
    expect(doc.systems[2]?.freezes).toEqual([
      { from: Date.UTC(2026, 10, 2, 6), to: Date.UTC(2026, 10, 6, 18), reason: 'external audit' },
    ]);
  });

  it('reads dates as UTC epoch milliseconds, not as YAML timestamps', () => {
    expect(doc.patches[0]).toStrictEqual({
      system: 'mail-gw-1',
      title: 'qmail 1.03 has no EDNS0 and fails on DNS answers over 512 bytes',
      advisory: 'CVE-2005-1513',
      severity: 'critical',
      releasedAt: Date.UTC(2026, 9, 1),
      dueAt: Date.UTC(2026, 9, 8),
    });
    expect(doc.patches[1]?.releasedAt).toBe(Date.UTC(2026, 9, 1, 14, 30));
    expect(doc.patches[1]).not.toHaveProperty('advisory');
    expect(doc.patches[1]).not.toHaveProperty('dueAt');
  });
});

describe('parseInventoryYaml: values', () => {
  const releasedOf = (released: string): number | undefined =>
    parseInventoryYaml(yaml('patches:', ...PATCH.slice(0, 3), `    released: ${released}`)).patches[0]?.releasedAt;

  it.each([
    ['2026-10-01', Date.UTC(2026, 9, 1)],
    ['2026-10-01T10:00', Date.UTC(2026, 9, 1, 10)],
    ['2026-10-01T10:00:30', Date.UTC(2026, 9, 1, 10, 0, 30)],
    ['"2026-10-01 10:00"', Date.UTC(2026, 9, 1, 10)],
    ['2026-10-01T10:00:00+02:00', Date.UTC(2026, 9, 1, 8)],
    ['2026-10-01T10:00:00.250Z', Date.UTC(2026, 9, 1, 10, 0, 0, 250)],
    ['2026-10-01t10:00z', Date.UTC(2026, 9, 1, 10)],
  ])('released %s', (text, expected) => {
    expect(releasedOf(text)).toBe(expected);
  });

  const hoursOf = (workingHours: string): unknown =>
    parseInventoryYaml(yaml('people:', ...PERSON, `    workingHours: ${workingHours}`)).people[0]?.workingHours;

  it.each([
    ['{ days: [Sat, SUN] }', { days: [6, 7], startMinute: 540, endMinute: 1080 }],
    ['{ days: fri-mon, end: "24:00" }', { days: [1, 5, 6, 7], startMinute: 540, endMinute: 1440 }],
    ['{ days: "mon,wed" }', { days: [1, 3], startMinute: 540, endMinute: 1080 }],
    ['{ days: [fri, mon], start: "7:05" }', { days: [1, 5], startMinute: 425, endMinute: 1080 }],
    ['{ end: "17:00" }', { days: [1, 2, 3, 4, 5], startMinute: 540, endMinute: 1020 }],
  ])('working hours %s', (text, expected) => {
    expect(hoursOf(text)).toEqual(expected);
  });

  it('fills every policy default', () => {
    const [policy] = parseInventoryYaml(yaml('policies:', ...POLICY)).policies;
    expect(policy).toStrictEqual({
      name: 'standard',
      slaMs: { critical: 7 * DAY, high: 30 * DAY, medium: 90 * DAY, low: 180 * DAY },
      remindBeforeMs: 3 * DAY,
      levels: [{ targets: ['owner'], waitMs: 2 * DAY }],
      repeatCap: 3,
      ackForMs: 3 * DAY,
      ack: { maxCount: 1 },
      snooze: { maxCount: 2, maxLengthMs: 7 * DAY },
      riskApprovers: [],
      leadership: [],
      quietHours: true,
    });
  });

  it.each([
    ['left out', [], { maxCount: 1 }],
    ['empty', ['    ack:'], { maxCount: 1 }],
    ['an empty mapping', ['    ack: {}'], { maxCount: 1 }],
    ['none at all', ['    ack: { maxCount: 0 }'], { maxCount: 0 }],
    ['two a level', ['    ack:', '      maxCount: 2'], { maxCount: 2 }],
  ])('reads acknowledgement limits %s, like snooze', (_name, rows, expected) => {
    expect(parseInventoryYaml(yaml('policies:', ...POLICY, ...rows)).policies[0]?.ack).toStrictEqual(expected);
  });

  const outageOf = (...rows: string[]): unknown =>
    parseInventoryYaml(yaml('policies:', ...POLICY, ...rows)).policies[0]?.outage;

  it('gives a policy without outage (or with an empty outage:) no outage field', () => {
    expect(parseInventoryYaml(yaml('policies:', ...POLICY)).policies[0]).not.toHaveProperty('outage');
    expect(parseInventoryYaml(yaml('policies:', ...POLICY, '    outage:')).policies[0]).not.toHaveProperty('outage');
  });

  it('fills every outage default from outage: {}', () => {
    expect(outageOf('    outage: {}')).toStrictEqual(DEFAULT_OUTAGE_APPROVAL);
    expect(outageOf('    outage: { quorum: 1 }')).toStrictEqual({
      approvers: [],
      quorum: 1,
      selfApproval: false,
      expireAfterMs: 3 * DAY,
      remindBeforeMs: [DAY, HOUR],
    });
  });

  it('reads the full outage form, reminders longest first', () => {
    const rows = [
      '    outage:',
      '      approvers: [carol, bob]',
      '      quorum: 2',
      '      selfApproval: true',
      '      expireAfter: 1d12h',
      '      remindBefore: [1h, 2d, 24h]',
    ];
    expect(outageOf(...rows)).toStrictEqual({
      approvers: ['carol', 'bob'],
      quorum: 2,
      selfApproval: true,
      expireAfterMs: DAY + 12 * HOUR,
      remindBeforeMs: [2 * DAY, DAY, HOUR],
    });
  });

  it.each<[string, number[]]>([
    ['[]', []],
    ['30m', [30 * 60_000]],
    ['"1h 1w"', [7 * DAY, HOUR]],
  ])('outage remindBefore %s', (text, expected) => {
    expect(outageOf(`    outage: { remindBefore: ${text} }`)).toMatchObject({ remindBeforeMs: expected });
  });

  it('allows any quorum while no approvers are listed', () => {
    expect(outageOf('    outage: { quorum: 3 }')).toMatchObject({ approvers: [], quorum: 3 });
    expect(outageOf('    outage: { approvers: [], quorum: 3 }')).toMatchObject({ approvers: [], quorum: 3 });
  });

  it.each(['0', '0m', '"0d"'])('remindBefore %s means no reminder', (text) => {
    expect(
      parseInventoryYaml(yaml('policies:', ...POLICY, `    remindBefore: ${text}`)).policies[0]?.remindBeforeMs,
    ).toBe(0);
  });

  it('keeps numbers-looking text as written and normalises the case of enums and zones', () => {
    const people = parseInventoryYaml(
      yaml('people:', '  - handle: 007', '    name: 1.10', '    timeZone: europe/berlin'),
    ).people;
    expect(people[0]).toMatchObject({ handle: '007', name: '1.10', timeZone: 'Europe/Berlin' });
    const systems = parseInventoryYaml(
      yaml('systems:', ...SYSTEM.slice(0, 2), '    criticality: HIGH', ...SYSTEM.slice(3)),
    ).systems;
    expect(systems[0]?.criticality).toBe('high');
  });

  it('accepts an empty file and a file of one section', () => {
    expect(parseInventoryYaml('')).toStrictEqual({ people: [], policies: [], systems: [], patches: [] });
    expect(parseInventoryYaml('# nothing yet\n')).toStrictEqual({ people: [], policies: [], systems: [], patches: [] });
    const doc = parseInventoryYaml(yaml('patches:', ...PATCH));
    expect(doc.patches).toHaveLength(1);
    expect(doc.systems).toEqual([]);
  });

  it('reads a list of names written as one value', () => {
    const others = ['dns-1', 'dns-2'].flatMap((name) => [`  - name: ${name}`, ...SYSTEM.slice(1)]);
    const doc = parseInventoryYaml(yaml('systems:', ...SYSTEM, '    dependsOn: dns-1 dns-2', ...others));
    expect(doc.systems[0]?.dependsOn).toEqual(['dns-1', 'dns-2']);
  });
});

describe('parseInventoryYaml: problems in one entry', () => {
  it.each<[string, string, InventoryProblem[]]>([
    [
      'an enum',
      yaml('systems:', ...SYSTEM.slice(0, 2), '    criticality: urgent', ...SYSTEM.slice(3)),
      [
        {
          line: 4,
          field: 'systems[0].criticality',
          message: 'must be one of critical, high, medium, low (got "urgent")',
        },
      ],
    ],
    [
      'a typo in a key',
      yaml('systems:', ...SYSTEM.slice(0, 2), '    critcality: high', ...SYSTEM.slice(3)),
      [
        { line: 2, field: 'systems[0].criticality', message: 'required' },
        {
          line: 4,
          field: 'systems[0].critcality',
          message:
            'unknown field (expected one of name, kind, criticality, owner, channel, policy, maintenanceWindows, freezes, dependsOn)',
        },
      ],
    ],
    [
      'no channel',
      yaml('systems:', ...SYSTEM.slice(0, 4), ...SYSTEM.slice(5)),
      [{ line: 2, field: 'systems[0].channel', message: 'required: a Slack channel, a Teams channel or both' }],
    ],
    [
      'an empty channel',
      yaml('systems:', ...SYSTEM.slice(0, 4), '    channel: {}', ...SYSTEM.slice(5)),
      [{ line: 6, field: 'systems[0].channel', message: 'needs a Slack channel, a Teams channel or both' }],
    ],
    [
      'a user id where a channel id belongs',
      yaml('systems:', ...SYSTEM.slice(0, 4), '    channel: { slack: U012ABCDEF }', ...SYSTEM.slice(5)),
      [
        {
          line: 6,
          field: 'systems[0].channel.slack',
          message: 'must be a Slack channel id such as C0123ABCD (got "U012ABCDEF")',
        },
      ],
    ],
    [
      'a name with a space',
      yaml('systems:', '  - name: mail gw', ...SYSTEM.slice(1)),
      [
        {
          line: 2,
          field: 'systems[0].name',
          message: 'must be 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit (got "mail gw")',
        },
      ],
    ],
    [
      'a time zone',
      yaml('people:', ...PERSON.slice(0, 2), '    timeZone: Mars/Olympus'),
      [
        {
          line: 4,
          field: 'people[0].timeZone',
          message: 'must be an IANA time zone such as Europe/Berlin or UTC (got "Mars/Olympus")',
        },
      ],
    ],
    [
      'a weekday',
      yaml('people:', ...PERSON, '    workingHours:', '      days: [mon, funday]'),
      [
        {
          line: 6,
          field: 'people[0].workingHours.days[1]',
          message: 'must be a weekday: mon, tue, wed, thu, fri, sat, sun (got "funday")',
        },
      ],
    ],
    [
      'a day listed twice',
      yaml('people:', ...PERSON, '    workingHours: { days: [mon-wed, tue] }'),
      [{ line: 5, field: 'people[0].workingHours.days[1]', message: 'lists a day twice' }],
    ],
    [
      'no days',
      yaml('people:', ...PERSON, '    workingHours: { days: [] }'),
      [{ line: 5, field: 'people[0].workingHours.days', message: 'must list at least one day' }],
    ],
    [
      'a time of day',
      yaml('people:', ...PERSON, '    workingHours: { start: "25:00" }'),
      [
        {
          line: 5,
          field: 'people[0].workingHours.start',
          message: 'must be a time HH:MM from 00:00 to 23:59 (got "25:00")',
        },
      ],
    ],
    [
      '24:00 as a start',
      yaml('people:', ...PERSON, '    workingHours: { start: "24:00" }'),
      [
        {
          line: 5,
          field: 'people[0].workingHours.start',
          message: 'must be a time HH:MM from 00:00 to 23:59 (got "24:00")',
        },
      ],
    ],
    [
      'working hours ending before they start',
      yaml('people:', ...PERSON, '    workingHours:', '      start: "18:00"', '      end: "09:00"'),
      [
        {
          line: 7,
          field: 'people[0].workingHours.end',
          message: 'must be after the start, 18:00 (working hours cannot span midnight)',
        },
      ],
    ],
    [
      'a missing SLA',
      yaml('policies:', ...POLICY.slice(0, 1), '    sla: { critical: 7d, high: 30d, medium: 90d }', ...POLICY.slice(2)),
      [{ line: 3, field: 'policies[0].sla.low', message: 'required' }],
    ],
    [
      'a zero wait',
      yaml('policies:', ...POLICY.slice(0, 3), '      - { targets: [owner], wait: 0d }'),
      [
        {
          line: 5,
          field: 'policies[0].levels[0].wait',
          message: '"0d" is not a duration: it must be longer than zero',
        },
      ],
    ],
    [
      'no levels',
      yaml('policies:', ...POLICY.slice(0, 2), '    levels: []'),
      [{ line: 4, field: 'policies[0].levels', message: 'required: at least one level' }],
    ],
    [
      'an unknown target',
      yaml('policies:', ...POLICY.slice(0, 3), '      - { targets: [owner, boss], wait: 1d }'),
      [
        {
          line: 5,
          field: 'policies[0].levels[0].targets[1]',
          message: 'must be one of owner, team-channel, manager, leadership (got "boss")',
        },
      ],
    ],
    [
      'counts and switches',
      yaml('policies:', ...POLICY, '    repeat: -1', '    quietHours: maybe', '    snooze: { maxCount: 1.5 }'),
      [
        { line: 6, field: 'policies[0].repeat', message: 'must be a whole number, 0 or more (got "-1")' },
        { line: 7, field: 'policies[0].quietHours', message: 'must be true or false (got "maybe")' },
        { line: 8, field: 'policies[0].snooze.maxCount', message: 'must be a whole number, 0 or more (got "1.5")' },
      ],
    ],
    [
      'acknowledgement limits that are not whole numbers',
      yaml(
        'policies:',
        ...POLICY,
        '    ack: { maxCount: -1 }',
        '  - name: second',
        ...POLICY.slice(1),
        '    ack:',
        '      maxCount: many',
      ),
      [
        { line: 6, field: 'policies[0].ack.maxCount', message: 'must be a whole number, 0 or more (got "-1")' },
        { line: 12, field: 'policies[1].ack.maxCount', message: 'must be a whole number, 0 or more (got "many")' },
      ],
    ],
    [
      'acknowledgement limits that are not a mapping, or name an unknown part',
      yaml(
        'policies:',
        ...POLICY,
        '    ack: 2',
        '  - name: second',
        ...POLICY.slice(1),
        '    ack: { maxCount: 1, maxLength: 3d }',
      ),
      [
        { line: 6, field: 'policies[0].ack', message: 'must be a mapping with maxCount' },
        { line: 11, field: 'policies[1].ack.maxLength', message: 'unknown field (expected one of maxCount)' },
      ],
    ],
    [
      'an unknown outage key',
      yaml('policies:', ...POLICY, '    outage:', '      approvers: [alice]', '      qorum: 1'),
      [
        {
          line: 8,
          field: 'policies[0].outage.qorum',
          message: 'unknown field (expected one of approvers, quorum, selfApproval, expireAfter, remindBefore)',
        },
      ],
    ],
    [
      'an outage that is not a mapping',
      yaml('policies:', ...POLICY, '    outage: [alice]'),
      [
        {
          line: 6,
          field: 'policies[0].outage',
          message: 'must be a mapping with approvers, quorum, selfApproval, expireAfter, remindBefore',
        },
      ],
    ],
    [
      'an outage quorum of 0',
      yaml('policies:', ...POLICY, '    outage:', '      quorum: 0'),
      [{ line: 7, field: 'policies[0].outage.quorum', message: 'must be a whole number, 1 or more (got "0")' }],
    ],
    [
      'an outage quorum that is not a whole number',
      yaml('policies:', ...POLICY, '    outage: { quorum: 1.5 }'),
      [{ line: 6, field: 'policies[0].outage.quorum', message: 'must be a whole number, 1 or more (got "1.5")' }],
    ],
    [
      'an outage quorum above the number of approvers',
      yaml('policies:', ...POLICY, '    outage:', '      approvers: [alice, bob]', '      quorum: 3'),
      [{ line: 8, field: 'policies[0].outage.quorum', message: 'must be at most the number of approvers, 2 (got 3)' }],
    ],
    [
      'an outage approver listed twice',
      yaml('policies:', ...POLICY, '    outage:', '      approvers:', '        - alice', '        - alice'),
      [{ line: 9, field: 'policies[0].outage.approvers[1]', message: 'lists "alice" twice' }],
    ],
    [
      'outage switches and durations',
      yaml('policies:', ...POLICY, '    outage:', '      selfApproval: sometimes', '      expireAfter: 0h'),
      [
        { line: 7, field: 'policies[0].outage.selfApproval', message: 'must be true or false (got "sometimes")' },
        {
          line: 8,
          field: 'policies[0].outage.expireAfter',
          message: '"0h" is not a duration: it must be longer than zero',
        },
      ],
    ],
    [
      'an outage reminder of zero',
      yaml('policies:', ...POLICY, '    outage:', '      remindBefore: [24h, 0m]'),
      [
        {
          line: 7,
          field: 'policies[0].outage.remindBefore[1]',
          message: '"0m" is not a duration: it must be longer than zero',
        },
      ],
    ],
    [
      'an outage reminder listed twice, spelled differently',
      yaml(
        'policies:',
        ...POLICY,
        '    outage:',
        '      remindBefore:',
        '        - 1d',
        '        - 1h',
        '        - 24h',
      ),
      [{ line: 10, field: 'policies[0].outage.remindBefore[2]', message: 'lists "24h" twice' }],
    ],
    [
      'an outage reminder that is not a duration',
      yaml('policies:', ...POLICY, '    outage: { remindBefore: [1 month] }'),
      [
        {
          line: 6,
          field: 'policies[0].outage.remindBefore[0]',
          message: '"1 month" is not a duration: use a number with m, h, d or w, such as 90m, 36h, 7d, 2w or 1d12h',
        },
      ],
    ],
    [
      'an impossible date',
      yaml('patches:', ...PATCH.slice(0, 3), '    released: 2026-02-30'),
      [
        {
          line: 5,
          field: 'patches[0].released',
          message: 'must be a date YYYY-MM-DD or a date-time such as 2026-10-01T09:30Z (got "2026-02-30")',
        },
      ],
    ],
    [
      'a bare time',
      yaml('patches:', ...PATCH.slice(0, 3), '    released: "10:00"'),
      [
        {
          line: 5,
          field: 'patches[0].released',
          message: 'must be a date YYYY-MM-DD or a date-time such as 2026-10-01T09:30Z (got "10:00")',
        },
      ],
    ],
    [
      'due before released',
      yaml('patches:', ...PATCH, '    due: 2026-09-30'),
      [{ line: 6, field: 'patches[0].due', message: 'must not be before released, 2026-10-01' }],
    ],
    [
      'a freeze ending before it starts',
      yaml('systems:', ...SYSTEM, '    freezes:', '      - { from: 2026-12-15, to: 2026-12-01 }'),
      [{ line: 9, field: 'systems[0].freezes[0].to', message: 'must be after from, 2026-12-15' }],
    ],
    [
      'a window longer than a week',
      yaml(
        'systems:',
        ...SYSTEM,
        '    maintenanceWindows:',
        '      - { days: [sat], start: "22:00", duration: 8d, timeZone: UTC }',
      ),
      [
        {
          line: 9,
          field: 'systems[0].maintenanceWindows[0].duration',
          message: 'must be at most 7d: a longer window would overlap next week\'s (got "8d")',
        },
      ],
    ],
    [
      'a window without days or zone',
      yaml('systems:', ...SYSTEM, '    maintenanceWindows:', '      - { start: "22:00", duration: 4h }'),
      [
        { line: 9, field: 'systems[0].maintenanceWindows[0].days', message: 'required' },
        { line: 9, field: 'systems[0].maintenanceWindows[0].timeZone', message: 'required' },
      ],
    ],
    [
      'a system depending on itself',
      yaml('systems:', ...SYSTEM, '    dependsOn: [mail-gw-1]'),
      [{ line: 8, field: 'systems[0].dependsOn[0]', message: 'a system cannot depend on itself' }],
    ],
    [
      'a mapping where a value belongs',
      yaml('people:', ...PERSON.slice(0, 2), '    timeZone: { zone: UTC }'),
      [{ line: 4, field: 'people[0].timeZone', message: 'must be a single value, not a mapping' }],
    ],
    ['a section that is not a list', yaml('people: alice'), [{ line: 1, field: 'people', message: 'must be a list' }]],
    ['an empty entry', yaml('patches:', '  -'), [{ line: 2, field: 'patches[0]', message: 'empty entry' }]],
    [
      'an unknown section',
      yaml('sytems: []'),
      [{ line: 1, field: 'sytems', message: 'unknown field (expected one of people, policies, systems, patches)' }],
    ],
    [
      'a list at the top',
      yaml('- handle: alice'),
      [{ line: 1, field: '', message: 'must be a mapping with people, policies, systems, patches' }],
    ],
  ])('%s', (_name, text, expected) => {
    expect(problemsOf(text)).toEqual(expected);
  });
});

describe('parseInventoryYaml: checks across the document', () => {
  it.each<[string, string, InventoryProblem[]]>([
    [
      'a duplicate handle',
      yaml('people:', ...PERSON, ...PERSON),
      [{ line: 5, field: 'people[1].handle', message: 'duplicate person handle "alice" (first on line 2)' }],
    ],
    [
      'a duplicate policy',
      yaml('policies:', ...POLICY, ...POLICY),
      [{ line: 6, field: 'policies[1].name', message: 'duplicate policy name "standard" (first on line 2)' }],
    ],
    [
      'a duplicate system',
      yaml('systems:', ...SYSTEM, ...SYSTEM),
      [{ line: 8, field: 'systems[1].name', message: 'duplicate system name "mail-gw-1" (first on line 2)' }],
    ],
    [
      'a duplicate patch by advisory, titles differing',
      yaml(
        'patches:',
        ...PATCH,
        '    advisory: CVE-2005-1513',
        '  - system: mail-gw-1',
        '    title: another title',
        '    advisory: CVE-2005-1513',
        '    severity: high',
        '    released: 2026-10-02',
      ),
      [
        {
          line: 9,
          field: 'patches[1].advisory',
          message: 'duplicate patch "CVE-2005-1513" for system mail-gw-1 (first on line 6)',
        },
      ],
    ],
    [
      'a duplicate patch by title when it has no advisory',
      yaml('patches:', ...PATCH, ...PATCH),
      [
        {
          line: 7,
          field: 'patches[1].title',
          message: 'duplicate patch "qmail has no EDNS0" for system mail-gw-1 (first on line 3)',
        },
      ],
    ],
    [
      'an owner who is not among the people',
      yaml('people:', ...PERSON, 'systems:', ...SYSTEM.slice(0, 3), '    owner: bob', ...SYSTEM.slice(4)),
      [{ line: 9, field: 'systems[0].owner', message: 'unknown person "bob": not among the people in this file' }],
    ],
    [
      'a manager who is not among the people',
      yaml('people:', ...PERSON, '    manager: bob'),
      [{ line: 5, field: 'people[0].manager', message: 'unknown person "bob": not among the people in this file' }],
    ],
    [
      'a risk approver who is not among the people',
      yaml('people:', ...PERSON, 'policies:', ...POLICY, '    riskApprovers: [alice, zed]'),
      [
        {
          line: 10,
          field: 'policies[0].riskApprovers[1]',
          message: 'unknown person "zed": not among the people in this file',
        },
      ],
    ],
    [
      'an outage approver who is not among the people',
      yaml('people:', ...PERSON, 'policies:', ...POLICY, '    outage:', '      approvers: [zed, alice]'),
      [
        {
          line: 11,
          field: 'policies[0].outage.approvers[0]',
          message: 'unknown person "zed": not among the people in this file',
        },
      ],
    ],
    [
      'an outage approver written as one value who is not among the people',
      yaml('people:', ...PERSON, 'policies:', ...POLICY, '    outage: { approvers: alice zed }'),
      [
        {
          line: 10,
          field: 'policies[0].outage.approvers',
          message: 'unknown person "zed": not among the people in this file',
        },
      ],
    ],
    [
      'a policy that is not among the policies',
      yaml('policies:', ...POLICY, 'systems:', ...SYSTEM.slice(0, 5), '    policy: strict'),
      [
        {
          line: 12,
          field: 'systems[0].policy',
          message: 'unknown policy "strict": not among the policies in this file',
        },
      ],
    ],
    [
      'a dependency that is not among the systems',
      yaml('systems:', ...SYSTEM, '    dependsOn: [dns-1]'),
      [
        {
          line: 8,
          field: 'systems[0].dependsOn[0]',
          message: 'unknown system "dns-1": not among the systems in this file',
        },
      ],
    ],
    [
      'a patch for a system that is not among the systems',
      yaml('systems:', ...SYSTEM, 'patches:', '  - system: mx-2', ...PATCH.slice(1)),
      [{ line: 9, field: 'patches[0].system', message: 'unknown system "mx-2": not among the systems in this file' }],
    ],
    [
      'a management loop',
      yaml(
        'people:',
        ...PERSON,
        '    manager: bob',
        '  - handle: bob',
        '    name: Bob',
        '    timeZone: UTC',
        '    manager: carol',
        '  - handle: carol',
        '    name: Carol',
        '    timeZone: UTC',
        '    manager: alice',
      ),
      [{ line: 5, field: 'people[0].manager', message: 'management chain loops: alice -> bob -> carol -> alice' }],
    ],
    [
      'a person managing themselves',
      yaml('people:', ...PERSON, '    manager: alice'),
      [{ line: 5, field: 'people[0].manager', message: 'management chain loops: alice -> alice' }],
    ],
  ])('%s', (_name, text, expected) => {
    expect(problemsOf(text)).toEqual(expected);
  });

  it('leaves references it cannot resolve to the store: a systems-only file names owners and policies freely', () => {
    const doc = parseInventoryYaml(
      yaml('systems:', ...SYSTEM.slice(0, 3), '    owner: someone-in-the-database', ...SYSTEM.slice(4)),
    );
    expect(doc.systems[0]?.owner).toBe('someone-in-the-database');
    expect(
      parseInventoryYaml(yaml('patches:', '  - system: not-in-this-file', ...PATCH.slice(1))).patches,
    ).toHaveLength(1);
    expect(
      parseInventoryYaml(yaml('policies:', ...POLICY, '    outage: { approvers: [in-the-database] }')).policies[0]
        ?.outage?.approvers,
    ).toEqual(['in-the-database']);
  });

  it('does not call a person unknown because another field of theirs is wrong', () => {
    const text = yaml('people:', ...PERSON.slice(0, 2), '    timeZone: Nowhere', 'systems:', ...SYSTEM);
    expect(problemsOf(text)).toEqual([
      {
        line: 4,
        field: 'people[0].timeZone',
        message: 'must be an IANA time zone such as Europe/Berlin or UTC (got "Nowhere")',
      },
    ]);
  });
});

describe('parseInventoryYaml: the error', () => {
  it('lists every problem as source:line: field: problem, in file order', () => {
    const text = yaml(
      'systems:',
      ...SYSTEM.slice(0, 2),
      '    criticality: urgent',
      ...SYSTEM.slice(3),
      'patches:',
      ...PATCH.slice(0, 2),
      '    severity: meh',
      '    released: 2026-10-01',
    );
    const error = (() => {
      try {
        parseInventoryYaml(text, 'prod.yaml');
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InventoryFileError);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('BAD_INPUT');
    expect((error as InventoryFileError).source).toBe('prod.yaml');
    expect((error as Error).message).toBe(
      [
        'prod.yaml has 2 problems:',
        'prod.yaml:4: systems[0].criticality: must be one of critical, high, medium, low (got "urgent")',
        'prod.yaml:11: patches[0].severity: must be one of critical, high, medium, low (got "meh")',
      ].join('\n'),
    );
  });

  it(`lists at most ${MAX_LISTED_PROBLEMS} problems and counts the rest`, () => {
    const people = Array.from({ length: 60 }, (_, index) => [
      `  - handle: p${index}`,
      '    name: P',
      '    timeZone: Nowhere',
    ]).flat();
    try {
      parseInventoryYaml(yaml('people:', ...people));
      expect.unreachable();
    } catch (error) {
      const { problems, message } = error as InventoryFileError;
      expect(problems).toHaveLength(60);
      const lines = message.split('\n');
      expect(lines).toHaveLength(1 + MAX_LISTED_PROBLEMS + 1);
      expect(lines[0]).toBe('inventory.yaml has 60 problems:');
      expect(lines[MAX_LISTED_PROBLEMS]).toBe(
        `inventory.yaml:${2 + 3 * 49 + 2}: people[49].timeZone: must be an IANA time zone such as Europe/Berlin or UTC (got "Nowhere")`,
      );
      expect(lines.at(-1)).toBe('... and 10 more');
    }
  });

  it.each<[string, string, InventoryProblem[]]>([
    [
      'a syntax error',
      yaml('people:', '  - handle: alice', '    name: [Alice', 'systems: []'),
      [{ line: 4, field: '', message: expect.stringMatching(/^YAML syntax: .*Flow sequence/) as unknown as string }],
    ],
    [
      'a duplicate key',
      yaml('people:', '  - handle: alice', '    handle: bob'),
      [{ line: 3, field: '', message: 'YAML syntax: Map keys must be unique' }],
    ],
    [
      'two documents',
      yaml('people: []', '---', 'systems: []'),
      [{ line: 2, field: '', message: 'holds more than one YAML document (---): put everything in one' }],
    ],
    [
      'an alias',
      yaml(
        'people:',
        '  - handle: alice',
        '    name: &n Alice',
        '    timeZone: UTC',
        '  - handle: bob',
        '    name: *n',
        '    timeZone: UTC',
      ),
      [{ line: 6, field: 'people[1].name', message: 'YAML aliases (*n) are not supported: write the value out' }],
    ],
  ])('reports %s with its line', (_name, text, expected) => {
    expect(problemsOf(text)).toEqual(expected);
  });

  it('refuses binary input, naming the line', () => {
    expect(problemsOf(`people: []\n\u0000\u0001PK`)).toEqual([
      {
        line: 2,
        field: '',
        message: 'is not UTF-8 text (found a binary or undecodable character): save it as UTF-8 YAML or CSV',
      },
    ]);
    expect(problemsOf('people: [\ufffd]')[0]?.line).toBe(1);
  });

  it('refuses input over the size cap, counting UTF-8 bytes', () => {
    expect(() => parseInventoryYaml(`# ${'x'.repeat(MAX_INVENTORY_BYTES)}`, 'big.yaml')).toThrow(
      'big.yaml: is larger than 10 MB: split it into several files',
    );
    // Half as many characters as the cap, but two bytes each.
    expect(problemsOf(`# ${'é'.repeat(MAX_INVENTORY_BYTES / 2)}`)).toEqual([
      { line: 0, field: '', message: 'is larger than 10 MB: split it into several files' },
    ]);
  });

  it('accepts a byte-order mark and CRLF line ends', () => {
    expect(parseInventoryYaml(`\ufeff${yaml('patches:', ...PATCH).replace(/\n/g, '\r\n')}`).patches).toHaveLength(1);
  });
});

describe('formatInventoryYaml', () => {
  const EDGES: InventoryDocument = {
    people: [
      {
        handle: 'night',
        name: 'Night Shift: "ops"',
        chat: {},
        timeZone: 'Asia/Kolkata',
        workingHours: { days: [1, 6, 7], startMinute: 0, endMinute: 1440 },
      },
      {
        handle: 'true',
        name: '123',
        chat: { teams: 'aad-true' },
        timeZone: 'UTC',
        workingHours: { days: [3], startMinute: 61, endMinute: 62 },
        manager: 'night',
      },
    ],
    policies: [
      {
        name: 'fast',
        slaMs: { critical: 90 * 60_000, high: DAY + 12 * HOUR, medium: 14 * DAY, low: 365 * DAY },
        remindBeforeMs: 0,
        levels: [{ targets: ['team-channel', 'owner', 'leadership'], waitMs: 30 * 60_000 }],
        repeatCap: 0,
        ackForMs: HOUR,
        ack: { maxCount: 0 },
        snooze: { maxCount: 0, maxLengthMs: DAY },
        riskApprovers: ['night'],
        leadership: ['true', 'night'],
        quietHours: false,
      },
    ],
    systems: [
      system('mx-1', {
        owner: 'night',
        policy: 'fast',
        channel: { teams: '19:x@thread.skype' },
        maintenanceWindows: [
          { days: [1, 7], startMinute: 23 * 60 + 59, durationMs: 7 * DAY, timeZone: 'America/Argentina/Buenos_Aires' },
        ],
        freezes: [
          { from: Date.UTC(2026, 0, 1, 12, 30), to: Date.UTC(2026, 0, 2), reason: '' },
          { from: Date.UTC(2026, 5, 1), to: Date.UTC(2026, 5, 1, 0, 0, 1), reason: 'a: b # not a comment' },
        ],
      }),
      system('mx-2', { owner: 'night', policy: 'fast', dependsOn: ['mx-1'], maintenanceWindows: [] }),
    ],
    patches: [
      patch('mx-1', 'CVE-2026-0001', Date.UTC(2026, 2, 3, 4, 5, 6, 789), {
        dueAt: Date.UTC(2026, 2, 10),
        title: 'multi\nline: title',
      }),
      { system: 'mx-2', title: 'no advisory', severity: 'low', releasedAt: Date.UTC(1999, 11, 31) },
    ],
  };

  const [fast] = EDGES.policies;
  if (fast === undefined) throw new Error('EDGES has a policy');
  const WITH_OUTAGE: InventoryDocument = {
    ...EDGES,
    policies: [
      {
        ...fast,
        outage: {
          approvers: ['night', 'true'],
          quorum: 2,
          selfApproval: true,
          expireAfterMs: DAY + 12 * HOUR,
          remindBeforeMs: [2 * DAY, HOUR, 30 * 60_000],
        },
      },
      {
        ...fast,
        name: 'no-reminders',
        outage: { approvers: [], quorum: 1, selfApproval: false, expireAfterMs: 90 * 60_000, remindBeforeMs: [] },
      },
      { ...fast, name: 'defaults-elsewhere' },
    ],
  };

  it.each<[string, InventoryDocument]>([
    ['the example file', parseInventoryYaml(EXAMPLE)],
    ['the shared test inventory', inventory({ patches: [patch('mail-gw-1', 'CVE-2026-1', Date.UTC(2026, 9, 1))] })],
    ['edge values', EDGES],
    ['an empty document', { people: [], policies: [], systems: [], patches: [] }],
    ['policies with outage approval', WITH_OUTAGE],
  ])('round-trips %s', (_name, doc) => {
    expect(parseInventoryYaml(formatInventoryYaml(doc))).toStrictEqual(doc);
  });

  it('writes outage only for a policy that has it, on one line', () => {
    const text = formatInventoryYaml(WITH_OUTAGE);
    expect(text.match(/outage:/g)).toHaveLength(2);
    expect(text).toContain(
      '    outage: { approvers: [ night, "true" ], quorum: 2, selfApproval: true, expireAfter: 1d12h, remindBefore: [ 2d, 1h, 30m ] }\n',
    );
    expect(text).toContain(
      '    outage: { approvers: [], quorum: 1, selfApproval: false, expireAfter: 1h30m, remindBefore: [] }\n',
    );
    expect(formatInventoryYaml(EDGES)).not.toContain('outage');
  });

  it('writes the documented layout', () => {
    const text = formatInventoryYaml(
      inventory({
        people: PEOPLE.slice(2),
        systems: [
          system('mail-gw-1', {
            freezes: [{ from: Date.UTC(2026, 11, 15), to: Date.UTC(2027, 0, 6), reason: 'year-end' }],
          }),
        ],
      }),
    );
    expect(text).toContain('    workingHours: { days: [ mon, tue, wed, thu, fri ], start: "09:00", end: "18:00" }\n');
    expect(text).toContain('    sla: { critical: 7d, high: 30d, medium: 90d, low: 180d }\n');
    expect(text).toContain('      - { targets: [ owner, team-channel ], wait: 2d }\n');
    expect(text).toContain('      - { days: [ sat ], start: "22:00", duration: 4h, timeZone: Europe/Berlin }\n');
    // The exclusive end at midnight is written as the last day of the freeze.
    expect(text).toContain('      - { from: 2026-12-15, to: 2027-01-05, reason: year-end }\n');
  });
});
