import type { DomainFacts } from './domain-facts.js';
import type { HttpsFailure } from './https-port.js';
import { settledNothing } from './lookup-failure.js';

/**
 * The addresses of the MTA-STS policy host, resolved like every other name of the run (its
 * resolver, so --resolver and MXOPS_RESOLVER cover it; its query budget; the delegation walk when
 * the resolver settles nothing), or the failure that leaves nothing to fetch from. A second
 * resolver (the system's) could give a split-DNS site's other answer.
 */
export async function policyHostAddresses(
  facts: DomainFacts,
  host: string,
  url: string,
): Promise<{ readonly ok: true; readonly addresses: readonly string[] } | HttpsFailure> {
  const found = await facts.addresses(host);
  const addresses = [...found.ipv4, ...found.ipv6];
  if (addresses.length > 0) return { ok: true, addresses };
  // One family's time-out leaves "no address" undecided: the other may have had one.
  const unsettled = [found.a, found.aaaa].find(settledNothing);
  if (unsettled)
    return {
      ok: false,
      url,
      failure: 'name-lookup-failed',
      code: unsettled.ok ? unsettled.reply.rcode : unsettled.error.code,
      detail: unsettled.ok
        ? `${unsettled.reply.query.type} ${host}: ${unsettled.reply.rcode}`
        : unsettled.error.message,
      ms: 0,
    };
  const rcode = found.a.ok ? found.a.reply.rcode : undefined;
  return { ok: false, url, failure: 'name-not-found', code: rcode, detail: `${host} has no A or AAAA record`, ms: 0 };
}
