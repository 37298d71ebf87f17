import type { DnsLookups } from './dns-lookups.js';

/**
 * Sends the question every full check asks first, the domain's MX through the resolver (the mail
 * servers' facts start from it), before the checks that ask it are loaded: the answer is on its
 * way while they load, and their identical question shares the same packet (DnsLookups sends
 * each question once). Only for a run of every check: a run of a few (mxops bounce) may not ask it.
 */
export function askFirstQuestion(lookups: DnsLookups, domain: string): void {
  // The checks await this same outcome and see any failure; nothing is dropped here.
  lookups.recursive(domain, 'MX').catch(() => undefined);
}
