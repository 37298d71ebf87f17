/**
 * Sessions that ended before a step we expected to judge: time-outs, dropped connections,
 * protocol errors, and probes that stopped without saying why. Each says where it ended, so no
 * later step is reported as missing.
 */
import { finding, type Finding } from './finding.js';
import { blockedUs } from './smtp-blocked-us-finding.js';
import { lastLines, waitedSinceLastCommand } from './smtp-evidence.js';
import { STEP_NAMES, type Judged } from './smtp-judged-session.js';
import type { SmtpStep } from './smtp-port.js';
import { handshakeFailed } from './smtp-starttls-findings.js';

/** Where the session ended when a step we expected has no reply. */
export function ended(j: Judged, step: SmtpStep): Finding {
  const abort = j.result.abort;
  if (!abort) return incomplete(j, step);
  switch (abort.reason) {
    case 'timeout':
    case 'total-timeout':
      return commandTimeout(j);
    case 'closed':
      if (abort.step === 'tls') return handshakeFailed(j, j.result.tls);
      if (abort.step === 'ehlo' || abort.step === 'helo') return blockedUs(j, abort.step, 'closed', undefined);
      return connectionLost(j, abort.step, abort.detail);
    case 'error':
      return abort.step === 'tls' ? handshakeFailed(j, j.result.tls) : connectionLost(j, abort.step, abort.detail);
    default:
      return protocolError(j, abort.step, abort.detail);
  }
}

export function incomplete(j: Judged, step: SmtpStep): Finding {
  const abort = j.result.abort;
  return finding({
    id: 'smtp.probe-incomplete',
    status: 'error',
    subject: j.label,
    summary: `The probe of ${j.label} stopped before ${STEP_NAMES[step]}${abort ? ` (${abort.detail})` : ' without saying why'}, so this could not be checked.`,
    evidence: {
      ...j.base,
      step,
      abort: abort ? { step: abort.step, reason: abort.reason, detail: abort.detail } : null,
      transcript: lastLines(j.result),
    },
    remedy: 'Re-run; if it persists, report it as an mxops bug with this evidence.',
  });
}

export function commandTimeout(j: Judged): Finding {
  const abort = j.result.abort;
  const step = abort?.step ?? 'quit';
  return finding({
    id: 'smtp.command-timeout',
    status: 'error',
    subject: j.label,
    summary: `${j.label} did not answer ${STEP_NAMES[step]} in time (${abort?.detail ?? 'time-out'}): slow is not broken, so this could not be checked.`,
    evidence: {
      ...j.base,
      step,
      reason: abort?.reason ?? 'timeout',
      detail: abort?.detail ?? null,
      waitedMs: waitedSinceLastCommand(j.result),
      transcript: lastLines(j.result),
    },
    remedy: 'Re-run; if it is only slow, raise MXOPS_SMTP_COMMAND_TIMEOUT_MS (or MXOPS_SMTP_TOTAL_TIMEOUT_MS).',
    ref: 'RFC 5321 §4.5.3.2',
  });
}

export function connectionLost(j: Judged, step: SmtpStep, detail: string): Finding {
  return finding({
    id: 'smtp.connection-lost',
    status: 'error',
    subject: j.label,
    summary: `The connection to ${j.label} ended at ${STEP_NAMES[step]} (${detail}); we could not tell why.`,
    evidence: { ...j.base, step, detail, transcript: lastLines(j.result) },
    remedy: "Re-run; if it persists, the server's log says why it dropped the session.",
    ref: 'RFC 5321 §3.8',
  });
}

export function protocolError(j: Judged, step: SmtpStep, detail: string): Finding {
  return finding({
    id: 'smtp.protocol-error',
    status: 'fail',
    subject: j.label,
    summary: `${j.label} broke the SMTP protocol at ${STEP_NAMES[step]}: ${detail}.`,
    evidence: { ...j.base, step, detail, transcript: lastLines(j.result) },
    remedy:
      'Look for a proxy, firewall inspection or broken server build between senders and the mail server; the transcript shows what it sent.',
    ref: step === 'ehlo-after-tls' ? 'RFC 3207 §4.2' : 'RFC 5321 §4.2, §4.5.3.1',
  });
}
