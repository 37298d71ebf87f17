import { systemClock } from '../../src/clock.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checksOf } from '../../commands/bounce-checks.js';
import type { MailcheckDeps } from '../../commands/mailcheck.js';
import type { CheckTarget } from '../../src/diagnosis/check-target.js';
import { parseCheckTarget } from '../../src/diagnosis/check-target.js';
import type { Check } from '../../src/diagnosis/check.js';
import { diagnose, type DiagnosisReport } from '../../src/diagnosis/diagnose.js';
import { createDnsClient } from '../../src/net/dns-client.js';
import { recordCheck } from '../../src/store/check-reports.js';
import { startDnsServers } from '../support/dns-test-server.js';
import { consoleSession } from '../support/console-session.js';
import { noMailcheck } from '../support/no-mailcheck.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';
import { mailNetwork, RESOLVER, MAIL_NETWORK_TIMEOUT_MS } from '../fixtures/mail-network.js';
import { DAY } from '../support/inventory-fixture.js';
import { loopbackLookup } from '../support/loopback-lookup.js';

/** `mailcheck bounce`, `mailcheck history` and "What changed" through the console surface, against DNS servers on loopback. */
describe('bounces and history in chat', () => {
  let network: Awaited<ReturnType<typeof startDnsServers>>;
  let store: TestDatabase;
  const run = (target: CheckTarget, checks?: readonly Check[]): Promise<DiagnosisReport> =>
    diagnose(target, {
      dns: createDnsClient(),
      clock: systemClock,
      ...(checks ? { checks } : {}),
      lookup: loopbackLookup(RESOLVER, network.port, MAIL_NETWORK_TIMEOUT_MS),
    });
  const deps = (): MailcheckDeps => ({
    ...noMailcheck(),
    history: { store },
    bounces: { test: (target, hypothesis) => run(target, checksOf(hypothesis)) },
  });
  const consoleSessionWith = (script: string): Promise<string> => consoleSession(script, {}, deps());

  beforeAll(async () => {
    network = await startDnsServers(mailNetwork());
  });
  afterAll(() => network.close());
  beforeEach(async () => {
    store = await openTestDatabase('sqlite');
  });
  afterEach(async () => {
    await store.drop();
  });

  it('reads a pasted qmail bounce up to a lone ".", names the cause and confirms it against the domain', async () => {
    const bounce = readFileSync(
      join(import.meta.dirname, '../fixtures/bounces/qmail-cname-bounce.eml'),
      'utf8',
    ).replaceAll('partner.test', 'bigany.test');
    const text = await consoleSessionWith(`mailcheck bounce\n${bounce}\n.\nhelp\n`);
    expect(text).toContain('Paste the bounce');
    expect(text).toMatch(/== qmail bounce 4\.4\.3 ==/);
    expect(text).toContain('Likely cause (qmail-any-answer-too-big)');
    expect(text.toUpperCase()).toContain('VERDICT: CONFIRMED: THE CHECKS FIND IT NOW (CHECKED BIGANY.TEST).');
    expect(text).toMatch(/\[#1 thread\]\nqmail: final failure \(bounce\), DSN 4\.4\.3, failed at: dns/);
    expect(text).toMatch(/FAIL {4}dns\.answer-over-512 {2}ANY bigany\.test/);
    // The line after the bounce is a command again.
    expect(text).toContain('mailcheck <domain or address>');
  });

  it('reads a one-line log pasted after the word, and says so when there is nothing to read', async () => {
    const text = await consoleSessionWith(
      "mailcheck bounce @4000 delivery 9: failure: Sorry,_I_couldn't_find_a_mail_exchanger_or_IP_address._(#5.4.4)/\n",
    );
    expect(text).toContain('Likely cause (no-ipv4-mail-server)');
    expect(text).toContain('the checks could not tell');
    expect(text).toContain('names no recipient address');
  });

  it('lists the stored checks of a domain with what changed, and answers "What changed" in the thread', async () => {
    const first = await run(parseCheckTarget('healthy.test'));
    const second = await run(parseCheckTarget('bigmx.test'));
    // Two checks of one domain, a week apart: the second as if the domain had grown its MX set (its findings and senders; the records and sizes are keyed by name and compared in the Knot end-to-end test).
    await recordCheck(store, first, { source: 'chat', at: new Date('2026-11-03T09:00:00Z'), keepMs: 365 * DAY });
    await recordCheck(
      store,
      { ...second, domain: 'healthy.test' },
      { source: 'watch', at: new Date('2026-11-10T09:00:00Z'), keepMs: 365 * DAY },
    );
    const text = await consoleSessionWith(
      'mailcheck history healthy.test\nchanges healthy.test\nmailcheck history nothing-here.test\n',
    );
    expect(text).toContain('== Checks of healthy.test ==');
    expect(text).toMatch(/#2 {2}2026-11-10 09:00 {2}FAIL/);
    expect(text).toContain(
      'healthy.test: got worse between 3 Nov 2026 09:00 and 10 Nov 2026 09:00 (UTC; checks #1 and #2)',
    );
    expect(text).toMatch(/\[#\d thread\]\nhealthy\.test: got worse between/);
    expect(text).toContain('qmail-1.03: ok -> fail');
    expect(text).toContain('nothing-here.test: no checks stored yet.');
  });

  it('refuses to watch from the console, where there is no channel to post into, and refuses bad intervals', async () => {
    const text = await consoleSessionWith(
      'mailcheck watch healthy.test\nmailcheck watch healthy.test every 1m\nmailcheck watch healthy.test every fortnight\n',
    );
    expect(text).toContain('the console has no channel to post into');
    expect(text).toContain('A watch re-checks every 5 minutes at the most and every 7 days at the least (got 1m).');
    expect(text).toContain('"fortnight" is not a duration');
  });
});
