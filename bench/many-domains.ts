/**
 * 17 lab-like domains checked the two ways a mail admin would run mxops over a partner list: one
 * `runCheckMany` run in one process (concurrency 16, one shared DNS client, one SMTP session per
 * address at a time), and the same checks one after another, as a shell loop would (without its
 * 17 process start-ups, which bench/startup.ts measures). Goal (issue 14): the whole list within
 * the slowest single domain + 1 s.
 *
 *   node --import tsx bench/many-domains.ts [greetingDelaySeconds]
 *   BENCH_SMOKE=1 node --import tsx bench/many-domains.ts   (2 s greeting, 0.5 s DNS time-outs; exit 1 past slowest + 2 s)
 *
 * Everything is on loopback: a resolver that serves every zone (and stands in for the root) on
 * 127.0.2.1, one nameserver per domain on 127.0.2.10+, SMTP servers with STARTTLS on 127.0.3.x
 * (one per plain domain; the seed case's 12 MX names on two of them).
 * Among the domains: one whose nameserver is silent (dead DNS), one whose only mail server greets
 * after 15 s, the seed case (12 MX names on 2 addresses), a null MX.
 */
import { systemClock } from '../src/clock.js';
import { performance } from 'node:perf_hooks';
import { runCheckMany } from '../commands/check-many.js';
import type { CheckCommandDeps } from '../commands/check.js';
import { loadConfig } from '../src/config.js';
import { createDnsClient } from '../src/net/dns-client.js';
import { oneSessionPerAddress } from '../src/net/one-session-per-address.js';
import { createSharedDnsClient } from '../src/net/shared-dns-client.js';
import { createSmtpProber } from '../src/net/smtp-prober.js';
import { smtpDomainZone } from '../test/fixtures/smtp-domain.js';
import { soa, zone } from '../test/fixtures/zones.js';
import type { ServerSpec, Zone, ZoneRecord } from '../test/support/dns-test-server.js';
import { startDnsServers } from '../test/support/dns-test-server.js';
import { rootHintsFile } from '../test/support/root-hints-file.js';
import { createTestPki, startSmtpServers } from '../test/support/smtp-test-server.js';
import { checkGoal, checkThat, SMOKE } from './smoke.js';

// Smoke: the slow greeting and the dead nameserver's time-outs (2 s, 1 retry, along a chain of
// questions: 8 s for dead.test alone) set the singles' wall times; at 2 s and 0.5 s the whole bench
// takes ~10 s instead of ~40 s, and the slowest single domain is still 2 s or more.
const GREETING_DELAY_S = SMOKE ? 2 : Number(process.argv[2] ?? 15);
const DNS_TIMEOUT_MS = SMOKE ? 500 : undefined;
/** The goal: the whole list within the slowest single domain plus this. */
const GOAL_OVER_SLOWEST_S = 1;
const RESOLVER = '127.0.2.1';
const MX_FAST = ['127.0.3.1', '127.0.3.2'] as const;
const MX_SLOW = '127.0.3.3';

interface Lab {
  readonly domain: string;
  readonly mx: readonly (readonly [string, string])[];
  readonly nameserverSilent?: boolean;
  readonly extra?: readonly ZoneRecord[];
}

// Each plain domain has a mail server of its own, as partners mostly do; the seed case's 12 names share 2.
const PLAIN = [
  'alpha',
  'bravo',
  'charlie',
  'delta',
  'echo',
  'foxtrot',
  'golf',
  'hotel',
  'india',
  'juliet',
  'kilo',
  'lima',
  'mike',
];
const ownMx = (i: number): string => `127.0.3.${10 + i}`;
const LABS: readonly Lab[] = [
  ...PLAIN.map((name, i): Lab => ({ domain: `${name}.test`, mx: [['mx1', ownMx(i)]] })),
  {
    domain: 'seed.test',
    mx: Array.from(
      { length: 12 },
      (_, i) =>
        [`inbound-filter-${String(i + 1).padStart(2, '0')}.scanning-service-cluster`, MX_FAST[i % 2] ?? ''] as const,
    ),
  },
  { domain: 'dead.test', mx: [['mx1', MX_FAST[0]]], nameserverSilent: true },
  { domain: 'slowbanner.test', mx: [['mx1', MX_SLOW]] },
  { domain: 'nullmx.test', mx: [], extra: [{ name: '@', type: 'MX', data: { preference: 0, exchange: '.' } }] },
];

function labZone(lab: Lab, nameserver: string): Zone {
  return smtpDomainZone({
    domain: lab.domain,
    nameserver,
    mxHosts: lab.mx,
    ...(lab.extra ? { extra: lab.extra } : {}),
  });
}

