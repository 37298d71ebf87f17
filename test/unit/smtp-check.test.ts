import { describe, expect, it } from 'vitest';
import { parseCheckTarget } from '../../src/diagnosis/check-target.js';
import { smtpCheck } from '../../src/diagnosis/checks/smtp.js';
import type { Finding } from '../../src/diagnosis/finding.js';
import { judgeSession, SLOW_BANNER_MS } from '../../src/diagnosis/smtp-findings.js';
import type {
  CertificateInfo,
  SmtpProbeRequest,
  SmtpProbeResult,
  SmtpProber,
  SmtpReply,
  SmtpStep,
  TlsOutcome,
} from '../../src/diagnosis/smtp-port.js';
import { judgeSenders } from '../../src/diagnosis/senders.js';
import { SMTP_DELIVERY_RULES, SMTP_SENDER_FAMILIES } from '../../src/diagnosis/smtp-senders.js';
import { replyText as replyTextOf } from '../../src/diagnosis/smtp-evidence.js';
import type { ZoneRecord } from '../support/dns-test-server.js';
import { checkContext, ids, only, RESOLVER } from '../support/check-context.js';
import { soa, zone } from '../fixtures/zones.js';

// ---- Probe results by hand -------------------------------------------------------------------

const DOMAIN = 'partner.test';
const MX1 = `mx1.${DOMAIN}`;
const MX2 = `mx2.${DOMAIN}`;
/** Public-looking addresses: the check never connects anywhere, the fake prober answers. */
const ADDR1 = '11.22.33.10';
const ADDR2 = '11.22.33.11';
const ADDR1_V6 = '2a00:1450::25';
const HELO_NAME = 'probe.mxops.test';

type Overrides = Partial<Omit<SmtpProbeResult, 'request'>>;
type Abort = NonNullable<SmtpProbeResult['abort']>;

function reply(code: number, lines: string | readonly string[], ms = 20): SmtpReply {
  return { code, lines: typeof lines === 'string' ? [lines] : lines, ms };
}

function certificate(overrides: Partial<CertificateInfo> = {}): CertificateInfo {
  return {
    subject: `CN=${MX1}`,
    issuer: "C=US, O=Let's Encrypt, CN=R11",
    names: [MX1],
    validFrom: '2025-10-01T08:00:00.000Z',
    validTo: '2025-12-30T08:00:00.000Z',
    selfSigned: false,
    der: 'MIIFakeLeaf',
    spki: 'MFkwFakeKey',
    fingerprintSha256: 'AB:CD:EF:01',
    ...overrides,
  };
}

const INTERMEDIATE = certificate({
  subject: "C=US, O=Let's Encrypt, CN=R11",
  issuer: 'C=US, O=Internet Security Research Group, CN=ISRG Root X1',
  names: [],
  validTo: '2027-03-12T23:59:59.000Z',
  fingerprintSha256: '01:02',
});

function tlsOutcome(overrides: Partial<TlsOutcome> = {}): TlsOutcome {
  return {
    ok: true,
    protocol: 'TLSv1.3',
    cipher: 'TLS_AES_256_GCM_SHA384',
    error: undefined,
    chain: [certificate(), INTERMEDIATE],
    trusted: true,
    trustError: undefined,
    nameMatches: true,
    ms: 35,
    ...overrides,
  };
}

const EHLO_LINES = (host: string, ...extra: string[]): string[] => [
  host,
  'PIPELINING',
  'SIZE 52428800',
  'ETRN',
  ...extra,
  'ENHANCEDSTATUSCODES',
  '8BITMIME',
  'DSN',
  'SMTPUTF8',
  'CHUNKING',
];

/** The fields of the result that hold each step's reply, in session order. */
const STEP_FIELDS: readonly [SmtpStep, keyof Overrides][] = [
  ['connect', 'connect'],
  ['banner', 'banner'],
  ['ehlo', 'ehlo'],
  ['helo', 'helo'],
  ['starttls', 'starttls'],
  ['tls', 'tls'],
  ['ehlo-after-tls', 'ehloAfterTls'],
  ['mail', 'mail'],
  ['rcpt', 'rcpt'],
];

/**
 * The session ended at `step` (with `answer` as that step's reply, if one came): every later
 * reply is absent, as the prober leaves them.
 */
function endedAt(step: SmtpStep, reason: Abort['reason'], detail: string, answer?: Overrides): Overrides {
  const at = STEP_FIELDS.findIndex(([s]) => s === step);
  const later = Object.fromEntries(STEP_FIELDS.slice(at + (answer ? 1 : 0)).map(([, field]) => [field, undefined]));
  return { ...later, ...answer, abort: { step, reason, detail } };
}

/** No session at all: the prober never got past connecting (or never tried). */
function noSession(overrides: Overrides): Overrides {
  return { ...Object.fromEntries(STEP_FIELDS.map(([, field]) => [field, undefined])), totalMs: 0, ...overrides };
}

function connectFailed(
  error: 'timeout' | 'refused' | 'unreachable' | 'reset' | 'other',
  detail: string,
  ms: number,
): Overrides {
  return noSession({ connect: { ok: false, error, detail, ms }, totalMs: ms });
}

/** What an EHLO reply advertises, as the prober parses it. */
function extensionsOf(ehlo: SmtpReply | undefined): Record<string, string> {
  if (!ehlo || ehlo.code !== 250) return {};
  return Object.fromEntries(
    ehlo.lines.slice(1).map((line) => [line.split(' ')[0]?.toUpperCase() ?? '', line.split(' ').slice(1).join(' ')]),
  );
}

function wire(r: SmtpReply): string[] {
  return r.lines.map((line, i) => `${r.code}${i < r.lines.length - 1 ? '-' : ' '}${line}`);
}

/** The transcript the prober would have kept for these replies. */
function transcriptOf(
  request: SmtpProbeRequest,
  r: Omit<SmtpProbeResult, 'request' | 'transcript'>,
): SmtpProbeResult['transcript'] {
  const lines: { from: 'C' | 'S'; text: string; atMs: number }[] = [];
  let at = r.connect?.ms ?? 0;
  const say = (from: 'C' | 'S', text: string): void => {
    at += from === 'C' ? 1 : 10;
    lines.push({ from, text, atMs: Math.round(at) });
  };
  const exchange = (command: string, answer: SmtpReply | undefined, step: SmtpStep): void => {
    if (!answer && r.abort?.step !== step) return;
    say('C', command);
    for (const line of answer ? wire(answer) : []) say('S', line);
  };
  if (r.banner) for (const line of wire(r.banner)) say('S', line);
  exchange(`EHLO ${request.heloName}`, r.ehlo, 'ehlo');
  exchange(`HELO ${request.heloName}`, r.helo, 'helo');
  exchange('STARTTLS', r.starttls, 'starttls');
  exchange(`EHLO ${request.heloName}`, r.ehloAfterTls, 'ehlo-after-tls');
  exchange(`MAIL FROM:<${request.mailFrom}>`, r.mail, 'mail');
  exchange(`RCPT TO:<${request.recipient}>`, r.rcpt, 'rcpt');
  if (r.rcpt && !r.abort) {
    exchange('RSET', reply(250, '2.0.0 Ok'), 'rset');
    exchange('QUIT', reply(221, '2.0.0 Bye'), 'quit');
  }
  return lines;
}

