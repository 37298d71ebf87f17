/**
 * An SMTP prober that opens one session per mail server address at a time, for a run that checks
 * many domains in one process: partners hosted at the same provider share its MX addresses, and
 * mail servers count connections per client ("421 too many connections"). The queue adapter does
 * the same across workers with a Redis lock (src/queue/destination-lock.ts).
 */
import type { SmtpProber } from '../diagnosis/smtp-port.js';
import { createKeyedLimit } from './keyed-limit.js';

export function oneSessionPerAddress(prober: SmtpProber): SmtpProber {
  const politely = createKeyedLimit(1);
  return { probe: (request, options) => politely(request.address, () => prober.probe(request, options)) };
}
