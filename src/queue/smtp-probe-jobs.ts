import { createHash } from 'node:crypto';
import type { SmtpProbeRequest } from '../diagnosis/smtp-port.js';

/** One queue for SMTP probes: one job per mail server address (and recipient). */
export const SMTP_PROBE_QUEUE = 'smtp-probe';

/** Job data: the request only. It holds addresses and names, never credentials. */
export interface SmtpProbeJobData {
  readonly request: SmtpProbeRequest;
}

/**
 * The same probe always gets the same job id, so BullMQ adds it once while it is in flight or
 * kept as a recent result (deduplication and caching in one). Hashed because job ids may not
 * contain ':' and addresses do.
 */
export function smtpProbeJobId(request: SmtpProbeRequest): string {
  // The other names change what the result holds (which of them the certificate matches).
  const alsoNames = [...(request.alsoNames ?? [])].map((name) => name.toLowerCase()).sort();
  const key = [
    request.address,
    request.port,
    request.mxHost.toLowerCase(),
    request.heloName,
    request.mailFrom,
    request.recipient.toLowerCase(),
    ...alsoNames,
  ].join('\n');
  return `smtp-${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}

/** Checks job data that came through Redis: anything else is a bug or tampering, not worth a retry. */
export function readSmtpProbeJobData(data: unknown): SmtpProbeJobData | string {
  const request = (data as { request?: Record<string, unknown> } | null)?.request;
  if (!request || typeof request !== 'object') return 'job data has no request';
  for (const key of ['mxHost', 'address', 'heloName', 'mailFrom', 'recipient'] as const) {
    if (typeof request[key] !== 'string') return `request.${key} is not a string`;
  }
  if (
    request.alsoNames !== undefined &&
    !(Array.isArray(request.alsoNames) && request.alsoNames.every((name) => typeof name === 'string'))
  )
    return 'request.alsoNames is not a list of names';
  if (typeof request.port !== 'number' || !Number.isInteger(request.port) || request.port < 1 || request.port > 65_535)
    return 'request.port is not a port number';
  return { request: request as unknown as SmtpProbeRequest };
}
