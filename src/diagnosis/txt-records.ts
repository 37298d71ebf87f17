import type { QueryOutcome } from './dns-lookups.js';

/**
 * Each TXT record's text: its character-strings joined with nothing between, as SPF (RFC 7208
 * §3.3) and DMARC (RFC 7489 §6.6.3) both read long records split into 255-byte strings.
 */
export function txtRecords(outcome: QueryOutcome): string[] {
  if (!outcome.ok) return [];
  return outcome.reply.answers.flatMap((r) => (r.type === 'TXT' ? [r.strings.join('')] : []));
}
