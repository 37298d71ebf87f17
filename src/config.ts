import type { DnsServer } from './diagnosis/dns-port.js';
import { AppError, isAppError } from './errors.js';
import { parseHostPort } from './host-port.js';

/** Every setting mxops reads, parsed and validated once (DESIGN.md, "Config parsed once"). */
export interface Config {
  /** The recursive resolver for the first lookups; undefined means the system's (/etc/resolv.conf). */
  readonly resolver: DnsServer | undefined;
  readonly dnsTimeoutMs: number;
  readonly dnsRetries: number;
  /** Port of authoritative servers: 53, or another for a test bed of local nameservers. */
  readonly authoritativePort: number;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads the MXOPS_* keys (see .env.example). Collects every problem before failing, so a broken
 * deployment is fixed in one round, and names the key and the fix for each.
 */
export function loadConfig(env: Env): Config {
  const problems: string[] = [];
  const read = <T>(key: string, fallback: T, parse: (text: string) => T): T => {
    const raw = env[key];
    if (raw === undefined || raw.trim() === '') return fallback;
    try {
      return parse(raw.trim());
    } catch (error) {
      problems.push(`${key}: ${isAppError(error) ? error.message : String(error)}`);
      return fallback;
    }
  };
  const config: Config = {
    resolver: read<DnsServer | undefined>('MXOPS_RESOLVER', undefined, (text) => parseHostPort(text, 53, 'the resolver')),
    dnsTimeoutMs: read('MXOPS_DNS_TIMEOUT_MS', 2000, (text) => parseInteger(text, 50, 60_000, 'milliseconds per DNS query')),
    dnsRetries: read('MXOPS_DNS_RETRIES', 1, (text) => parseInteger(text, 0, 5, 'retries after a DNS time-out')),
    authoritativePort: read('MXOPS_DNS_PORT', 53, (text) => parseInteger(text, 1, 65_535, 'a port')),
  };
  if (problems.length > 0) throw new AppError('BAD_CONFIG', `configuration has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n  ${problems.join('\n  ')}`);
  return config;
}

export function parseInteger(text: string, min: number, max: number, what: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new AppError('BAD_INPUT', `"${text}" is not a whole number from ${min} to ${max} (${what})`);
  }
  return value;
}