/** A healthy Postfix session with TLS 1.3, unless overridden; extensions follow the EHLO replies. */
function probeResult(request: SmtpProbeRequest, overrides: Overrides = {}): SmtpProbeResult {
  const host = request.mxHost;
  const defaults: Omit<SmtpProbeResult, 'request' | 'transcript' | 'extensions'> = {
    refusedByPolicy: undefined,
    connect: { ok: true, ms: 12 },
    banner: reply(220, `${host} ESMTP Postfix (Debian/GNU)`, 45),
    ehlo: reply(250, EHLO_LINES(host, 'STARTTLS')),
    helo: undefined,
    starttls: reply(220, '2.0.0 Ready to start TLS'),
    tls: tlsOutcome(),
    ehloAfterTls: reply(250, EHLO_LINES(host)),
    mail: reply(250, '2.1.0 Ok'),
    rcpt: reply(250, '2.1.5 Ok'),
    abort: undefined,
    totalMs: 400,
  };
  const merged = { ...defaults, ...overrides };
  const lastEhlo = merged.ehloAfterTls?.code === 250 ? merged.ehloAfterTls : merged.ehlo;
  const withExtensions = { ...merged, extensions: overrides.extensions ?? extensionsOf(lastEhlo) };
  return { request, ...withExtensions, transcript: overrides.transcript ?? transcriptOf(request, withExtensions) };
}

// ---- Running the check -----------------------------------------------------------------------

interface FakeProber extends SmtpProber {
  readonly requests: SmtpProbeRequest[];
}

function fakeProber(byAddress: Record<string, Overrides>): FakeProber {
  const requests: SmtpProbeRequest[] = [];
  return {
    requests,
    probe(request) {
      requests.push(request);
      const overrides = byAddress[request.address];
      if (!overrides) return Promise.reject(new Error(`test has no probe result for ${request.address}`));
      return Promise.resolve(probeResult(request, overrides));
    },
  };
}

function mx(preference: number, exchange: string): ZoneRecord {
  return { name: '@', type: 'MX', data: { preference, exchange } };
}

function a(name: string, address: string): ZoneRecord {
  return { name, type: 'A', data: address };
}

const ONE_MX: ZoneRecord[] = [mx(10, MX1), a('mx1', ADDR1)];
const TWO_MX: ZoneRecord[] = [mx(10, MX1), mx(20, MX2), a('mx1', ADDR1), a('mx2', ADDR2)];

async function runCheck(
  results: Record<string, Overrides>,
  options: { records?: ZoneRecord[]; target?: string } = {},
): Promise<{ findings: Finding[]; requests: SmtpProbeRequest[] }> {
  const { context } = checkContext(
    { [RESOLVER]: { zones: [zone(DOMAIN, [soa(), ...(options.records ?? ONE_MX)])] } },
    { domain: DOMAIN },
  );
  const prober = fakeProber(results);
  const target = options.target ? parseCheckTarget(options.target) : context.target;
  const findings = await smtpCheck.run({ ...context, target, smtp: { prober, port: 25, heloName: HELO_NAME } });
  return { findings, requests: prober.requests };
}

/** The findings of one address, for multi-address runs. */
function at(findings: readonly Finding[], address: string): Finding[] {
  return findings.filter((f) => f.evidence.address === address);
}

const LABEL1 = `${MX1} (${ADDR1})`;

// ---- Tests -----------------------------------------------------------------------------------

describe('smtp check: runs and sessions', () => {
  it('says nothing on a DNS-only run, and probes nothing', async () => {
    const { context } = checkContext({ [RESOLVER]: { zones: [zone(DOMAIN, [soa(), ...ONE_MX])] } }, { domain: DOMAIN });
    expect(context.smtp).toBeUndefined();
    expect(await smtpCheck.run(context)).toEqual([]);
  });

  it('probes every MX address once, with the null sender and postmaster, and passes a healthy server', async () => {
    const { findings, requests } = await runCheck({ [ADDR1]: {} });
    expect(requests).toEqual([
      { mxHost: MX1, address: ADDR1, port: 25, heloName: HELO_NAME, mailFrom: '', recipient: `postmaster@${DOMAIN}` },
    ]);
    expect(ids(findings)).toEqual(['smtp.ok', 'smtp.size-limit', 'smtp.software', 'tls.negotiated']);
    const ok = only(findings, 'smtp.ok');
    expect(ok).toMatchObject({ status: 'pass', subject: LABEL1, remedy: '' });
    expect(ok.summary).toBe(
      `${LABEL1} greeted in 45 ms, negotiated TLSv1.3 and accepted RCPT TO:<postmaster@${DOMAIN}>.`,
    );
    expect(ok.evidence).toMatchObject({
      address: ADDR1,
      host: MX1,
      preference: 10,
      port: 25,
      connectMs: 12,
      bannerMs: 45,
      tlsProtocol: 'TLSv1.3',
      rcpt: ['250 2.1.5 Ok'],
    });
    expect(ok.evidence.extensions).toContain('SIZE 52428800');
    expect(ok.evidence.extensions).not.toContain('STARTTLS');
  });

  it('reports the certificate it saw as tls.negotiated (info)', async () => {
    const { findings } = await runCheck({ [ADDR1]: {} });
    const tls = only(findings, 'tls.negotiated');
    expect(tls.status).toBe('info');
    expect(tls.summary).toContain('valid until 2025-12-30T08:00:00.000Z');
    expect(tls.evidence).toMatchObject({
      protocol: 'TLSv1.3',
      cipher: 'TLS_AES_256_GCM_SHA384',
      certSubject: `CN=${MX1}`,
      names: [MX1],
      trusted: true,
      trustError: null,
      nameMatches: true,
    });
  });

  it('probes the recipient the user named, and says nothing of postmaster when it is refused', async () => {
    const { findings, requests } = await runCheck(
      {
        [ADDR1]: {
          rcpt: reply(
            550,
            '5.1.1 <alice@partner.test>: Recipient address rejected: User unknown in virtual mailbox table',
          ),
        },
      },
      { target: `alice@${DOMAIN}` },
    );
    expect(requests[0]?.recipient).toBe(`alice@${DOMAIN}`);
    const rejected = only(findings, 'smtp.rcpt-rejected');
    expect(rejected.status).toBe('fail');
    expect(rejected.evidence).toMatchObject({ recipient: `alice@${DOMAIN}`, postmaster: false });
    expect(rejected.summary).not.toContain('postmaster');
    expect(rejected.ref).toBe('RFC 5321 §4.2.2, §4.2.3');
  });
});

