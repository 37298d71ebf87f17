/**
 * A full check (DNS and SMTP) of a domain with three MX hosts, one of which holds its banner for
 * `delay` seconds: mxops's wall time next to that delay (goal: at most delay + 1 s, since the
 * other hosts complete alongside), and next to probing the three hosts one after another.
 *
 *   node --import tsx bench/smtp-parallelism.ts [delaySeconds] [runs]
 *   BENCH_SMOKE=1 node --import tsx bench/smtp-parallelism.ts   (one check, 2 s delay; exit 1 past delay + 2 s)
 *
 * DNS and SMTP servers run in this process on 127.0.0.101-106; nothing leaves loopback.
 */
import { systemClock } from '../src/clock.js';
import { performance } from 'node:perf_hooks';
import { parseCheckTarget } from '../src/diagnosis/check-target.js';
import { diagnose } from '../src/diagnosis/diagnose.js';
import { createDnsClient } from '../src/net/dns-client.js';
import { createSmtpProber } from '../src/net/smtp-prober.js';
import { startDnsServers } from '../test/support/dns-test-server.js';
import { createTestPki, startSmtpServers } from '../test/support/smtp-test-server.js';
import { smtpDomainDns } from '../test/fixtures/smtp-domain.js';
import { loopbackLookup } from '../test/support/loopback-lookup.js';
import { checkGoal, checkThat, SMOKE } from './smoke.js';

// Smoke: 2 s is still well past the rest of the check (DNS and the two fast hosts, ~0.2 s), so the
// slow greeting sets the wall time, and what is over it is the same overhead a 10 s delay shows.
const DELAY_S = SMOKE ? 2 : Number(process.argv[2] ?? 10);
const RUNS = SMOKE ? 1 : Number(process.argv[3] ?? 3);
/** The goal: the full check ends at most this long after the slow greeting. */
const GOAL_OVER_S = 1;
const DOMAIN = 'slowmx.test';
const MX: (readonly [string, string])[] = [
  ['mx1', '127.0.0.103'],
  ['mx2', '127.0.0.104'],
  ['mx3', '127.0.0.105'],
];

const pki = await createTestPki(`mx1.${DOMAIN}`);
const dns = await startDnsServers(
  smtpDomainDns({ domain: DOMAIN, resolver: '127.0.0.101', nameserver: '127.0.0.102', mxHosts: MX }),
);
const smtp = await startSmtpServers([
  { address: '127.0.0.103', name: `mx1.${DOMAIN}`, certificate: pki.valid },
  { address: '127.0.0.104', name: `mx2.${DOMAIN}`, certificate: pki.valid },
  { address: '127.0.0.105', name: `mx3.${DOMAIN}`, certificate: pki.valid, bannerDelayMs: DELAY_S * 1000 },
]);
const prober = createSmtpProber({
  allowPrivateTargets: true,
  trustedCa: pki.caCert,
  limits: { bannerTimeoutMs: (DELAY_S + 20) * 1000, totalTimeoutMs: (DELAY_S + 60) * 1000 },
});
const smtpSettings = { prober, port: smtp.port, heloName: 'probe.mxops.test' };

try {
  const full: number[] = [];
  let summary = '';
  /** Whether the slow host's session got through STARTTLS, i.e. the check waited for its greeting. */
  let slowHostProbed = false;
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    const report = await diagnose(parseCheckTarget(DOMAIN), {
      dns: createDnsClient(),
      clock: systemClock,
      lookup: loopbackLookup('127.0.0.101', dns.port, 2_000),
      smtp: smtpSettings,
    });
    full.push(performance.now() - started);
    const slow = report.findings.find((f) => f.id === 'smtp.banner-slow');
    summary = `${report.findings.filter((f) => f.id === 'smtp.ok').length} smtp.ok, smtp.banner-slow ${slow ? `${slow.status} at ${String(slow.evidence.address)}` : 'missing'}`;
    slowHostProbed = report.findings.some((f) => f.id === 'tls.negotiated' && f.evidence.address === MX[2]?.[1]);
  }
  // The comparison is for the figures; the smoke run checks the goal only.
  const serial: number[] = [];
  for (let run = 0; run < (SMOKE ? 0 : RUNS); run++) {
    const started = performance.now();
    for (const [label, address] of MX) {
      await prober.probe({
        mxHost: `${label}.${DOMAIN}`,
        address,
        port: smtp.port,
        heloName: 'probe.mxops.test',
        mailFrom: '',
        recipient: `postmaster@${DOMAIN}`,
      });
    }
    serial.push(performance.now() - started);
  }
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
  const delayMs = DELAY_S * 1000;
  console.log(`${DOMAIN}: 3 MX hosts with STARTTLS, one greeting after ${DELAY_S} s (${summary})`);
  console.log(
    `full check (DNS + SMTP, concurrent): median ${(median(full) / 1000).toFixed(2)} s over ${RUNS} runs = delay + ${((median(full) - delayMs) / 1000).toFixed(2)} s`,
  );
  if (serial.length > 0)
    console.log(
      `the three probes one after another:  median ${(median(serial) / 1000).toFixed(2)} s = delay + ${((median(serial) - delayMs) / 1000).toFixed(2)} s`,
    );
  if (SMOKE) {
    // Without it, a check that gave up on the slow host (or skipped it) would pass the time limit.
    checkThat(`the slow host (${MX[2]?.[1]}) was probed through STARTTLS`, slowHostProbed);
    // Twice the goal's +1 s; today the check ends 0.16-0.36 s after the greeting, busy core or not.
    checkGoal({
      what: 'full check past the slow greeting',
      value: (median(full) - delayMs) / 1000,
      unit: ' s',
      atMost: 2 * GOAL_OVER_S,
      why: `twice the goal of +${GOAL_OVER_S} s`,
    });
  }
} finally {
  await smtp.close();
  await dns.close();
}
