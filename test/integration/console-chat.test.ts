import { systemClock } from '../../src/clock.js';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatCommands } from '../../commands/chat-commands.js';
import type { MailcheckDeps } from '../../commands/mailcheck.js';
import { runConsoleChat } from '../../src/chat/console/console-chat.js';
import { RunningChecks } from '../../src/chat/running-checks.js';
import type { CheckTarget } from '../../src/diagnosis/check-target.js';
import { diagnose, type DiagnosisProgress } from '../../src/diagnosis/diagnose.js';
import { createDnsClient } from '../../src/net/dns-client.js';
import { createSmtpProber } from '../../src/net/smtp-prober.js';
import { startDnsServers } from '../support/dns-test-server.js';
import { startSmtpServers } from '../support/smtp-test-server.js';
import { smtpDomainDns } from '../fixtures/smtp-domain.js';
import { loopbackLookup } from '../support/loopback-lookup.js';

/** A scripted `mxops chat` session: the same commands and cards as Slack and Teams, as text. */
describe('mxops chat (console surface)', () => {
  let dns: Awaited<ReturnType<typeof startDnsServers>>;
  let smtp: Awaited<ReturnType<typeof startSmtpServers>>;
  const started: string[] = [];

  beforeAll(async () => {
    dns = await startDnsServers(
      smtpDomainDns({
        domain: 'console.test',
        resolver: '127.0.0.110',
        nameserver: '127.0.0.111',
        mxHosts: [['mx1', '127.0.0.112']],
      }),
    );
    smtp = await startSmtpServers([{ address: '127.0.0.112', name: 'mx1.console.test', bannerDelayMs: 300 }]);
  });
  afterAll(async () => {
    await smtp?.close();
    await dns?.close();
  });

  const deps = (): MailcheckDeps => ({
    diagnose: (target: CheckTarget, onProgress: (p: DiagnosisProgress) => void) => {
      started.push(target.domain);
      return diagnose(target, {
        dns: createDnsClient(),
        clock: systemClock,
        lookup: loopbackLookup('127.0.0.110', dns.port, 1_000),
        smtp: {
          prober: createSmtpProber({ allowPrivateTargets: true }),
          port: smtp.port,
          heloName: 'probe.mxops.test',
        },
        dnsblZones: [],
        onProgress,
      });
    },
    running: new RunningChecks(),
    reports: new Map(),
    minUpdateIntervalMs: 50,
    clock: systemClock,
  });

  async function session(script: string): Promise<string> {
    const input = new PassThrough();
    const output = new PassThrough();
    let text = '';
    output.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const done = runConsoleChat(input, output, chatCommands(deps()));
    input.end(script);
    await done;
    return text;
  }

  it('checks a domain: a running card, updates of the same message, the verdict, details in the thread', async () => {
    const text = await session('mailcheck console.test\n');
    expect(text).toContain('[#1] == Checking console.test ==');
    expect(text).toMatch(/\[#1 updated\] == Checking console\.test ==\n.*checks: \d+ of 13 done/);
    expect(text).toMatch(/\[#1 updated\] == console\.test: (OK|WARN|FAIL|ERROR) ==/);
    // Progress is thinned to one update per interval, so which counts show depends on timing.
    expect(text).toMatch(/[01] of 1 mail server addresses probed/);
    expect(text).toContain('[#1 thread]\nconsole.test:');
    expect(text).toContain('smtp.starttls-missing');
    expect(text).toContain(
      '  buttons:\n    [Re-check] (type: recheck console.test)\n    [Note for their admin] (type: note console.test)\n    [What changed] (type: changes console.test)',
    );
  });

  it('answers help and bad input with the usage, checking nothing', async () => {
    started.length = 0;
    const text = await session('help\nmailcheck\nmailcheck 192.0.2.1\nmailcheck a.test b.test\nfrobnicate\n');
    expect(text).toContain('mailcheck <domain or address>: why does mail to them fail?');
    expect(text).toContain(
      'Name a domain or an address to check.\nUsage: mailcheck <domain or address>, e.g. mailcheck partner.com',
    );
    expect(text).toContain('"192.0.2.1" is an IP address');
    expect(text).toContain('One domain or address at a time (got "a.test b.test").');
    expect(text).toContain('Unknown command "frobnicate".');
    expect(started).toEqual([]);
  });

  it('writes the note for their admin into the thread, with commands that reproduce each finding', async () => {
    const text = await session('mailcheck console.test\nnote console.test\n');
    const note = text.slice(text.lastIndexOf('[#1 thread]'));
    expect(note).toContain('Hello,');
    expect(note).toContain('swaks --to postmaster@console.test --server 127.0.0.112 --quit-after RCPT --tls');
    expect(note).toContain('Thank you.');
  });

  it('joins a check of the same domain that is already running instead of probing twice', async () => {
    started.length = 0;
    const shared = deps();
    const input = new PassThrough();
    const output = new PassThrough();
    let text = '';
    output.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const { handleMailcheck } = await import('../../commands/mailcheck.js');
    const { createConsoleConversation } = await import('../../src/chat/console/console-chat.js');
    const first = createConsoleConversation(output);
    const second = createConsoleConversation(output);
    await Promise.all([
      handleMailcheck('console.test', first, shared),
      handleMailcheck('console.test', second, shared),
    ]);
    input.end();
    expect(started).toEqual(['console.test']);
    expect(text.match(/== console\.test: (OK|WARN|FAIL|ERROR) ==/g)).toHaveLength(2);
  });
});