describe('smtp check: connecting', () => {
  it('skips an address the safety policy kept us from, saying how to allow it', async () => {
    const { findings } = await runCheck(
      { '10.1.2.25': noSession({ refusedByPolicy: { range: 'private' } }) },
      { records: [mx(10, MX1), a('mx1', '10.1.2.25')] },
    );
    expect(ids(findings)).toEqual(['smtp.refused-by-policy']);
    const refused = only(findings, 'smtp.refused-by-policy');
    expect(refused).toMatchObject({ status: 'skipped', evidence: { address: '10.1.2.25', range: 'private' } });
    expect(refused.summary).toContain('did not connect');
    expect(refused.remedy).toContain('--allow-private');
    expect(refused.remedy).toContain('MXOPS_ALLOW_PRIVATE_TARGETS=true');
  });

  it('fails smtp.connect-failed when the connection is refused: nothing listens there', async () => {
    const { findings } = await runCheck({
      [ADDR1]: connectFailed('refused', `ECONNREFUSED: connect ECONNREFUSED ${ADDR1}:25`, 30),
    });
    expect(ids(findings)).toEqual(['smtp.connect-failed']);
    const failed = only(findings, 'smtp.connect-failed');
    expect(failed).toMatchObject({
      status: 'fail',
      evidence: { address: ADDR1, host: MX1, error: 'refused', connectMs: 30 },
    });
    expect(failed.summary).toContain('nothing there takes mail');
  });

  it.each([
    ['unreachable', 'EHOSTUNREACH: connect EHOSTUNREACH'],
    ['reset', 'ECONNRESET: read ECONNRESET'],
    ['other', 'the socket closed before it connected'],
  ] as const)('reports a %s connection as an error we could not decide', async (error, detail) => {
    const { findings } = await runCheck({ [ADDR1]: connectFailed(error, detail, 8) });
    expect(ids(findings)).toEqual(['smtp.connect-failed']);
    expect(only(findings, 'smtp.connect-failed')).toMatchObject({ status: 'error', evidence: { error, detail } });
  });

  it('blames a probing host without IPv6 as a possibility for an unreachable IPv6 address', async () => {
    const { findings } = await runCheck(
      { [ADDR1_V6]: connectFailed('unreachable', 'ENETUNREACH: connect ENETUNREACH', 1) },
      { records: [mx(10, MX1), { name: 'mx1', type: 'AAAA', data: ADDR1_V6 }] },
    );
    expect(only(findings, 'smtp.connect-failed').summary).toContain('without IPv6');
  });

  it('reports a connect time-out as an error, and the only address timing out as a possibly blocked port 25 of ours', async () => {
    const { findings } = await runCheck({ [ADDR1]: connectFailed('timeout', 'no connection in 10000 ms', 10_000) });
    expect(ids(findings)).toEqual(['smtp.connect-timeout', 'smtp.outbound-blocked']);
    const timeout = only(findings, 'smtp.connect-timeout');
    expect(timeout).toMatchObject({ status: 'error', evidence: { address: ADDR1, connectMs: 10_000 } });
    expect(timeout.summary).toContain('could not tell');
    expect(only(findings, 'smtp.outbound-blocked').status).toBe('error');
  });

  it('adds one smtp.outbound-blocked when every address timed out on connect', async () => {
    const timedOut = connectFailed('timeout', 'no connection in 10000 ms', 10_000);
    const { findings } = await runCheck({ [ADDR1]: timedOut, [ADDR2]: timedOut }, { records: TWO_MX });
    expect(ids(findings)).toEqual(['smtp.connect-timeout', 'smtp.connect-timeout', 'smtp.outbound-blocked']);
    const blocked = only(findings, 'smtp.outbound-blocked');
    expect(blocked).toMatchObject({
      status: 'error',
      subject: DOMAIN,
      evidence: { port: 25, addresses: [ADDR1, ADDR2] },
    });
    expect(blocked.summary).toContain('outbound port 25 blocked');
    expect(blocked.summary).toContain('nothing about');
  });

  it('does not suspect our own port 25 when another address answered', async () => {
    const timedOut = connectFailed('timeout', 'no connection in 10000 ms', 10_000);
    const { findings } = await runCheck({ [ADDR1]: timedOut, [ADDR2]: {} }, { records: TWO_MX });
    expect(ids(at(findings, ADDR1))).toEqual(['smtp.connect-timeout']);
    expect(ids(at(findings, ADDR2))).toContain('smtp.ok');
    expect(findings.some((f) => f.id === 'smtp.outbound-blocked')).toBe(false);
  });
});

describe('smtp check: the greeting', () => {
  it('warns a slow greeting as slow, never as down, and still judges the rest', async () => {
    const { findings } = await runCheck({ [ADDR1]: { banner: reply(220, `${MX1} ESMTP Postfix`, 25_300) } });
    expect(ids(findings)).toEqual(['smtp.banner-slow', 'smtp.size-limit', 'smtp.software', 'tls.negotiated']);
    const slow = only(findings, 'smtp.banner-slow');
    expect(slow).toMatchObject({
      status: 'warn',
      evidence: { bannerMs: 25_300, thresholdMs: SLOW_BANNER_MS, transcript: [`S: 220 ${MX1} ESMTP Postfix`] },
    });
    expect(slow.summary).toContain('slow, not down');
    expect(slow.summary).toContain('25.3 s');
    expect(slow.summary).not.toMatch(/\bis down\b|unreachable/);
  });

  it(`does not warn a greeting of exactly ${SLOW_BANNER_MS} ms`, async () => {
    const { findings } = await runCheck({ [ADDR1]: { banner: reply(220, `${MX1} ESMTP`, SLOW_BANNER_MS) } });
    expect(ids(findings)).not.toContain('smtp.banner-slow');
    expect(ids(findings)).toContain('smtp.ok');
  });

  it('reports a greeting that never came as smtp.banner-slow with status error and the time waited', async () => {
    const { findings } = await runCheck({
      [ADDR1]: { ...endedAt('banner', 'timeout', 'no complete reply in 30000 ms'), totalMs: 30_020 },
    });
    expect(ids(findings)).toEqual(['smtp.banner-slow']);
    const slow = only(findings, 'smtp.banner-slow');
    expect(slow).toMatchObject({
      status: 'error',
      evidence: { connectMs: 12, waitedMs: 30_008, detail: 'no complete reply in 30000 ms' },
    });
    expect(slow.summary).toContain('30008 ms');
  });

  it('fails smtp.refuses-everyone for a 554 "no SMTP service here" greeting: it names no client (RFC 5321 §3.1)', async () => {
    const { findings } = await runCheck({
      [ADDR1]: endedAt('banner', 'protocol', 'banner refused: 554 No SMTP service here', {
        banner: reply(554, 'No SMTP service here'),
      }),
    });
    expect(ids(findings)).toEqual(['smtp.refuses-everyone']);
    const refuses = only(findings, 'smtp.refuses-everyone');
    expect(refuses).toMatchObject({
      status: 'fail',
      evidence: {
        code: 554,
        text: '554 No SMTP service here',
        reply: ['554 No SMTP service here'],
        transcript: ['S: 554 No SMTP service here'],
      },
    });
    expect(refuses.ref).toContain('RFC 5321 §3.1');
    expect(refuses.summary).toContain('most bounce the mail at once');
  });

  it('fails smtp.banner-not-220 when something else answers on port 25', async () => {
    const { findings } = await runCheck({
      [ADDR1]: endedAt('banner', 'protocol', 'not an SMTP reply: "SSH-2.0-OpenSSH_9.6"'),
    });
    expect(ids(findings)).toEqual(['smtp.banner-not-220']);
    expect(only(findings, 'smtp.banner-not-220')).toMatchObject({
      status: 'fail',
      evidence: { reason: 'protocol', detail: 'not an SMTP reply: "SSH-2.0-OpenSSH_9.6"' },
    });
  });

  it('reports a 554 greeting that names a blocklist as smtp.blocked-us, not as the partner refusing service', async () => {
    const banner = reply(554, `5.7.1 Service unavailable; Client host [198.51.100.7] blocked using zen.spamhaus.org`);
    const { findings } = await runCheck({ [ADDR1]: endedAt('banner', 'protocol', 'banner refused', { banner }) });
    expect(ids(findings)).toEqual(['smtp.blocked-us']);
    expect(only(findings, 'smtp.blocked-us')).toMatchObject({
      status: 'error',
      evidence: { step: 'banner', reason: 'client-refused' },
    });
  });
});

