import type { CheckContext } from './check.js';
import type { MailServerAddress } from './domain-facts.js';
import type { SmtpProbeRequest, SmtpProbeResult, SmtpProber } from './smtp-port.js';

/** A follow-up probe scheduled for later, and how to read its result. */
export interface ScheduledFollowUp {
  readonly id: string;
  /** ISO 8601. */
  readonly dueAt: string;
}

/**
 * Schedules the same probe again later, for a greylisting 4xx: senders that retry get through
 * after the delay, and the follow-up shows whether this one would. The queue adapter implements
 * it with a delayed job; a run without a queue has none.
 */
export interface FollowUpScheduler {
  schedule(request: SmtpProbeRequest, delayMs: number): Promise<ScheduledFollowUp>;
}

/** How this run talks SMTP; absent for a DNS-only run. */
export interface SmtpSettings {
  readonly prober: SmtpProber;
  /** 25, except for test beds. */
  readonly port: number;
  readonly heloName: string;
  readonly followUps?: { readonly scheduler: FollowUpScheduler; readonly delayMs: number };
  /** Probe afresh, past any cache of recent results (Re-check). */
  readonly fresh?: boolean;
}

export interface MailServerSession {
  readonly server: MailServerAddress;
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
 * opened for the most preferred name (its SNI); every other name at that address gets the same
 * result with its own name, so the certificate is still matched against each. Undefined when the
 * run has no SMTP settings.
 */
export function mailServerSessions(context: CheckContext): Promise<readonly MailServerSession[]> | undefined {
  const smtp = context.smtp;
  if (!smtp) return undefined;
  return context.facts.once('smtp-sessions', async () => {
    const servers = await context.facts.mailServers();
    const probes = new Map<string, Promise<{ result: SmtpProbeResult; followUp?: ScheduledFollowUp }>>();
    const addresses = new Set(servers.map((s) => s.address)).size;
    let done = 0;
    context.onMailServerProbed?.(done, addresses);
    const probeAddress = async (server: MailServerAddress) => {
      const request = { mxHost: server.host, address: server.address, port: smtp.port, heloName: smtp.heloName, mailFrom: '', recipient: context.target.recipient };
      const result = await smtp.prober.probe(request, { fresh: smtp.fresh ?? false });
      context.onMailServerProbed?.(++done, addresses);
      const followUps = smtp.followUps;
      if (!followUps || !rcptDeferred(result)) return { result };
      // A follow-up that cannot be scheduled (the queue went away) must not cost the session itself.
      const followUp = await followUps.scheduler.schedule(request, followUps.delayMs).catch(() => undefined);
      return followUp ? { result, followUp } : { result };
    };
    return Promise.all(
      // mailServers() is in preference order, so the first name seen at an address is its most preferred.
      servers.map(async (server): Promise<MailServerSession> => {
        let probe = probes.get(server.address);
        if (!probe) {
          probe = probeAddress(server);
          probes.set(server.address, probe);
        }
        const { result, followUp } = await probe;
        const own = result.request.mxHost === server.host ? result : { ...result, request: { ...result.request, mxHost: server.host } };
        return followUp ? { server, result: own, followUp } : { server, result: own };
      }),
    );
  });
}