const nameserverOf = (i: number): string => `127.0.2.${10 + i}`;
const zones = LABS.map((lab, i) => labZone(lab, nameserverOf(i)));
// The resolver knows every zone and the parent, delegating each domain to its own nameserver.
const parent = zone('test', [
  soa(),
  ...LABS.flatMap((lab, i) => [
    { name: lab.domain.replace(/\.test$/, ''), type: 'NS', data: `ns1.${lab.domain}.` },
    { name: `ns1.${lab.domain.replace(/\.test$/, '')}`, type: 'A', data: nameserverOf(i) },
  ]),
]);
const specs: ServerSpec[] = [
  {
    address: RESOLVER,
    zones: [...zones, parent, zone('.', [soa(), { name: 'test', type: 'NS', data: 'root.test.' }])],
  },
  ...LABS.map((lab, i): ServerSpec => ({
    address: nameserverOf(i),
    zones: [zones[i] as Zone],
    ...(lab.nameserverSilent ? { behaviour: { silent: true } } : {}),
  })),
];

const pki = await createTestPki('mx1.alpha.test');
const dns = await startDnsServers(specs);
const smtp = await startSmtpServers([
  { address: MX_FAST[0], name: 'mx1.lab.test', certificate: pki.valid },
  { address: MX_FAST[1], name: 'mx2.lab.test', certificate: pki.valid },
  { address: MX_SLOW, name: 'mx1.slowbanner.test', certificate: pki.valid, bannerDelayMs: GREETING_DELAY_S * 1000 },
  ...PLAIN.map((name, i) => ({ address: ownMx(i), name: `mx1.${name}.test`, certificate: pki.valid })),
]);

const config = loadConfig({
  MXOPS_RESOLVER: `${RESOLVER}:${dns.port}`,
  MXOPS_DNS_PORT: String(dns.port),
  MXOPS_ALLOW_PRIVATE_TARGETS: 'true',
  MXOPS_ROOT_HINTS: rootHintsFile(RESOLVER),
  ...(DNS_TIMEOUT_MS === undefined ? {} : { MXOPS_DNS_TIMEOUT_MS: String(DNS_TIMEOUT_MS) }),
});

/** What `mxops check` runs with, sharing one DNS client and one prober across the targets it is given. */
function deps(): CheckCommandDeps {
  const prober = oneSessionPerAddress(createSmtpProber({ allowPrivateTargets: true, trustedCa: pki.caCert }));
  return {
    config,
    dns: createSharedDnsClient(createDnsClient()),
    clock: systemClock,
    systemResolver: () => undefined,
    smtpFor: async () => ({ prober, port: smtp.port, heloName: 'probe.mxops.test' }),
  };
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

try {
  const targets = LABS.map((lab) => lab.domain);
  const together = await timed(() => runCheckMany({ targets, concurrency: 16, json: false }, deps(), () => undefined));
  const singles: { domain: string; ms: number }[] = [];
  for (const domain of targets) {
    const one = await timed(() =>
      runCheckMany({ targets: [domain], concurrency: 1, json: false }, deps(), () => undefined),
    );
    singles.push({ domain, ms: one.ms });
  }
  const slowest = singles.reduce((a, b) => (b.ms > a.ms ? b : a));
  const loop = singles.reduce((sum, s) => sum + s.ms, 0);
  console.log(
    `${targets.length} domains on loopback, one greeting after ${GREETING_DELAY_S} s, one with a silent nameserver`,
  );
  console.log(
    `one process, concurrency 16: ${(together.ms / 1000).toFixed(2)} s (exit ${together.value.exitCode}, ${together.value.reports.length} reports)`,
  );
  console.log(
    `slowest single domain:       ${(slowest.ms / 1000).toFixed(2)} s (${slowest.domain}); goal: the list within it + 1 s -> ${together.ms <= slowest.ms + 1000 ? 'met' : 'MISSED'} (+${((together.ms - slowest.ms) / 1000).toFixed(2)} s)`,
  );
  console.log(
    `one after another (a loop):  ${(loop / 1000).toFixed(2)} s = ${(loop / together.ms).toFixed(1)}x the one-process run`,
  );
  if (SMOKE) {
    checkThat(`a report for each of the ${targets.length} domains`, together.value.reports.length === targets.length);
    // Twice the goal's second: +0.36 s in the figures; smoke-sized runs gave +0.55-1.12 s with the
    // machine's load at 9-11 (the one-process run comes first, before the checks' code is warm).
    checkGoal({
      what: 'the whole list past the slowest single domain',
      value: (together.ms - slowest.ms) / 1000,
      unit: ' s',
      atMost: 2 * GOAL_OVER_SLOWEST_S,
      why: `twice the goal of +${GOAL_OVER_SLOWEST_S} s`,
    });
  }
} finally {
  await smtp.close();
  await dns.close();
}
