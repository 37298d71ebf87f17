import type { RequestListener } from 'node:http';
import type { Clock } from '../../clock.js';

/**
 * Slack signs X-Slack-Request-Timestamp together with the body, and a receiver should refuse a
 * timestamp too far from its clock so that a captured request cannot be replayed. Bolt 5.1
 * (receivers/verify-request.js) only refuses one more than 5 minutes in the past: a request dated
 * an hour ahead would verify, and replay, for an hour and five minutes. This refuses the future the
 * same way, before Bolt sees the request.
 */
export const MAX_REQUEST_SKEW_SECONDS = 5 * 60;

/** A missing, doubled or non-numeric header is left to Bolt, which refuses it. */
export function isDatedAhead(header: string | string[] | undefined, nowMs: number): boolean {
  if (typeof header !== 'string' || header.trim() === '') return false;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds > Math.floor(nowMs / 1000) + MAX_REQUEST_SKEW_SECONDS;
}

/** Wraps Bolt's HTTP listener: a request dated ahead gets 401 with no body, as a stale one does from Bolt. */
export function refuseRequestsDatedAhead(
  listener: RequestListener,
  clock: Clock,
  warn: (line: string) => void,
): RequestListener {
  return (req, res) => {
    const header = req.headers['x-slack-request-timestamp'];
    const nowMs = clock.wallMs();
    if (!isDatedAhead(header, nowMs)) return listener(req, res);
    warn(
      `refused a Slack request dated ${Number(header) - Math.floor(nowMs / 1000)} s ahead of this host's clock (a replay, or a clock out of step: check NTP)`,
    );
    res.writeHead(401).end();
  };
}