describe('smtp check: blocked is blocked, never anything else', () => {
  it.each<[string, Overrides, string]>([
    [
      '421 too many connections at the greeting',
      endedAt('banner', 'closed', '421 4.7.0 Too many connections', {
        banner: reply(421, `4.7.0 ${MX1} Error: too many connections from 198.51.100.7`),
      }),
      'too-many-connections',
    ],
    ['a close right after connecting', endedAt('banner', 'closed', 'the server closed the connection'), 'closed'],
    [
      '421 to EHLO',
      endedAt('ehlo', 'closed', '421 4.3.2 Service shutting down', {
        ehlo: reply(421, '4.3.2 Service shutting down, closing transmission channel'),
      }),
      'closing',
    ],
    ['a close after EHLO', endedAt('ehlo', 'closed', 'the server closed the connection'), 'closed'],
    [
      'a 4xx greeting',
      endedAt('banner', 'protocol', 'banner refused', { banner: reply(450, 'try again later') }),
      'temporary',
    ],
  ])('%s: smtp.blocked-us only, with no STARTTLS or RCPT findings', async (_, overrides, reason) => {
    const { findings } = await runCheck({ [ADDR1]: overrides });
    const own = findings.filter((f) => f.id !== 'smtp.software');
    expect(ids(own)).toEqual(['smtp.blocked-us']);
    const blocked = only(findings, 'smtp.blocked-us');
    expect(blocked).toMatchObject({ status: 'error', evidence: { address: ADDR1, host: MX1, reason } });
    expect(blocked.summary).toContain('nothing about its setup could be checked');
    expect(findings.some((f) => f.id === 'smtp.starttls-missing' || f.id.startsWith('tls.'))).toBe(false);
  });

  it.each<[SmtpStep, Overrides]>([
    ['starttls', endedAt('starttls', 'closed', '421', { starttls: reply(421, '4.7.0 mx1 closing connection') })],
    [
      'ehlo-after-tls',
      endedAt('ehlo-after-tls', 'closed', '421', { ehloAfterTls: reply(421, '4.7.0 mx1 closing connection') }),
    ],
    ['mail', endedAt('mail', 'closed', '421', { mail: reply(421, '4.7.0 mx1 closing connection') })],
    ['rcpt', endedAt('rcpt', 'closed', '421', { rcpt: reply(421, '4.7.0 mx1 closing connection') })],
  ])(
    'a 421 to %s is smtp.blocked-us at that step, and nothing is called rejected or failed',
    async (step, overrides) => {
      const { findings } = await runCheck({ [ADDR1]: overrides });
      expect(only(findings, 'smtp.blocked-us').evidence).toMatchObject({
        step,
        reason: 'closing',
        reply: ['421 4.7.0 mx1 closing connection'],
      });
      expect(findings.filter((f) => f.status === 'fail' || f.status === 'warn')).toEqual([]);
      expect(ids(findings)).not.toContain('smtp.ok');
    },
  );

  it('a time-out before STARTTLS could be sent is a time-out, never a missing STARTTLS', async () => {
    const { findings } = await runCheck({
      [ADDR1]: endedAt('starttls', 'total-timeout', 'the session went past 90000 ms'),
    });
    expect(ids(findings)).toEqual(['smtp.command-timeout', 'smtp.size-limit', 'smtp.software']);
    expect(only(findings, 'smtp.command-timeout').evidence).toMatchObject({
      step: 'starttls',
      reason: 'total-timeout',
    });
  });

  it('quotes the reply and the transcript of a 421 to EHLO', async () => {
    const { findings } = await runCheck({
      [ADDR1]: endedAt('ehlo', 'closed', '421', {
        ehlo: reply(421, '4.7.0 Too many concurrent SMTP connections; please try again later', 3),
      }),
    });
    expect(only(findings, 'smtp.blocked-us').evidence).toMatchObject({
      step: 'ehlo',
      reply: ['421 4.7.0 Too many concurrent SMTP connections; please try again later'],
      replyMs: 3,
      transcript: [`C: EHLO ${HELO_NAME}`, 'S: 421 4.7.0 Too many concurrent SMTP connections; please try again later'],
    });
  });

  it('reports a blocklist rejection at RCPT as smtp.blocked-us, not as smtp.rcpt-rejected', async () => {
    const rcpt = reply(
      554,
      '5.7.1 Service unavailable; Client host [198.51.100.7] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/198.51.100.7',
    );
    const { findings } = await runCheck({ [ADDR1]: { rcpt } });
    expect(ids(findings)).toEqual(['smtp.blocked-us', 'smtp.size-limit', 'smtp.software', 'tls.negotiated']);
    expect(only(findings, 'smtp.blocked-us').evidence).toMatchObject({ step: 'rcpt', reason: 'client-refused' });
  });

  it('reports a rejected HELO name as smtp.blocked-us: it is about us', async () => {
    const overrides = endedAt('ehlo', 'protocol', 'ehlo refused', {
      ehlo: reply(550, '5.7.1 <probe.mxops.test>: Helo command rejected: Host not found'),
    });
    const { findings } = await runCheck({ [ADDR1]: overrides });
    expect(ids(findings)).toEqual(['smtp.blocked-us', 'smtp.software']);
    expect(only(findings, 'smtp.blocked-us').evidence).toMatchObject({ step: 'ehlo', reason: 'client-refused' });
  });

  it('reports EHLO and HELO both refused as smtp.blocked-us, pointing at our HELO name', async () => {
    const overrides = endedAt('helo', 'protocol', 'helo refused', {
      ehlo: reply(500, '5.5.2 Error: command not recognized'),
      helo: reply(550, '5.7.1 Access denied'),
    });
    const { findings } = await runCheck({ [ADDR1]: overrides });
    expect(ids(findings)).toEqual(['smtp.blocked-us', 'smtp.software']);
    const blocked = only(findings, 'smtp.blocked-us');
    expect(blocked.evidence).toMatchObject({
      step: 'helo',
      reason: 'greeting-refused',
      reply: ['550 5.7.1 Access denied'],
    });
    expect(blocked.summary).toContain('"500 5.5.2 Error: command not recognized", "550 5.7.1 Access denied"');
    expect(blocked.remedy).toContain('MXOPS_HELO_NAME');
    expect(blocked.remedy).toContain(HELO_NAME);
  });

  it('one address blocks us, the other is fine: each is judged on its own', async () => {
    const { findings } = await runCheck(
      {
        [ADDR1]: endedAt('banner', 'closed', '421', {
          banner: reply(421, `${MX1} Service not available to [198.51.100.7], closing transmission channel`),
        }),
        [ADDR2]: {},
      },
      { records: TWO_MX },
    );
    expect(ids(at(findings, ADDR1))).toEqual(['smtp.blocked-us']);
    expect(ids(at(findings, ADDR2))).toEqual(['smtp.ok', 'smtp.size-limit', 'smtp.software', 'tls.negotiated']);
    expect(only(findings, 'smtp.blocked-us').evidence.reason).toBe('closing');
    expect(findings.some((f) => f.id === 'smtp.outbound-blocked')).toBe(false);
  });
});

