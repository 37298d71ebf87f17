/**
 * What a sender family makes of the domain: it delivers (`ok`), it fails, or the evidence cannot
 * tell. Apart from senders.ts so that the SMTP rules (smtp-senders.ts), which senders.ts appends to
 * its own, can name it without importing senders.ts back.
 */
export type Verdict = 'ok' | 'fail' | 'unknown';
