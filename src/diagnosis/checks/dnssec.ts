import { systemClock, wallDate } from '../../clock.js';
import type { Check, CheckContext } from '../check.js';
import { dnssecFindings } from '../dnssec/dnssec-findings.js';
import { validateMailPath } from '../dnssec/mail-path.js';
import type { Finding } from '../finding.js';

/**
 * DNSSEC (RFC 4033-4035, 5155, 6840): validates the mail path (MX, the MX hosts' addresses and
 * TLSA) from the trust anchor, asking each zone's own servers, and says who a broken chain stops:
 * senders behind validating resolvers get SERVFAIL and defer, the rest deliver.
 */
export const dnssecCheck: Check = {
  name: 'dnssec',
  async run(context: CheckContext): Promise<Finding[]> {
    const path = await validateMailPath(context);
    return dnssecFindings(context.domain, path, wallDate(context.clock ?? systemClock));
  },
};
