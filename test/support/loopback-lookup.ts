/** Lookup settings for a test bed on loopback: the resolver's server also stands in for the root. */
import { DEFAULT_MAX_QUERIES, type LookupSettings } from '../../src/diagnosis/dns-lookups.js';

/**
 * `resolver` answers recursive queries and, as the root hint, the delegation walk's first question;
 * every server listens on `port`. Private targets are allowed: everything here is 127.0.0.0/8.
 */
export function loopbackLookup(
  resolver: string,
  port: number,
  timeoutMs: number,
  overrides: Partial<LookupSettings> = {},
): LookupSettings {
  return {
    resolver: { host: resolver, port },
    authoritativePort: port,
    queryOptions: { timeoutMs, retries: 0 },
    rootHints: [{ host: 'root.test', address: resolver }],
    allowPrivateTargets: true,
    maxQueries: DEFAULT_MAX_QUERIES,
    ...overrides,
  };
}
