/**
 * Child process of slash-burst.ts: the resolver, the authoritative server and one smtp-server
 * with STARTTLS per MX host (slash-burst-zones.ts), on their own event loop as remote servers
 * would be. Sends { dnsPort, smtpPort, caCert } when ready; answers { report: true } with what the
 * servers saw; closes everything when the parent disconnects.
 */
import { startDnsServers } from '../test/support/dns-test-server.js';
import { createTestPki, startSmtpServers } from '../test/support/smtp-test-server.js';
import { burstDnsServers, burstDomains, MAIL_ZONE, MX_CERT_NAME } from './slash-burst-zones.js';

export interface ServersReady {
  readonly dnsPort: number;
  readonly smtpPort: number;
  /** The test CA that issued the MX hosts' certificate, PEM. */
  readonly caCert: string;
}

export interface ServersReport {
  readonly dnsQueries: number;
  readonly smtpConnections: number;
  /** CPU time of this process so far, user and system. */
  readonly cpuMs: number;
}

const { warmup, solo, domains } = burstDomains(Number(process.argv[2] ?? 20));
const all = [warmup, solo, ...domains];
const pki = await createTestPki(MX_CERT_NAME, `other.${MAIL_ZONE}`);
const dns = await startDnsServers(burstDnsServers(all));
const smtp = await startSmtpServers(all.map((d) => ({ address: d.address, name: d.mxHost, certificate: pki.valid })));

process.on('message', (message: { report?: boolean }) => {
  if (!message.report) return;
  const report: ServersReport = {
    dnsQueries: dns.servers.reduce((sum, s) => sum + s.queries.length, 0),
    smtpConnections: smtp.servers.reduce((sum, s) => sum + s.connections(), 0),
    cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
  };
  process.send?.(report);
});
process.on('disconnect', () => void Promise.all([dns.close(), smtp.close()]).then(() => process.exit(0)));
const ready: ServersReady = { dnsPort: dns.port, smtpPort: smtp.port, caCert: pki.caCert };
process.send?.(ready);
