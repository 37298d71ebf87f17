/**
 * 17 lab-like domains checked the two ways a mail admin would run mxops over a partner list: one
 * `runCheckMany` run in one process (concurrency 16, one shared DNS client, one SMTP session per
 * address at a time), and the same checks one after another, as a shell loop would (without its
 * 17 process start-ups, which bench/startup.ts measures). Goal (issue 14): the whole list within
 * the slowest single domain + 1 s.
 *
 *   node --import tsx bench/many-domains.ts [greetingDelaySeconds]
 *
 * Everything is on loopback: a resolver that serves every zone (and stands in for the root) on
 * 127.0.2.1, one nameserver per domain on 127.0.2.10+, SMTP servers with STARTTLS on 127.0.3.x
 * (one per plain domain; the seed case's 12 MX names on two of them).
 * Among the domains: one whose nameserver is silent (dead DNS), one whose only mail server greets
 * after 15 s, the seed case (12 MX names on 2 addresses), a null MX.
 */
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

const GREETING_DELAY_S = Number(process.argv[2] ?? 15);
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
});

/** What `mxops check` runs with, sharing one DNS client and one prober across the targets it is given. */
function deps(): CheckCommandDeps {
  const prober = oneSessionPerAddress(createSmtpProber({ allowPrivateTargets: true, trustedCa: pki.caCert }));
  return {
    config,
    dns: createSharedDnsClient(createDnsClient()),
    now: () => performance.now(),
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
} finally {
  await smtp.close();
  await dns.close();
}
