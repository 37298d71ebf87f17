import type { Check, CheckContext } from '../check.js';
import type { DomainFacts } from '../domain-facts.js';
import { recordValues } from '../domain-facts.js';
import { finding, type Finding } from '../finding.js';
import { inconclusive } from '../lookup-failure.js';
import { reverseName, sameAddress } from '../reverse-name.js';

/**
 * Forward-confirmed reverse DNS of every MX address. Receivers care about it for senders, but an
 * MX that is also the domain's outbound relay (common for small partners) is judged by it too.
 */
export const ptrCheck: Check = {
  name: 'ptr',
  async run({ domain, facts }: CheckContext): Promise<Finding[]> {
    const { records } = await facts.mx();
    // Only MX hosts, not the implicit MX (the domain's own address): that is a different check.
    const hosts = records.length === 0 ? [] : (await facts.mxHosts()).hosts.map((r) => r.exchange);
    const addressed = await Promise.all(hosts.map((host) => facts.addresses(host)));
    const targets = addressed.flatMap((h) => [...h.ipv4, ...h.ipv6].map((address) => ({ host: h.host, address })));
    const findings = (await Promise.all(targets.map(({ host, address }) => checkAddress(facts, host, address)))).flat();
    if (targets.length > 0 && findings.length === 0) {
      findings.push(
        finding({
          id: 'ptr.ok',
          status: 'pass',
          subject: domain,
          summary: `All ${targets.length} MX address${targets.length === 1 ? ' has' : 'es have'} a PTR record that resolves back to the address.`,
          evidence: { addresses: targets.map((t) => t.address) },
        }),
      );
    }
    return findings;
  },
};

async function checkAddress(facts: DomainFacts, host: string, address: string): Promise<Finding[]> {
  const name = reverseName(address);
  const outcome = await facts.dns.recursive(name, 'PTR');
  const failed = inconclusive(outcome, address, 'ptr');
  if (failed) return [failed];
  const ptrNames = outcome.ok ? recordValues(outcome.reply.answers, 'PTR') : [];
  if (ptrNames.length === 0) {
    return [
      finding({
        id: 'ptr.missing',
        status: 'warn',
        subject: address,
        summary: `${address} (${host}) has no PTR record; many receivers reject or score down mail from addresses without reverse DNS.`,
        evidence: { host, address, qname: name, rcode: outcome.ok ? outcome.reply.rcode : null },
        remedy: `Ask whoever holds the address block (the hosting provider) to set the PTR of ${address} to ${host}.`,
        ref: 'RFC 1912 §2.1; M3AAWG outbound guidelines',
      }),
    ];
  }
  const forward = await Promise.all(ptrNames.map((ptr) => facts.addresses(ptr)));
  if (forward.some((f) => [...f.ipv4, ...f.ipv6].some((a) => sameAddress(a, address)))) return [];
  const unsettled = forward.flatMap((f) =>
    [inconclusive(f.a, f.host, 'ptr'), inconclusive(f.aaaa, f.host, 'ptr')].filter(
      (x): x is Finding => x !== undefined,
    ),
  );
  if (unsettled.length > 0) return unsettled;
  return [
    finding({
      id: 'ptr.mismatch',
      status: 'warn',
      subject: address,
      summary: `${address} (${host}) has PTR ${ptrNames.join(', ')}, which does not resolve back to ${address} (not forward-confirmed).`,
      evidence: {
        host,
        address,
        ptr: ptrNames,
        forward: Object.fromEntries(forward.map((f) => [f.host, [...f.ipv4, ...f.ipv6]])),
      },
      remedy: `Make the PTR name of ${address} resolve to ${address} (an A/AAAA record), or change the PTR to a name that does.`,
      ref: 'RFC 8601 §3 (iprev); RFC 1912 §2.1',
    }),
  ];
}