describe('smtp check: a server that refuses every client at connect', () => {
  const CLOSING = reply(421, '4.3.2 Service not available, closing transmission channel');
  const refusing = (banner: SmtpReply = CLOSING): Overrides =>
    endedAt('banner', 'closed', replyTextOf(banner), { banner });
  /** The text the first SMTP delivery rule that matches would give: its explain, else its expected. */
  const deliveryText = (findings: readonly Finding[]): string | undefined => {
    const rule = SMTP_DELIVERY_RULES.find((r) => r.match(findings).length > 0);
    return rule ? (rule.explain?.(rule.match(findings)) ?? rule.expected) : undefined;
  };

  it('fails smtp.refuses-everyone for a 421 greeting that names no client, quoting it', async () => {
    const { findings } = await runCheck({ [ADDR1]: refusing() });
    expect(ids(findings)).toEqual(['smtp.refuses-everyone']);
    const refuses = only(findings, 'smtp.refuses-everyone');
    expect(refuses).toMatchObject({
      status: 'fail',
      subject: LABEL1,
      evidence: {
        address: ADDR1,
        host: MX1,
        code: 421,
        text: '421 4.3.2 Service not available, closing transmission channel',
        reply: ['421 4.3.2 Service not available, closing transmission channel'],
      },
    });
    expect(refuses.evidence.transcript).toEqual(['S: 421 4.3.2 Service not available, closing transmission channel']);
    expect(refuses.summary).toContain('refuses every client at connect');
    expect(refuses.summary).toContain('"421 4.3.2 Service not available, closing transmission channel"');
    expect(refuses.summary).toMatch(/defers .* bounces it/);
    expect(refuses.remedy).toContain('connection and process limits');
    expect(refuses.remedy).toContain('started');
    expect(refuses.ref).toMatch(/^RFC 5321 §3\.1/);
    expect(ids(findings)).not.toContain('smtp.blocked-us');
  });

  it('fails every sender family, DNS ones included, when every address refuses at connect, quoting the 421', async () => {
    const { findings } = await runCheck(
      {
        [ADDR1]: refusing(),
        [ADDR2]: refusing(reply(421, `${MX2} Service not available, closing transmission channel`)),
      },
      { records: TWO_MX },
    );
    expect(ids(findings)).toEqual(['smtp.refuses-everyone', 'smtp.refuses-everyone']);
    const verdicts = judgeSenders(findings, { smtp: true });
    expect(verdicts.length).toBeGreaterThan(SMTP_SENDER_FAMILIES.length);
    for (const v of verdicts)
      expect([v.family, v.verdict, v.because]).toEqual([v.family, 'fail', ['smtp.refuses-everyone']]);
    expect(verdicts[0]?.expected).toContain('deferred and retried, then bounced after the queue lifetime');
    expect(deliveryText(findings)).toBe(
      `"421 4.3.2 Service not available, closing transmission channel", "421 ${MX2} Service not available, closing transmission channel" at every MX address: the message is deferred and retried, then bounced after the queue lifetime`,
    );
  });

  it('leaves the verdicts alone when another address takes the mail: senders go on to the next MX', async () => {
    const { findings } = await runCheck({ [ADDR1]: refusing(), [ADDR2]: {} }, { records: TWO_MX });
    expect(ids(at(findings, ADDR1))).toEqual(['smtp.refuses-everyone']);
    expect(deliveryText(findings)).toBeUndefined();
    expect(judgeSenders(findings, { smtp: true }).filter((v) => v.verdict === 'fail')).toEqual([]);
  });

  it('still fails everyone when the other address takes no mail either, by the general rule', async () => {
    const { findings } = await runCheck(
      { [ADDR1]: refusing(), [ADDR2]: connectFailed('refused', `ECONNREFUSED: connect ECONNREFUSED ${ADDR2}:25`, 5) },
      { records: TWO_MX },
    );
    for (const v of judgeSenders(findings, { smtp: true })) expect(v.verdict).toBe('fail');
    expect(deliveryText(findings)).toContain('no MX address takes the message');
  });

  it('says a 554 everywhere is bounced at once by most senders', async () => {
    const { findings } = await runCheck({ [ADDR1]: refusing(reply(554, `${MX1} ESMTP not accepting connections`)) });
    expect(ids(findings)).toEqual(['smtp.refuses-everyone']);
    expect(deliveryText(findings)).toBe(
      `"554 ${MX1} ESMTP not accepting connections" at every MX address: most senders bounce the message at once; Postfix defers it and bounces it after the queue lifetime`,
    );
  });

  it('takes the server naming its own address for what it is, not for naming us', async () => {
    const { findings } = await runCheck({
      [ADDR1]: refusing(reply(421, `${MX1} [${ADDR1}] Service not available - too busy`)),
    });
    expect(ids(findings)).toEqual(['smtp.refuses-everyone']);
  });

  it.each<[string, SmtpReply, string]>([
    [
      'too many connections from your IP',
      reply(421, '4.7.0 Too many connections from your IP, try again later'),
      'too-many-connections',
    ],
    [
      'our IP address as the server saw it',
      reply(421, '4.3.2 Service not available to 198.51.100.7, closing transmission channel'),
      'closing',
    ],
    ['our IPv6 address', reply(421, '4.3.2 Service not available for [2001:db8:5::7]'), 'closing'],
    ['our HELO name', reply(421, `4.3.2 Service not available for ${HELO_NAME}`), 'closing'],
    ['a DNS blocklist', reply(421, '4.7.1 Service unavailable: listed at zen.spamhaus.org'), 'closing'],
    ['a policy about the client', reply(554, '5.7.1 Connection refused by policy'), 'client-refused'],
    ['a block on the client', reply(554, 'Service blocked, contact postmaster'), 'client-refused'],
    ['your IP', reply(554, '5.7.1 Your IP has been rejected'), 'client-refused'],
  ])('a greeting naming %s stays smtp.blocked-us, and fails no sender', async (_, banner, reason) => {
    const { findings } = await runCheck({ [ADDR1]: refusing(banner) });
    expect(ids(findings)).toEqual(['smtp.blocked-us']);
    expect(only(findings, 'smtp.blocked-us')).toMatchObject({ status: 'error', evidence: { step: 'banner', reason } });
    expect(judgeSenders(findings, { smtp: true }).filter((v) => v.verdict === 'fail')).toEqual([]);
  });
});

