/**
 * A DNSSEC test bed on loopback: a root zone signed at test time by dnssec-signzone, carrying the
 * delegations a test names and served by Knot; the partner zones served by more Knot servers (or
 * other servers) on the root's port, so every zone cut is a real referral; and a validating Unbound
 * with the root's KSK as its trust anchor and stub zones pointing at those servers, as the run's
 * recursive resolver. A test compares mxops's verdict with Unbound's: SERVFAIL where mxops says
 * bogus, NOERROR with AD where it says secure, NOERROR without AD where it says insecure.
 */
import { systemClock } from '../../src/clock.js';
import { expect } from 'vitest';
import { parseCheckTarget } from '../../src/diagnosis/check-target.js';
import type { Check } from '../../src/diagnosis/check.js';
import { diagnose, type DiagnosisReport } from '../../src/diagnosis/diagnose.js';
import type { LookupSettings } from '../../src/diagnosis/dns-lookups.js';
import type { QueryType } from '../../src/diagnosis/dns-port.js';
import { parseTrustAnchors } from '../../src/diagnosis/dnssec/trust-anchors.js';
import type { Finding } from '../../src/diagnosis/finding.js';
import type { SmtpProber } from '../../src/diagnosis/smtp-port.js';
import { createDnsClient } from '../../src/net/dns-client.js';
import { signZone } from './dnssec-zone.js';
import { startKnot, type KnotZone, type RunningKnot } from './knot-server.js';
import { loopbackLookup } from './loopback-lookup.js';
import { startUnbound, type RunningUnbound } from './unbound-server.js';

const DAY = 86_400;

export type Security = 'secure' | 'insecure' | 'bogus';

export interface BedServer {
  /** A loopback address: 127.x.y.z or ::1. */
  readonly address: string;
  readonly zones: readonly KnotZone[];
}

export interface Stoppable {
  stop(): Promise<void>;
}

export interface DnssecBedOptions {
  /** Where the root's Knot listens: the root hint. */
  readonly root: string;
  /** Where Unbound listens: the run's resolver. */
  readonly resolver: string;
  /** Lines the root zone carries below its own SOA and NS: each delegation's NS, glue and DS. */
  readonly delegations: readonly string[];
  /** Knot servers for the zones below the root, started on the root's port. */
  readonly servers: readonly BedServer[];
  /** Other servers on the root's port (a rewriting proxy), started before Unbound. */
  readonly more?: (port: number) => Promise<readonly Stoppable[]>;
  /** Zone -> the address of a server for it, for Unbound's stub zones (the port is the bed's). */
  readonly stubs: Readonly<Record<string, string>>;
}

export interface DnssecBed {
  readonly port: number;
  /** The root KSK's DNSKEY line: what MXOPS_TRUST_ANCHORS and Unbound's trust-anchor-file read. */
  readonly anchors: string;
  /** Settings for a diagnosis that starts at the bed's root, trusts its anchor and asks Unbound. */
  readonly lookup: LookupSettings;
  diagnose(domain: string, checks: readonly Check[], prober?: SmtpProber): Promise<DiagnosisReport>;
  /** What the validating Unbound answers for `name` `type`, asked with DO. */
  unboundSays(name: string, type?: QueryType): Promise<Security>;
  stop(): Promise<void>;
}

/** NS and glue (A or AAAA by the address) for `ns.<origin>`, and the DS lines when the zone is signed. */
export function delegationTo(origin: string, address: string, ds = ''): string[] {
  const zone = origin.replace(/\.$/, '');
  return [`${zone}. NS ns.${zone}.`, `ns.${zone}. ${address.includes(':') ? 'AAAA' : 'A'} ${address}`, ds].filter(
    (line) => line.trim() !== '',
  );
}

/** An address as Unbound's stub-addr and Knot's listen read it: `addr@port`. */
const at = (address: string, port: number): string => `${address}@${port}`;

export async function startDnssecBed(options: DnssecBedOptions): Promise<DnssecBed> {
  const rootZone = signZone({
    origin: '.',
    body: [
      '@ SOA a.root.test. hostmaster.root.test. 1 3600 600 604800 300',
      '@ NS a.root.test.',
      `a.root.test. A ${options.root}`,
      ...options.delegations,
    ].join('\n'),
    expiration: 30 * DAY,
  });
  const anchors = rootZone.kskLine;
  const started: Stoppable[] = [];
  const stop = async (): Promise<void> => {
    for (const server of started.reverse()) await server.stop();
  };
  try {
    const root: RunningKnot = await startKnot({
      address: options.root,
      zones: [{ origin: '.', zoneText: rootZone.text }],
    });
    started.push(root);
    for (const server of options.servers)
      started.push(await startKnot({ address: server.address, port: root.port, zones: [...server.zones] }));
    started.push(...((await options.more?.(root.port)) ?? []));
    const unbound: RunningUnbound = await startUnbound({
      address: options.resolver,
      port: root.port,
      anchors,
      stubs: {
        '.': at(options.root, root.port),
        ...Object.fromEntries(Object.entries(options.stubs).map(([zone, address]) => [zone, at(address, root.port)])),
      },
    });
    started.push(unbound);
    const lookup = loopbackLookup(options.resolver, root.port, 2000, {
      rootHints: [{ host: 'a.root.test', address: options.root }],
      trustAnchors: parseTrustAnchors(anchors, 'test anchor'),
    });
    return {
      port: root.port,
      anchors,
      lookup,
      diagnose: (domain, checks, prober) =>
        diagnose(parseCheckTarget(domain), {
          dns: createDnsClient(),
          lookup,
          clock: systemClock,
          checks: [...checks],
          ...(prober ? { smtp: { prober, port: 25, heloName: 'mxops.test' } } : {}),
        }),
      unboundSays: (name, type = 'MX') => resolverSays(options.resolver, root.port, name, type),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** SERVFAIL from a validating resolver is its bogus; NOERROR with AD its secure, without AD its insecure. */
export async function resolverSays(address: string, port: number, name: string, type: QueryType): Promise<Security> {
  const reply = await createDnsClient().query(
    { server: { host: address, port }, name, type, transport: 'udp', edns: { udpSize: 1232, dnssecOk: true } },
    { timeoutMs: 3000, retries: 1 },
  );
  if (reply.rcode === 'SERVFAIL') return 'bogus';
  expect(reply.rcode).toBe('NOERROR');
  return reply.flags.ad ? 'secure' : 'insecure';
}

/** mxops's verdict for one RRset ("MX partner.test"), from the dnssec.* finding that names it. */
export function mxopsSays(report: DiagnosisReport, rrset: string): Security | 'indeterminate' {
  const about = (f: Finding): boolean => Array.isArray(f.evidence.rrsets) && f.evidence.rrsets.includes(rrset);
  const id = report.findings.find((f) => f.id.startsWith('dnssec.') && about(f))?.id;
  const verdicts: Record<string, Security> = {
    'dnssec.secure': 'secure',
    'dnssec.insecure': 'insecure',
    'dnssec.bogus': 'bogus',
  };
  return verdicts[id ?? ''] ?? 'indeterminate';
}

/** The dnssec.* findings, for a failure message that shows what mxops saw. */
export function dnssecFindingsOf(report: DiagnosisReport): string {
  return JSON.stringify(
    report.findings.filter((f) => f.id.startsWith('dnssec.')),
    null,
    1,
  );
}
