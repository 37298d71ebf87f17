/**
 * The five report-card cases diagnosed for real: starts the DNS and SMTP servers of
 * test/fixtures/card-cases.ts on loopback, runs diagnose() for a case the way the bot does, and
 * builds the card the bot would post. Shared by the golden-card test and scripts/render-cards.ts.
 */
import { systemClock } from '../../src/clock.js';
import type { Card } from '../../src/chat/card.js';
import { reportCard } from '../../src/chat/mailcheck-cards.js';
import { parseCheckTarget } from '../../src/diagnosis/check-target.js';
import { diagnose, type DiagnosisReport } from '../../src/diagnosis/diagnose.js';
import { createDnsClient } from '../../src/net/dns-client.js';
import { createSmtpProber } from '../../src/net/smtp-prober.js';
import {
  CASE_DOMAIN,
  cardCaseDns,
  cardCaseSmtp,
  PARENT,
  RESOLVER,
  SCANNING_SUFFIX,
  SEED_CERT_NAME,
  TROUBLED_CERT_NAME,
  HEALTHY_MX_NAME,
  type CardCase,
} from '../fixtures/card-cases.js';
import { startDnsServers } from './dns-test-server.js';
import { loopbackLookup } from './loopback-lookup.js';
import { createTestPki, startSmtpServers } from './smtp-test-server.js';

/**
 * One query's time-out: long enough that a busy machine never takes a slow loopback answer for a
 * dead server. 1 s was not: with both cores of a 2-core machine busy, healthy servers timed out and
 * the cards changed; 2 s held. The dead and EDNS-dropping servers cost about one of these each.
 */
const DNS_TIMEOUT_MS = 2_000;

export interface CardCaseResult {
  readonly report: DiagnosisReport;
  /** What the user typed after /mailcheck: the domain. */
  readonly input: string;
  readonly card: Card;
}

export interface CardCaseWorld {
  /** The DNS and SMTP servers' ports (random per start), for normalising what the cards say. */
  readonly ports: readonly number[];
  run(which: CardCase): Promise<CardCaseResult>;
  close(): Promise<void>;
}

export async function startCardCaseWorld(): Promise<CardCaseWorld> {
  const [seed, healthy, troubled] = await Promise.all([
    createTestPki(SEED_CERT_NAME, `other.${SCANNING_SUFFIX}`),
    createTestPki(HEALTHY_MX_NAME),
    createTestPki(TROUBLED_CERT_NAME),
  ]);
  const dns = await startDnsServers(cardCaseDns());
  const smtp = await startSmtpServers(cardCaseSmtp({ seed, healthy, troubled })).catch(async (error: unknown) => {
    await dns.close();
    throw error;
  });
  // Each case's servers are issued by their own test CA: trusting all three is what a sender's bundle does.
  const prober = createSmtpProber({
    allowPrivateTargets: true,
    trustedCa: seed.caCert + healthy.caCert + troubled.caCert,
  });
  return {
    ports: [dns.port, smtp.port],
    async run(which) {
      const input = CASE_DOMAIN[which];
      const target = parseCheckTarget(input);
      const report = await diagnose(target, {
        dns: createDnsClient(),
        clock: systemClock,
        lookup: loopbackLookup(RESOLVER, dns.port, DNS_TIMEOUT_MS, {
          rootHints: [{ host: 'parent.test', address: PARENT }],
        }),
        smtp: { prober, port: smtp.port, heloName: 'probe.mxops.test' },
        // No DNSBL zone answers on loopback; asking none keeps the run inside it.
        dnsblZones: [],
      });
      return { report, input, card: reportCard(target, report, input) };
    },
    async close() {
      await Promise.all([smtp.close(), dns.close()]);
    },
  };
}