describe('smtp check: EHLO and STARTTLS', () => {
  it('warns smtp.helo-only when EHLO is refused and HELO accepted, and not also starttls-missing', async () => {
    const overrides: Overrides = {
      banner: reply(220, `${MX1} ESMTP`),
      ehlo: reply(502, 'unimplemented (#5.5.1)'),
      helo: reply(250, MX1),
      starttls: undefined,
      tls: undefined,
      ehloAfterTls: undefined,
    };
    const { findings } = await runCheck({ [ADDR1]: overrides });
    expect(ids(findings)).toEqual(['smtp.helo-only', 'smtp.software']);
    const heloOnly = only(findings, 'smtp.helo-only');
    expect(heloOnly).toMatchObject({
      status: 'warn',
      evidence: { ehlo: ['502 unimplemented (#5.5.1)'], helo: [`250 ${MX1}`] },
    });
    expect(heloOnly.evidence.transcript).toEqual([
      `C: EHLO ${HELO_NAME}`,
      'S: 502 unimplemented (#5.5.1)',
      `C: HELO ${HELO_NAME}`,
      `S: 250 ${MX1}`,
    ]);
    expect(heloOnly.summary).toContain('no STARTTLS');
    expect(only(findings, 'smtp.software').evidence).toMatchObject({ software: 'qmail', confidence: 'medium' });
  });

  it('reads a 4xx to EHLO as "not now" (blocked-us), never as a server without ESMTP', async () => {
    const overrides: Overrides = {
      ehlo: reply(450, '4.7.1 try again later'),
      helo: undefined,
      starttls: undefined,
      tls: undefined,
      ehloAfterTls: undefined,
      mail: undefined,
      rcpt: undefined,
    };
    const { findings } = await runCheck({ [ADDR1]: overrides });
    expect(ids(findings)).not.toContain('smtp.helo-only');
    expect(ids(findings)).not.toContain('smtp.starttls-missing');
    expect(only(findings, 'smtp.blocked-us').status).toBe('error');
  });

  it('warns smtp.starttls-missing when EHLO works and offers no STARTTLS', async () => {
    const { findings } = await runCheck({
      [ADDR1]: { ehlo: reply(250, EHLO_LINES(MX1)), starttls: undefined, tls: undefined, ehloAfterTls: undefined },
    });
    expect(ids(findings)).toEqual(['smtp.size-limit', 'smtp.software', 'smtp.starttls-missing']);
    const missing = only(findings, 'smtp.starttls-missing');
    expect(missing).toMatchObject({ status: 'warn', ref: 'RFC 3207 §4; RFC 7435' });
    expect(missing.summary).toContain('in clear');
    expect(missing.evidence.extensions).toEqual([
      'PIPELINING',
      'SIZE 52428800',
      'ETRN',
      'ENHANCEDSTATUSCODES',
      '8BITMIME',
      'DSN',
      'SMTPUTF8',
      'CHUNKING',
    ]);
    expect(missing.evidence.maskedBy).toBeUndefined();
  });

  it('names a firewall that masks STARTTLS as XXXXXXXA', async () => {
    const ehlo = reply(250, [MX1, 'PIPELINING', 'SIZE 20480000', 'XXXXXXXA', '8BITMIME']);
    const { findings } = await runCheck({
      [ADDR1]: {
        banner: reply(220, '*************************************************'),
        ehlo,
        starttls: undefined,
        tls: undefined,
        ehloAfterTls: undefined,
      },
    });
    const missing = only(findings, 'smtp.starttls-missing');
    expect(missing.evidence.maskedBy).toContain('XXXXXXXA');
    expect(missing.remedy).toContain('inspect esmtp');
  });

  it('fails smtp.starttls-failed when STARTTLS is refused, and still judges the rest of the session in clear', async () => {
    const { findings } = await runCheck({
      [ADDR1]: {
        starttls: reply(454, '4.7.0 TLS not available due to local problem'),
        tls: undefined,
        ehloAfterTls: undefined,
      },
    });
    expect(ids(findings)).toEqual(['smtp.size-limit', 'smtp.software', 'smtp.starttls-failed']);
    const failed = only(findings, 'smtp.starttls-failed');
    expect(failed).toMatchObject({
      status: 'fail',
      evidence: {
        step: 'starttls',
        reply: ['454 4.7.0 TLS not available due to local problem'],
        transcript: ['C: STARTTLS', 'S: 454 4.7.0 TLS not available due to local problem'],
      },
    });
  });

  it('fails smtp.starttls-failed when the handshake fails, with the error as evidence', async () => {
    const error = 'C0D7:error:0A000102:SSL routines:ssl_choose_client_version:unsupported protocol';
    const overrides = endedAt('tls', 'error', error, {
      tls: tlsOutcome({
        ok: false,
        protocol: undefined,
        cipher: undefined,
        error,
        chain: [],
        trusted: false,
        nameMatches: false,
        ms: 14,
      }),
    });
    const { findings } = await runCheck({ [ADDR1]: overrides });
    expect(ids(findings)).toEqual(['smtp.size-limit', 'smtp.software', 'smtp.starttls-failed']);
    const failed = only(findings, 'smtp.starttls-failed');
    expect(failed).toMatchObject({ status: 'fail', evidence: { step: 'tls', error, tlsMs: 14 } });
    expect(failed.summary).toContain('below 1.2');
  });

  it('reports a handshake that timed out as an error, not as a failed STARTTLS', async () => {
    const overrides = endedAt('tls', 'timeout', 'no TLS handshake in 15000 ms', {
      tls: tlsOutcome({
        ok: false,
        protocol: undefined,
        cipher: undefined,
        error: 'no TLS handshake in 15000 ms',
        chain: [],
        trusted: false,
        nameMatches: false,
        ms: 15_000,
      }),
    });
    const { findings } = await runCheck({ [ADDR1]: overrides });
    expect(ids(findings)).toEqual(['smtp.command-timeout', 'smtp.size-limit', 'smtp.software']);
    expect(only(findings, 'smtp.command-timeout')).toMatchObject({
      status: 'error',
      evidence: { step: 'tls', reason: 'timeout' },
    });
  });
});

