/** What `mxops check` and `mxops bounce` run checks with. */
import { getServers } from 'node:dns';
import { performance } from 'node:perf_hooks';
import type { CheckCommandDeps } from '../../commands/check.js';
import type { Config } from '../config.js';
import { formatServer, type DnsServer } from '../diagnosis/dns-port.js';
import { parseHostPort } from '../host-port.js';
import { createDnsClient } from '../net/dns-client.js';
import { httpsFetcher } from './https-settings.js';

export function checkDeps(config: Config, quiet: boolean): CheckCommandDeps {
  return {
    config,
    dns: createDnsClient(),
    now: () => performance.now(),
    // The SMTP prober (and for --queue, BullMQ) loads only when a check probes mail servers.
    smtpFor: async (valid) => (await import('./smtp-settings.js')).smtpSettings(config, valid),
    httpsFor: (valid) => httpsFetcher(config, valid.allowPrivate ?? false),
    clock: () => new Date(),
    onStart: (domain, resolver) => {
      // A check can take a while when servers are slow; say what is going on, on a terminal only.
      if (process.stderr.isTTY && !quiet)
        process.stderr.write(`Checking ${domain} from resolver ${formatServer(resolver)}...\n`);
    },
    systemResolver,
  };
}

export function systemResolver(): DnsServer | undefined {
  const first = getServers()[0];
  return first === undefined ? undefined : parseHostPort(first, 53, 'the system resolver');
}
