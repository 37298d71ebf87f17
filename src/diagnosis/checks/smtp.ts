import type { Check, CheckContext } from '../check.js';
import type { Finding } from '../finding.js';
import { judgeOutboundPort, judgeSession } from '../smtp-findings.js';
import { mailServerSessions, perAddress } from '../smtp-sessions.js';

/**
 * SMTP and TLS at every mail server address (DOMAIN.md §2), judged from the one session per
 * address the run shares: connect, greeting, EHLO, STARTTLS and the certificate, RCPT TO. Each
 * address is judged once, its findings naming every MX name that points at it; every address
 * gives at least one finding (`smtp.ok` when nothing is wrong). A DNS-only run has no
 * sessions and this check says nothing; no mail server address at all is the mx check's to report.
 */
export const smtpCheck: Check = {
  name: 'smtp',
  async run(context: CheckContext): Promise<Finding[]> {
    const pending = mailServerSessions(context);
    if (!pending) return [];
    const sessions = perAddress(await pending);
    // Without a clock, certificate expiry comes from the prober's trust verdict (CERT_HAS_EXPIRED).
    const options = context.clock ? { now: new Date(context.clock.wallMs()) } : {};
    return [
      ...sessions.flatMap((session) => judgeSession(session, options)),
      ...judgeOutboundPort(context.domain, sessions),
    ];
  },
};
