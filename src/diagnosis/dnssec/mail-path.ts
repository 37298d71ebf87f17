/**
 * The RRsets a sender's resolver must validate to deliver (RFC 7672 §2.2): the domain's MX, the
 * A and AAAA of each MX host, and each host's TLSA; validated once per run, whichever check asks.
 */
import { systemClock } from '../../clock.js';
import type { CheckContext } from '../check.js';
import type { MxRecord } from '../domain-facts.js';
import { DnssecValidator } from './validator.js';
import { BUILT_IN_TRUST_ANCHORS } from './trust-anchors.js';
import type { Validation } from './validation.js';

export interface HostValidations {
  readonly host: string;
  readonly a: Validation;
  readonly aaaa: Validation;
  readonly tlsa: Validation;
}

export interface MailPathValidations {
  readonly mx: Validation;
  readonly hosts: readonly HostValidations[];
}

export function validatorFor(context: Pick<CheckContext, 'facts' | 'dns' | 'clock'>): Promise<DnssecValidator> {
  return context.facts.once(
    'dnssec:validator',
    async () =>
      new DnssecValidator(
        context.dns,
        context.facts.walker,
        context.dns.settings.trustAnchors ?? BUILT_IN_TRUST_ANCHORS,
        context.clock ?? systemClock,
      ),
  );
}

/** The TLSA base name of an MX host for SMTP (RFC 7672 §2.2.3). */
export function tlsaName(host: string): string {
  return `_25._tcp.${host.replace(/\.$/, '')}`;
}

export function validateHost(validator: DnssecValidator, host: string): Promise<HostValidations> {
  return Promise.all([
    validator.validate(host, 'A'),
    validator.validate(host, 'AAAA'),
    validator.validate(tlsaName(host), 'TLSA'),
  ]).then(([a, aaaa, tlsa]) => ({ host, a, aaaa, tlsa }));
}

export function validateMailPath(context: CheckContext): Promise<MailPathValidations> {
  return context.facts.once('dnssec:mail-path', async () => {
    const validator = await validatorFor(context);
    const mx = validator.validate(context.domain, 'MX');
    const { hosts } = await context.facts.mxHosts();
    const perHost = await Promise.all(uniqueHosts(hosts).map((host) => validateHost(validator, host)));
    return { mx: await mx, hosts: perHost };
  });
}

function uniqueHosts(hosts: readonly MxRecord[]): string[] {
  return [
    ...new Map(hosts.map((h) => [h.exchange.toLowerCase().replace(/\.$/, ''), h.exchange.replace(/\.$/, '')])).values(),
  ];
}
