import type { CheckContext } from './check.js';
import type { MailServerAddress } from './domain-facts.js';
import type { SmtpProbeResult, SmtpProber } from './smtp-port.js';

/** How this run talks SMTP; absent for a DNS-only run. */
export interface SmtpSettings {
  readonly prober: SmtpProber;
  /** 25, except for test beds. */
  readonly port: number;
  readonly heloName: string;
}

export interface MailServerSession {
  readonly server: MailServerAddress;
  readonly result: SmtpProbeResult;
}

/**
 * One SMTP session per mail server address, all at once, shared by every check that needs one
 * (smtp, tls, dane, the sender model): a server is never asked twice in one run. Undefined when
 * the run has no SMTP settings.
 */
export function mailServerSessions(context: CheckContext): Promise<readonly MailServerSession[]> | undefined {
  const smtp = context.smtp;
  if (!smtp) return undefined;
  return context.facts.once('smtp-sessions', async () => {
    const servers = await context.facts.mailServers();
    return Promise.all(
      servers.map(async (server) => ({
        server,
        result: await smtp.prober.probe({ mxHost: server.host, address: server.address, port: smtp.port, heloName: smtp.heloName, mailFrom: '', recipient: context.target.recipient }),
      })),
    );
  });
}
