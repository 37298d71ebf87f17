/**
 * Child process of round-trips.ts: bench.test with its two MX hosts as real SMTP servers with
 * STARTTLS, behind a link with a fixed one-way delay, on its own event loop as remote servers
 * would be. One link per delay given in argv (milliseconds one way), each on a port of its own on
 * the same addresses, so runs over the different links can alternate. Reports over IPC each
 * link's port (DNS and SMTP alike) and the test CA the certificates come from.
 *
 * Per link: UDP DNS answers are held for the round trip (test/support's server, `delayMs`); TCP,
 * DNS and SMTP alike, goes through a delaying-proxy.ts in front of servers that answer at once.
 */
import { startDelayingProxy, type DelayingProxy } from './delaying-proxy.js';
import { startDnsServers, type Zone } from '../test/support/dns-test-server.js';
import { createTestPki, startSmtpServer } from '../test/support/smtp-test-server.js';
import { BENCH_SERVERS } from './bench-zones.js';
import { MX_HOSTS, ROUND_TRIP_ZONES } from './round-trip-zones.js';

export interface LinkReady {
  readonly oneWayMs: number;
  readonly port: number;
}

export interface ServersReady {
  readonly links: readonly LinkReady[];
  readonly caCert: string;
}

const oneWayDelays = process.argv.slice(2).map(Number);
const closers: (() => Promise<void>)[] = [];

const [first, second] = MX_HOSTS;
// One CA issues both MX hosts' certificates: its "wrong name" leaf is the second host's own.
const pki = await createTestPki(first.name, second.name);
const certificates = [pki.valid, { key: pki.wrongName.key, cert: pki.wrongName.cert + pki.caCert }];
const smtpServers = await Promise.all(
  MX_HOSTS.map((host, i) => startSmtpServer({ name: host.name, certificate: certificates[i] })),
);
closers.push(...smtpServers.map((server) => () => server.close()));
// Every link's DNS over TCP goes to this one undelayed server: every bench server holds the same zones.
const tcpDns = await startDnsServers([{ address: '127.0.0.1', zones: ROUND_TRIP_ZONES }]);
closers.push(() => tcpDns.close());

/** UDP DNS servers on the bench addresses, then the TCP proxies on the same port; another port if one is taken. */
async function startLink(oneWayMs: number, zones: readonly Zone[]): Promise<LinkReady> {
  for (let attempt = 0; attempt < 20; attempt++) {
    // tcp: false leaves each address's TCP port to the proxy in front of tcpDns.
    const udp = await startDnsServers(
      BENCH_SERVERS.map((address) => ({ address, zones, behaviour: { delayMs: 2 * oneWayMs, tcp: false } })),
    );
    const proxies: DelayingProxy[] = [];
    try {
      for (const address of BENCH_SERVERS)
        proxies.push(
          await startDelayingProxy({
            listen: { host: address, port: udp.port },
            upstream: { host: '127.0.0.1', port: tcpDns.port },
            oneWayMs,
          }),
        );
      for (const [i, host] of MX_HOSTS.entries())
        proxies.push(
          await startDelayingProxy({
            listen: { host: host.address, port: udp.port },
            upstream: { host: '127.0.0.1', port: smtpServers[i]?.port ?? 0 },
            oneWayMs,
            connectAhead: true,
          }),
        );
      closers.push(() => udp.close(), ...proxies.map((proxy) => () => proxy.close()));
      return { oneWayMs, port: udp.port };
    } catch (error) {
      await Promise.all([udp.close(), ...proxies.map((proxy) => proxy.close())]);
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    }
  }
  throw new Error('no port free on every bench address after 20 tries');
}

const links: LinkReady[] = [];
for (const oneWayMs of oneWayDelays) links.push(await startLink(oneWayMs, ROUND_TRIP_ZONES));
process.send?.({ links, caCert: pki.caCert } satisfies ServersReady);
process.on('disconnect', () => void Promise.all(closers.map((close) => close())).then(() => process.exit(0)));
