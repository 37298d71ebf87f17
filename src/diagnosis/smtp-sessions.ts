import type { CheckContext } from './check.js';
import type { MailServerAddress } from './domain-facts.js';
import type { SmtpProbeResult } from './smtp-port.js';
import type { ScheduledFollowUp } from './smtp-settings.js';

export interface MailServerSession {
  readonly server: MailServerAddress;
  /** Every MX name that points at this address, most preferred first: one session serves them all. */
  readonly hosts: readonly string[];
  readonly result: SmtpProbeResult;
  /** Set when RCPT drew a temporary failure and a follow-up probe was scheduled. */
  readonly followUp?: ScheduledFollowUp;
}

/** RCPT deferred with a 4xx other than 421 (which is the server closing on us, not the recipient). */
export function rcptDeferred(result: SmtpProbeResult): boolean {
  const code = result.rcpt?.code;
  return code !== undefined && code >= 400 && code < 500 && code !== 421;
}

/**
 * One SMTP session per distinct mail server address, all at once, shared by every check that
 * needs one (smtp, tls, dane, the sender model): a server is never asked twice in one run, however
 * many MX names point at it (12 names on 2 addresses are 2 sessions, not 24). The session is
 * opened for the most preferred name (its SNI) and the certificate is matched against every name
 * at the address. Each name gets a session of its own here, with its name and its own name match,
 * for the checks that judge per name (DANE's TLSA records are per name); `perAddress` gives the
 * one per address. Undefined when the run has no SMTP settings.
 */
export function mailServerSessions(context: CheckContext): Promise<readonly MailServerSession[]> | undefined {
  const smtp = context.smtp;
  if (!smtp) return undefined;
  return context.facts.once('smtp-sessions', async () => {
    const servers = await context.facts.mailServers();
    // mailServers() is in preference order, so the first name seen at an address is its most preferred.
    const hostsAt = new Map<string, string[]>();
    for (const server of servers) hostsAt.set(server.address, [...(hostsAt.get(server.address) ?? []), server.host]);
    const probes = new Map<string, Promise<{ result: SmtpProbeResult; followUp?: ScheduledFollowUp }>>();
    let done = 0;
    context.onMailServerProbed?.(done, hostsAt.size);
    const probeAddress = async (server: MailServerAddress) => {
      const alsoNames = (hostsAt.get(server.address) ?? []).filter((host) => host !== server.host);
      const request = {
        mxHost: server.host,
        address: server.address,
        port: smtp.port,
        heloName: smtp.heloName,
        mailFrom: '',
        recipient: context.target.recipient,
        ...(alsoNames.length > 0 ? { alsoNames } : {}),
      };
      const result = await smtp.prober.probe(request, { fresh: smtp.fresh ?? false });
      context.onMailServerProbed?.(++done, hostsAt.size);
      const followUps = smtp.followUps;
      if (!followUps || !rcptDeferred(result)) return { result };
      // A follow-up that cannot be scheduled (the queue went away) must not cost the session itself.
      const followUp = await followUps.scheduler.schedule(request, followUps.delayMs).catch(() => undefined);
      return followUp ? { result, followUp } : { result };
    };
    return Promise.all(
      servers.map(async (server): Promise<MailServerSession> => {
        let probe = probes.get(server.address);
        if (!probe) {
          probe = probeAddress(server);
          probes.set(server.address, probe);
        }
        const { result, followUp } = await probe;
        const session = {
          server,
          hosts: hostsAt.get(server.address) ?? [server.host],
          result: asSeenBy(result, server.host),
        };
        return followUp ? { ...session, followUp } : session;
      }),
    );
  });
}

/** The session's result as the MX name `host` sees it: its own name, and whether the certificate matches it. */
function asSeenBy(result: SmtpProbeResult, host: string): SmtpProbeResult {
  if (result.request.mxHost === host) return result;
  const tls = result.tls?.matchingNames
    ? { ...result.tls, nameMatches: result.tls.matchingNames.includes(host) }
    : result.tls;
  return { ...result, request: { ...result.request, mxHost: host }, tls };
}

/** One session per address (its most preferred name's), for the checks that judge the server rather than a name. */
export function perAddress(sessions: readonly MailServerSession[]): MailServerSession[] {
  const seen = new Set<string>();
  return sessions.filter((session) => !seen.has(session.server.address) && seen.add(session.server.address));
}
