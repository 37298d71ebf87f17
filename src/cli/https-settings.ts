/** How the MTA-STS check fetches policies, for every command that runs checks. */
import type { Config } from '../config.js';
import type { HttpsFetcher } from '../diagnosis/https-port.js';

/**
 * The policy fetcher under the SMTP probes' address rule (MXOPS_ALLOW_PRIVATE_TARGETS, or
 * --allow-private for this process), with node:https and node:tls loaded at the first fetch: a
 * DNS-only check never loads them.
 */
export function httpsFetcher(config: Config, allowPrivate: boolean): HttpsFetcher {
  let fetcher: Promise<HttpsFetcher> | undefined;
  return {
    fetch: async (url, options) => {
      fetcher ??= import('../net/https-fetcher.js').then(({ createHttpsFetcher }) =>
        createHttpsFetcher({ allowPrivateTargets: config.smtp.allowPrivateTargets || allowPrivate }),
      );
      return (await fetcher).fetch(url, options);
    },
  };
}
