/** What `mxops check` and `mxops bounce` run checks with: the process's diagnosis deps, with the command line's probes. */
import type { CheckCommandDeps } from '../../commands/check.js';
import type { Config } from '../config.js';
import { formatServer } from '../diagnosis/dns-port.js';
import { diagnosisDeps } from './diagnosis-runner.js';
import { httpsFetcher } from './https-settings.js';
import type { Lifecycle } from './lifecycle.js';

/** `lifecycle` closes the probe queue of a --queue check; without one (benches, tests), --queue is refused. */
export function checkDeps(config: Config, quiet: boolean, lifecycle?: Lifecycle): CheckCommandDeps {
  return diagnosisDeps(config, {
    // The SMTP prober (and for --queue, BullMQ) loads only when a check probes mail servers.
    smtpFor: async (valid) => (await import('./smtp-settings.js')).smtpSettingsFor(config, valid, lifecycle),
    httpsFor: (valid) => httpsFetcher(config, valid.allowPrivate ?? false),
    onStart: (domain, resolver) => {
      // A check can take a while when servers are slow; say what is going on, on a terminal only.
      if (process.stderr.isTTY && !quiet)
        process.stderr.write(`Checking ${domain} from resolver ${formatServer(resolver)}...\n`);
    },
  });
}
