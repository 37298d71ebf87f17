/**
 * What a whole session shows rather than one step: the software recognised, and `smtp.ok` when the
 * session got as far as an accepted RCPT TO with nothing that needs attention.
 */
import { finding, type Finding } from './finding.js';
import { recogniseMta, type SessionLine } from './mta-software.js';
import { formatReply } from './smtp-evidence.js';
import { extensionList, type Judged } from './smtp-judged-session.js';
import type { SmtpReply } from './smtp-port.js';

export function softwareFinding(j: Judged): Finding | undefined {
  const r = j.result;
  const lines = (source: SessionLine['source'], ...replies: (SmtpReply | undefined)[]): SessionLine[] =>
    replies.flatMap((reply) => (reply ? reply.lines.map((text) => ({ source, text })) : []));
  const recognised = recogniseMta([
    ...lines('banner', r.banner),
    ...lines('ehlo', r.ehlo, r.helo, r.ehloAfterTls),
    ...lines('reply', r.starttls, r.mail, r.rcpt),
  ]);
  if (!recognised) return undefined;
  const role =
    recognised.kind === 'filtering-service'
      ? ", a filtering service in front of the partner's own mail server"
      : recognised.kind === 'mailbox-provider'
        ? ', a hosted mailbox provider'
        : '';
  return finding({
    id: 'smtp.software',
    status: 'info',
    subject: j.label,
    summary: `${j.label} runs ${recognised.software}${role} (${recognised.confidence} confidence, from "${recognised.line}").`,
    evidence: {
      ...j.base,
      software: recognised.software,
      kind: recognised.kind,
      confidence: recognised.confidence,
      line: recognised.line,
      alsoSeen: recognised.alsoSeen,
    },
  });
}

export function okFinding(j: Judged): Finding {
  const r = j.result;
  const bannerMs = r.banner ? Math.round(r.banner.ms) : null;
  const protocol = r.tls?.ok ? (r.tls.protocol ?? 'TLS') : undefined;
  return finding({
    id: 'smtp.ok',
    status: 'pass',
    subject: j.label,
    summary: `${j.label} greeted in ${bannerMs} ms, ${protocol ? `negotiated ${protocol}` : 'spoke without TLS'} and accepted RCPT TO:<${r.request.recipient}>.`,
    evidence: {
      ...j.base,
      connectMs: r.connect?.ok ? Math.round(r.connect.ms) : null,
      bannerMs,
      tlsProtocol: protocol ?? null,
      cipher: r.tls?.cipher ?? null,
      extensions: extensionList(r),
      rcpt: r.rcpt ? formatReply(r.rcpt) : null,
      totalMs: Math.round(r.totalMs),
    },
  });
}