describe('smtp check: TLS', () => {
  it('warns tls.version-old for TLS 1.0', async () => {
    const { findings } = await runCheck({
      [ADDR1]: { tls: tlsOutcome({ protocol: 'TLSv1', cipher: 'ECDHE-RSA-AES256-SHA' }) },
    });
    expect(ids(findings)).toEqual(['smtp.size-limit', 'smtp.software', 'tls.negotiated', 'tls.version-old']);
    const old = only(findings, 'tls.version-old');
    expect(old).toMatchObject({
      status: 'warn',
      ref: 'RFC 8996 §2-3',
      evidence: { protocol: 'TLSv1', address: ADDR1 },
    });
  });

  it('does not call TLS 1.2 old', async () => {
    const { findings } = await runCheck({
      [ADDR1]: { tls: tlsOutcome({ protocol: 'TLSv1.2', cipher: 'ECDHE-RSA-AES128-GCM-SHA256' }) },
    });
    expect(ids(findings)).toContain('smtp.ok');
    expect(ids(findings)).not.toContain('tls.version-old');
  });

  it.each<[string, Partial<TlsOutcome>, string, Record<string, unknown>]>([
    [
      'an expired certificate',
      { trusted: false, trustError: 'CERT_HAS_EXPIRED' },
      'tls.cert-expired',
      { trustError: 'CERT_HAS_EXPIRED', validTo: '2025-12-30T08:00:00.000Z' },
    ],
    [
      'a self-signed certificate',
      {
        trusted: false,
        trustError: 'DEPTH_ZERO_SELF_SIGNED_CERT',
        chain: [certificate({ issuer: `CN=${MX1}`, selfSigned: true })],
      },
      'tls.cert-self-signed',
      { selfSigned: true, trustError: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
    ],
    [
      'a private CA',
      { trusted: false, trustError: 'SELF_SIGNED_CERT_IN_CHAIN' },
      'tls.cert-untrusted',
      { trusted: false, trustError: 'SELF_SIGNED_CERT_IN_CHAIN' },
    ],
    [
      'a missing intermediate',
      { trusted: false, trustError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', chain: [certificate()] },
      'tls.cert-untrusted',
      { trustError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
    ],
    [
      'a certificate for another name',
      {
        nameMatches: false,
        chain: [
          certificate({ subject: 'CN=mail.hoster.example', names: ['mail.hoster.example', 'smtp.hoster.example'] }),
          INTERMEDIATE,
        ],
      },
      'tls.cert-name-mismatch',
      { names: ['mail.hoster.example', 'smtp.hoster.example'] },
    ],
  ])('warns (opportunistic senders still deliver) about %s', async (_, tls, id, evidence) => {
    const { findings } = await runCheck({ [ADDR1]: { tls: tlsOutcome(tls) } });
    expect(ids(findings)).toEqual(['smtp.size-limit', 'smtp.software', id, 'tls.negotiated'].sort());
    const problem = only(findings, id);
    expect(problem.status).toBe('warn');
    expect(problem.summary).toContain(
      'if the domain enforces MTA-STS or publishes DANE TLSA records for this MX, senders that honour them refuse it',
    );
    expect(problem.evidence).toMatchObject(evidence);
    expect(problem.evidence).toMatchObject({ address: ADDR1, host: MX1, protocol: 'TLSv1.3' });
  });

  it('says which intermediate is missing in the remedy', async () => {
    const { findings } = await runCheck({
      [ADDR1]: {
        tls: tlsOutcome({ trusted: false, trustError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', chain: [certificate()] }),
      },
    });
    expect(only(findings, 'tls.cert-untrusted').remedy).toContain('full chain');
  });

  it('uses a clock when given: an expired self-signed certificate is reported as both', () => {
    const request: SmtpProbeRequest = {
      mxHost: MX1,
      address: ADDR1,
      port: 25,
      heloName: HELO_NAME,
      mailFrom: '',
      recipient: `postmaster@${DOMAIN}`,
    };
    const tls = tlsOutcome({
      trusted: false,
      trustError: 'DEPTH_ZERO_SELF_SIGNED_CERT',
      chain: [certificate({ selfSigned: true, validTo: '2025-06-01T00:00:00.000Z' })],
    });
    const session = {
      server: { host: MX1, preference: 10, address: ADDR1 },
      hosts: [MX1],
      result: probeResult(request, { tls }),
    };
    expect(ids(judgeSession(session))).not.toContain('tls.cert-expired');
    const withClock = judgeSession(session, { now: new Date('2026-01-15T12:00:00Z') });
    expect(ids(withClock)).toEqual(expect.arrayContaining(['tls.cert-expired', 'tls.cert-self-signed']));
    expect(only(withClock, 'tls.cert-expired').summary).toContain('expired on 2025-06-01T00:00:00.000Z');
  });

  it('does not call a certificate expired before its time', () => {
    const request: SmtpProbeRequest = {
      mxHost: MX1,
      address: ADDR1,
      port: 25,
      heloName: HELO_NAME,
      mailFrom: '',
      recipient: `postmaster@${DOMAIN}`,
    };
    const session = {
      server: { host: MX1, preference: 10, address: ADDR1 },
      hosts: [MX1],
      result: probeResult(request),
    };
    expect(ids(judgeSession(session, { now: new Date('2025-12-29T00:00:00Z') }))).toContain('smtp.ok');
  });
});

describe('smtp check: MAIL and RCPT', () => {
  it('fails smtp.rcpt-rejected for postmaster, citing RFC 5321 §4.5.1', async () => {
    const { findings } = await runCheck({
      [ADDR1]: {
        rcpt: reply(
          550,
          '5.1.1 <postmaster@partner.test>: Recipient address rejected: User unknown in local recipient table',
          4,
        ),
      },
    });
    expect(ids(findings)).toEqual(['smtp.rcpt-rejected', 'smtp.size-limit', 'smtp.software', 'tls.negotiated']);
    const rejected = only(findings, 'smtp.rcpt-rejected');
    expect(rejected).toMatchObject({
      status: 'fail',
      ref: 'RFC 5321 §4.5.1',
      evidence: {
        recipient: `postmaster@${DOMAIN}`,
        postmaster: true,
        reply: [
          '550 5.1.1 <postmaster@partner.test>: Recipient address rejected: User unknown in local recipient table',
        ],
        replyMs: 4,
        transcript: [
          `C: RCPT TO:<postmaster@${DOMAIN}>`,
          'S: 550 5.1.1 <postmaster@partner.test>: Recipient address rejected: User unknown in local recipient table',
        ],
      },
    });
    expect(rejected.summary).toContain('RFC 5321 §4.5.1 requires');
  });

  it('explains "Relay access denied": the MX does not take mail for the domain', async () => {
    const { findings } = await runCheck({
      [ADDR1]: { rcpt: reply(554, '5.7.1 <postmaster@partner.test>: Relay access denied') },
    });
    const rejected = only(findings, 'smtp.rcpt-rejected');
    expect(rejected.summary).toContain('relay denied');
    expect(rejected.remedy).toContain('relay_domains');
  });

  it('warns smtp.rcpt-temporary for greylisting, and promises a follow-up only if one is scheduled', async () => {
    const { findings } = await runCheck({
      [ADDR1]: {
        rcpt: reply(
          450,
          '4.2.0 <postmaster@partner.test>: Recipient address rejected: Greylisted, see https://postgrey.schweikert.ch/help/partner.test.html',
        ),
      },
    });
    expect(ids(findings)).toEqual(['smtp.rcpt-temporary', 'smtp.size-limit', 'smtp.software', 'tls.negotiated']);
    const temporary = only(findings, 'smtp.rcpt-temporary');
    expect(temporary).toMatchObject({
      status: 'warn',
      evidence: { greylisting: true, recipient: `postmaster@${DOMAIN}` },
    });
    expect(temporary.evidence.followUp).toBe(
      'none scheduled: run with --queue (and workers) to re-probe after the greylisting delay',
    );
    expect(temporary.summary).toContain('greylisting');
  });

  it('does not call every 4xx greylisting', async () => {
    const { findings } = await runCheck({ [ADDR1]: { rcpt: reply(452, '4.3.1 Insufficient system storage') } });
    expect(only(findings, 'smtp.rcpt-temporary').evidence.greylisting).toBe(false);
  });

  it('fails smtp.mail-rejected when the null sender is refused, and asks nothing of RCPT', async () => {
    const { findings } = await runCheck({
      [ADDR1]: endedAt('mail', 'protocol', 'mail refused', {
        mail: reply(553, '5.1.7 The sender address <> is not a valid RFC-5321 address'),
      }),
    });
    expect(ids(findings)).toEqual(['smtp.mail-rejected', 'smtp.size-limit', 'smtp.software', 'tls.negotiated']);
    const rejected = only(findings, 'smtp.mail-rejected');
    expect(rejected).toMatchObject({ status: 'fail', evidence: { mailFrom: '' } });
    expect(rejected.summary).toContain('null sender');
  });

  it('reports no answer to RCPT as smtp.command-timeout (error), never as rejected', async () => {
    const { findings } = await runCheck({
      [ADDR1]: { ...endedAt('rcpt', 'timeout', 'no complete reply in 30000 ms'), totalMs: 30_200 },
    });
    expect(ids(findings)).toEqual(['smtp.command-timeout', 'smtp.size-limit', 'smtp.software', 'tls.negotiated']);
    const timeout = only(findings, 'smtp.command-timeout');
    expect(timeout).toMatchObject({ status: 'error', evidence: { step: 'rcpt', reason: 'timeout' } });
    expect(timeout.evidence.waitedMs).toBeGreaterThan(29_000);
    expect(timeout.evidence.transcript).toContain(`C: RCPT TO:<postmaster@${DOMAIN}>`);
  });

  it('reports a connection dropped after MAIL as smtp.connection-lost (error)', async () => {
    const { findings } = await runCheck({ [ADDR1]: endedAt('mail', 'closed', 'the server closed the connection') });
    expect(only(findings, 'smtp.connection-lost')).toMatchObject({ status: 'error', evidence: { step: 'mail' } });
  });

  it('fails smtp.protocol-error for a reply line past the limit', async () => {
    const { findings } = await runCheck({
      [ADDR1]: endedAt('ehlo', 'line-too-long', 'a reply line longer than 4096 bytes'),
    });
    expect(ids(findings)).toEqual(['smtp.protocol-error', 'smtp.software']);
    expect(only(findings, 'smtp.protocol-error')).toMatchObject({
      status: 'fail',
      evidence: { step: 'ehlo', detail: 'a reply line longer than 4096 bytes' },
    });
  });

  it('reports a probe that never started (a request the prober refused) as an error, not a partner fault', async () => {
    const { findings } = await runCheck({
      [ADDR1]: {
        ...endedAt('connect', 'protocol', "the request's recipient holds a control character; nothing was sent"),
        totalMs: 0,
      },
    });
    expect(ids(findings)).toEqual(['smtp.probe-incomplete']);
    expect(only(findings, 'smtp.probe-incomplete').status).toBe('error');
  });
});

describe('smtp check: SIZE', () => {
  it.each<[string, string, 'info' | 'warn', number]>([
    ['5242880', 'warn', 'warn', 5.2],
    ['10240000', "Postfix's default is", 'info', 10.2],
    ['157286400', 'a big limit is', 'info', 157.3],
  ])('SIZE %s: %s %s', async (size, _, status, megabytes) => {
    const lines = [MX1, 'PIPELINING', `SIZE ${size}`, '8BITMIME'];
    const { findings } = await runCheck({ [ADDR1]: { ehloAfterTls: reply(250, lines) } });
    const limit = only(findings, 'smtp.size-limit');
    expect(limit).toMatchObject({ status, evidence: { limitBytes: Number(size), limitMB: megabytes } });
    expect(ids(findings).includes('smtp.ok')).toBe(status === 'info');
  });

  it('says nothing about size when SIZE is not offered', async () => {
    const { findings } = await runCheck({ [ADDR1]: { ehloAfterTls: reply(250, [MX1, 'PIPELINING', '8BITMIME']) } });
    expect(ids(findings)).toEqual(['smtp.ok', 'smtp.software', 'tls.negotiated']);
  });
});

describe('smtp check: recognising the software', () => {
  it('names Microsoft 365 from its banner, with the line as evidence', async () => {
    const banner = reply(
      220,
      'AM4PEPF00027A6C.mail.protection.outlook.com Microsoft ESMTP MAIL Service ready at Wed, 26 Nov 2025 10:12:13 +0000 [08DE2C4A1B2C3D4E]',
    );
    const { findings } = await runCheck({ [ADDR1]: { banner } });
    const software = only(findings, 'smtp.software');
    expect(software).toMatchObject({
      status: 'info',
      evidence: { software: 'Microsoft 365 (Exchange Online)', kind: 'mailbox-provider', confidence: 'high' },
    });
    expect(software.evidence.line).toBe(`banner: ${banner.lines[0]}`);
  });

  it('says nothing when nothing gives the software away', async () => {
    const { findings } = await runCheck({
      [ADDR1]: {
        banner: reply(220, `${MX1} ESMTP ready`),
        ehlo: reply(250, [MX1, 'STARTTLS']),
        ehloAfterTls: reply(250, [MX1, '8BITMIME']),
      },
    });
    expect(ids(findings)).toEqual(['smtp.ok', 'tls.negotiated']);
  });
});

describe('smtp check: feeding the sender model', () => {
  function verdict(family: string, findings: readonly Finding[]): string {
    const rules = SMTP_SENDER_FAMILIES.find((f) => f.family === family)?.rules ?? [];
    for (const rule of rules) if (rule.match(findings).length > 0) return rule.verdict ?? 'fail';
    return 'ok';
  }
  const enforce: Finding = {
    id: 'mtasts.enforce',
    status: 'info',
    subject: DOMAIN,
    summary: 'test',
    evidence: {},
    remedy: '',
    ref: '',
  };

  it('fails an MTA-STS sender when every MX serves an expired certificate, and not when one serves a good one', async () => {
    const expired = { tls: tlsOutcome({ trusted: false, trustError: 'CERT_HAS_EXPIRED' }) };
    const bad = await runCheck({ [ADDR1]: expired, [ADDR2]: expired }, { records: TWO_MX });
    expect(verdict('mta-sts-enforcing-sender', [...bad.findings, enforce])).toBe('fail');
    expect(verdict('mta-sts-enforcing-sender', bad.findings)).toBe('ok');
    const mixed = await runCheck({ [ADDR1]: expired, [ADDR2]: {} }, { records: TWO_MX });
    expect(verdict('mta-sts-enforcing-sender', [...mixed.findings, enforce])).toBe('ok');
  });

  it('cannot tell for a TLS 1.0-only sender when every MX negotiates TLS 1.3, and clears it when one speaks TLS 1.0', async () => {
    const modern = await runCheck({ [ADDR1]: {}, [ADDR2]: {} }, { records: TWO_MX });
    expect(verdict('tls1.0-only-sender', modern.findings)).toBe('unknown');
    const oneOld = await runCheck(
      { [ADDR1]: {}, [ADDR2]: { tls: tlsOutcome({ protocol: 'TLSv1' }) } },
      { records: TWO_MX },
    );
    expect(verdict('tls1.0-only-sender', oneOld.findings)).toBe('ok');
  });

  it('fails every SMTP family when every address rejects the recipient', async () => {
    const rcpt = { rcpt: reply(550, '5.1.1 User unknown') };
    const { findings } = await runCheck({ [ADDR1]: rcpt, [ADDR2]: rcpt }, { records: TWO_MX });
    for (const family of SMTP_SENDER_FAMILIES) expect(verdict(family.family, findings)).toBe('fail');
  });
});
