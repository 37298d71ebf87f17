import { parseCheckTarget, type CheckTarget } from '../src/diagnosis/check-target.js';
import type { DiagnosisProgress, DiagnosisReport } from '../src/diagnosis/diagnose.js';
import { renderReportText } from '../src/diagnosis/render-text.js';
import { adminNote } from '../src/chat/admin-note.js';
import { ACTION_IDS, type ActionId } from '../src/chat/action-ids.js';
import type { Conversation, MessageRef } from '../src/chat/conversation.js';
import { reportCard, runningCard } from '../src/chat/mailcheck-cards.js';
import type { CheckRegistry } from '../src/chat/running-checks.js';
import { isAppError } from '../src/errors.js';

/** The mailcheck lines of every surface's help. */
export const MAILCHECK_USAGE = [
  'mailcheck <domain or address>: why does mail to them fail? DNS and reply sizes, SMTP and TLS of each mail server, MTA-STS, DANE, SPF, DMARC, and which senders fail.',
  '  mailcheck partner.com',
  '  mailcheck jane@partner.com      (probes RCPT for that address: greylisting and filters often spare postmaster)',
].join('\n');

/** What `mailcheck help` says (Slack's /mailcheck has no other help); it points to the patch commands. */
export const MAILCHECK_HELP = `${MAILCHECK_USAGE}\npatch help: the patch inventory commands (in Slack: /patch help).\nhelp: this text.`;

const USAGE = 'Usage: mailcheck <domain or address>, e.g. mailcheck partner.com';

export type MailcheckRequest = { readonly kind: 'help' } | { readonly kind: 'check'; readonly target: CheckTarget; readonly input: string } | { readonly kind: 'invalid'; readonly message: string };

/** Reads what followed the command word ("partner.com", "help", "") into a request. */
export function parseMailcheck(text: string): MailcheckRequest {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return { kind: 'invalid', message: 'Name a domain or an address to check.' };
  if (words.length === 1 && /^(help|-h|--help|\?)$/i.test(words[0] ?? '')) return { kind: 'help' };
  if (words.length > 1) return { kind: 'invalid', message: `One domain or address at a time (got "${words.join(' ')}").` };
  const input = words[0] ?? '';
  try {
    return { kind: 'check', target: parseCheckTarget(input), input };
  } catch (error) {
    if (isAppError(error, 'BAD_INPUT')) return { kind: 'invalid', message: `${error.message}.` };
    throw error;
  }
}

export interface MailcheckDeps {
  /** Runs the whole diagnosis, telling progress as it goes. */
  readonly diagnose: (target: CheckTarget, onProgress: (progress: DiagnosisProgress) => void) => Promise<DiagnosisReport>;
  /** Where checks run once for everyone asking (this process, or every replica through Redis). */
  readonly running: CheckRegistry;
  /** Recent reports by the input that produced them, for the "Note for their admin" button. */
  readonly reports: Map<string, DiagnosisReport>;
  /** Slack allows about one update a second per message; progress is thinned to this. */
  readonly minUpdateIntervalMs: number;
  readonly now: () => number;
  /** Told of every command and button handled, for the commands metric. */
  readonly counted?: (command: string, outcome: 'ok' | 'help' | 'invalid') => void;
}

/**
 * /mailcheck: answers at once with a card saying what is being checked, updates that same card
 * as results arrive, and ends with the verdict; the full evidence goes into its thread.
 */
export async function handleMailcheck(text: string, conversation: Conversation, deps: MailcheckDeps): Promise<void> {
  const request = parseMailcheck(text);
  deps.counted?.('mailcheck', request.kind === 'check' ? 'ok' : request.kind);
  if (request.kind === 'help') return conversation.whisper(MAILCHECK_HELP);
  if (request.kind === 'invalid') return conversation.whisper(`${request.message}\n${USAGE}`);
  await runCheck(request.target, request.input, conversation, deps);
}

/** A button on a mailcheck card: Re-check runs it again; the note goes into the thread. */
export async function handleMailcheckAction(action: ActionId, value: string, ref: MessageRef, conversation: Conversation, deps: MailcheckDeps): Promise<void> {
  const request = parseMailcheck(value);
  deps.counted?.(action, request.kind === 'check' ? 'ok' : 'invalid');
  if (request.kind !== 'check') return conversation.whisper(`This button no longer works (${value}); type mailcheck again.`);
  if (action === ACTION_IDS.mailcheckRecheck) {
    await runCheck(request.target, request.input, conversation, deps, { fresh: true });
    return;
  }
  const report = deps.reports.get(request.input) ?? (await runCheck(request.target, request.input, conversation, deps));
  await conversation.replyInThread(ref, adminNote(report));
}

async function runCheck(target: CheckTarget, input: string, conversation: Conversation, deps: MailcheckDeps, options: { fresh?: boolean } = {}): Promise<DiagnosisReport> {
  const ref = await conversation.post(runningCard(target));
  const updates = thinnedUpdates(conversation, ref, deps);
  const { report: pending } = await deps.running.join(
    `${target.domain}|${target.recipient}`,
    (onProgress) => deps.diagnose(target, onProgress),
    (progress) => updates.push(runningCard(target, progress)),
    options,
  );
  const report = await pending;
  await updates.finish(reportCard(target, report, input));
  deps.reports.set(input, report);
  await conversation.replyInThread(ref, renderReportText(report));
  return report;
}

/** Keeps at most one update in flight and one waiting, sent no more often than the interval allows. */
function thinnedUpdates(conversation: Conversation, ref: MessageRef, deps: MailcheckDeps) {
  let waiting: Parameters<Conversation['update']>[1] | undefined;
  let lastSent = -Infinity;
  let flushing: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const send = (): void => {
    timer = undefined;
    const card = waiting;
    waiting = undefined;
    if (!card) return;
    lastSent = deps.now();
    flushing = flushing.then(() => conversation.update(ref, card)).catch(() => undefined);
  };
  return {
    push(card: Parameters<Conversation['update']>[1]): void {
      waiting = card;
      if (timer) return;
      timer = setTimeout(send, Math.max(0, lastSent + deps.minUpdateIntervalMs - deps.now()));
    },
    async finish(card: Parameters<Conversation['update']>[1]): Promise<void> {
      clearTimeout(timer);
      waiting = undefined;
      await flushing;
      await conversation.update(ref, card);
    },
  };
}
