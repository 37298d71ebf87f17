/**
 * Fan-out caps like a real MTA's (Postfix tries at most 5 addresses): a huge MX set must not make
 * a check a flood. A module of its own because config.ts reads the defaults, and loading
 * domain-facts.ts for two numbers would load half the diagnosis before a check's first packet.
 */
export interface MailServerLimits {
  readonly maxHosts: number;
  readonly maxAddresses: number;
}

export const DEFAULT_MAIL_SERVER_LIMITS: MailServerLimits = { maxHosts: 20, maxAddresses: 24 };
