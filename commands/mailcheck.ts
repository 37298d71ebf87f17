import type { Clock } from '../src/clock.js';
import { parseCheckTarget, type CheckTarget } from '../src/diagnosis/check-target.js';
import type { DiagnosisProgress, DiagnosisReport } from '../src/diagnosis/diagnose.js';
import { renderReportText } from '../src/diagnosis/render-text.js';
import { adminNote } from '../src/chat/admin-note.js';
import type { ChatPlace } from '../src/chat/chat-place.js';
import { ACTION_IDS, type ActionId } from '../src/chat/action-ids.js';
import type { Conversation, MessageRef } from '../src/chat/conversation.js';
import { reportCard, runningCard, supersededCard } from '../src/chat/mailcheck-cards.js';
import type { CheckRegistry } from '../src/chat/running-checks.js';
import { isAppError } from '../src/errors.js';
import { handleBounce, type BounceChatDeps } from './mailcheck-bounce.js';
import { handleHistory, handleWhatChanged, HISTORY_UNAVAILABLE, type HistoryChatDeps } from './mailcheck-history.js';
import { handleUnwatch, handleWatch, handleWatches, type WatchChatDeps } from './mailcheck-watch.js';
import { WATCH_MAX_MINUTES, WATCH_MIN_MINUTES } from '../src/config.js';
import { parseDuration } from '../src/patching/duration.js';

/** The mailcheck lines of every surface's help. */
export const MAILCHECK_USAGE = [
  'mailcheck <domain or address>: why does mail to them fail? DNS and reply sizes, SMTP and TLS of each mail server, MTA-STS, DANE, SPF, DMARC, and which senders fail.',
  '  mailcheck partner.com',
  '  mailcheck jane@partner.com      (probes RCPT for that address: greylisting and filters often spare postmaster)',
  'mailcheck bounce [pasted bounce]: which mail system wrote it, what failed, why, and whether that is still so (Slack: opens a box to paste into).',
  'mailcheck history <domain>: the earlier checks of the domain and what changed since the one before.',
  'mailcheck watch <domain> [every 6h]: re-check on a schedule and post here only when it gets worse or is fixed; mailcheck unwatch <domain>; mailcheck watches.',
].join('\n');

/** What `mailcheck help` says (Slack's /mailcheck has no other help); it points to the patch commands. */
export const MAILCHECK_HELP = `${MAILCHECK_USAGE}\npatch help: the patch inventory commands (in Slack: /patch help).\nhelp: this text.`;

const USAGE = 'Usage: mailcheck <domain or address>, e.g. mailcheck partner.com';

export type MailcheckRequest =
  | { readonly kind: 'help' }
  | { readonly kind: 'check'; readonly target: CheckTarget; readonly input: string }
  /** The bounce as pasted, line breaks kept; empty when only the word was typed. */
  | { readonly kind: 'bounce'; readonly text: string }
  | { readonly kind: 'history'; readonly domain: string }
  | { readonly kind: 'watch'; readonly domain: string; readonly intervalMs: number | undefined }
  | { readonly kind: 'unwatch'; readonly domain: string }
  | { readonly kind: 'watches' }
  | { readonly kind: 'invalid'; readonly message: string };

/** Reads what followed the command word ("partner.com", "help", "bounce ...", "watch x.com every 6h") into a request. */
export function parseMailcheck(text: string): MailcheckRequest {
  const leading = /^\s*(\S+)/.exec(text)?.[1] ?? '';
  if (/^bounce$/i.test(leading)) return { kind: 'bounce', text: text.replace(/^\s*\S+[ \t]*\r?\n?/, '') };
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return { kind: 'invalid', message: 'Name a domain or an address to check.' };
  const [first = '', ...rest] = words;
  if (words.length === 1 && /^(help|-h|--help|\?)$/i.test(first)) return { kind: 'help' };
  try {
    if (/^watches$/i.test(first))
      return rest.length === 0
        ? { kind: 'watches' }
        : { kind: 'invalid', message: 'mailcheck watches takes nothing after it: it lists the domains watched here.' };
    if (/^(history|unwatch)$/i.test(first)) {
      if (rest.length !== 1)
        return {
          kind: 'invalid',
          message: `mailcheck ${first.toLowerCase()} takes one domain (got "${rest.join(' ')}").`,
        };
      const domain = parseCheckTarget(rest[0] ?? '').domain;
      return /^history$/i.test(first) ? { kind: 'history', domain } : { kind: 'unwatch', domain };
    }
    if (/^watch$/i.test(first)) return parseWatch(rest);
    if (words.length > 1)
      return { kind: 'invalid', message: `One domain or address at a time (got "${words.join(' ')}").` };
    return { kind: 'check', target: parseCheckTarget(first), input: first };
  } catch (error) {
    if (isAppError(error, 'BAD_INPUT')) return { kind: 'invalid', message: `${error.message.replace(/\.$/, '')}.` };
    throw error;
  }
}

/** A watch re-checks at most every 5 minutes and at least weekly (config.ts has the same bounds). */
const WATCH_INTERVAL_BOUNDS = { minMs: WATCH_MIN_MINUTES * 60_000, maxMs: WATCH_MAX_MINUTES * 60_000 } as const;

function parseWatch(words: readonly string[]): MailcheckRequest {
  const [domainText, ...interval] = words;
  if (domainText === undefined)
    return { kind: 'invalid', message: 'mailcheck watch takes a domain, e.g. mailcheck watch partner.com every 6h.' };
  const domain = parseCheckTarget(domainText).domain;
  const spelled = interval[0]?.toLowerCase() === 'every' ? interval.slice(1) : interval;
  if (spelled.length === 0) return { kind: 'watch', domain, intervalMs: undefined };
  if (spelled.length > 1)
    return { kind: 'invalid', message: `After the domain, say how often: every 6h (got "${interval.join(' ')}").` };
  const intervalMs = parseDuration(spelled[0] ?? '');
  if (intervalMs < WATCH_INTERVAL_BOUNDS.minMs || intervalMs > WATCH_INTERVAL_BOUNDS.maxMs) {
    return {
      kind: 'invalid',
      message: `A watch re-checks every ${WATCH_MIN_MINUTES} minutes at the most and every 7 days at the least (got ${spelled[0]}).`,
    };
  }
  return { kind: 'watch', domain, intervalMs };
}

export interface MailcheckDeps {
  /** Runs the whole diagnosis, telling progress as it goes; `fresh` (a Re-check) probes the partner now, never reusing a recent probe. */
  readonly diagnose: (
    target: CheckTarget,
    onProgress: (progress: DiagnosisProgress) => void,
    options?: { readonly fresh?: boolean },
  ) => Promise<DiagnosisReport>;
  /** Where checks run once for everyone asking (this process, or every replica through Redis). */
  readonly running: CheckRegistry;
  /** Recent reports by the input that produced them, for the "Note for their admin" button. */
  readonly reports: Map<string, DiagnosisReport>;
  /** Slack allows about one update a second per message; progress is thinned to this. */
  readonly minUpdateIntervalMs: number;
  /** Monotonic time to thin progress updates; wall time for "re-checked at". */
  readonly clock: Clock;
  /** Told of every command and button handled, for the commands metric. */
  readonly counted?: (command: string, outcome: 'ok' | 'help' | 'invalid') => void;
  /** Stored checks, for `mailcheck history` and "What changed"; absent: not kept here. */
  readonly history?: HistoryChatDeps;
  /** Tests a pasted bounce's hypothesis; absent: bounces are read but not checked. */
  readonly bounces?: BounceChatDeps;
  /** Watches; absent: `mailcheck watch` says it is not available here. */
  readonly watches?: WatchChatDeps;
}

/**
 * /mailcheck: answers at once with a card saying what is being checked, updates that same card
 * as results arrive, and ends with the verdict; the full evidence goes into its thread.
 */
export async function handleMailcheck(
  text: string,
  conversation: Conversation,
  deps: MailcheckDeps,
  place?: ChatPlace,
): Promise<void> {
  const request = parseMailcheck(text);
  deps.counted?.(
    request.kind === 'check' || request.kind === 'help' || request.kind === 'invalid'
      ? 'mailcheck'
      : `mailcheck ${request.kind}`,
    request.kind === 'help' || request.kind === 'invalid' ? request.kind : 'ok',
  );
  switch (request.kind) {
    case 'help':
      return conversation.whisper(MAILCHECK_HELP);
    case 'invalid':
      return conversation.whisper(`${request.message}\n${USAGE}`);
    case 'check':
      await runCheck(request.target, request.input, conversation, deps);
      return;
    case 'bounce':
      return handleBounce(request.text, conversation, deps.bounces);
    case 'history':
      return deps.history
        ? handleHistory(request.domain, conversation, deps.history)
        : conversation.whisper(HISTORY_UNAVAILABLE);
    case 'watch':
      return handleWatch(request.domain, request.intervalMs, place, conversation, deps.watches);
    case 'unwatch':
      return handleUnwatch(request.domain, place, conversation, deps.watches);
    case 'watches':
      return handleWatches(place, conversation, deps.watches);
  }
}

/** A button on a mailcheck card: Re-check runs it again; the note and what changed go into the thread. */
export async function handleMailcheckAction(
  action: ActionId,
  value: string,
  ref: MessageRef,
  conversation: Conversation,
  deps: MailcheckDeps,
): Promise<void> {
  const request = parseMailcheck(value);
  deps.counted?.(action, request.kind === 'check' ? 'ok' : 'invalid');
  if (request.kind !== 'check')
    return conversation.whisper(`This button no longer works (${value}); type mailcheck again.`);
  if (action === ACTION_IDS.mailcheckChanges) {
    return deps.history
      ? handleWhatChanged(request.target.domain, ref, conversation, deps.history)
      : conversation.whisper(HISTORY_UNAVAILABLE);
  }
  if (action === ACTION_IDS.mailcheckRecheck) {
    const previous = deps.reports.get(request.input);
    const at = new Date(deps.clock.wallMs());
    await runCheck(request.target, request.input, conversation, deps, { fresh: true, recheckedAt: at });
    // No live buttons on an answer that is no longer the latest: it points to the new one instead.
    if (previous)
      await conversation.update(ref, supersededCard(reportCard(request.target, previous, request.input), at));
    return;
  }
  const report = deps.reports.get(request.input) ?? (await runCheck(request.target, request.input, conversation, deps));
  await conversation.replyInThread(ref, adminNote(report));
}

async function runCheck(
  target: CheckTarget,
  input: string,
  conversation: Conversation,
  deps: MailcheckDeps,
  options: { fresh?: boolean; recheckedAt?: Date } = {},
): Promise<DiagnosisReport> {
  const ref = await conversation.post(runningCard(target));
  const updates = thinnedUpdates(conversation, ref, deps);
  const { report: pending } = await deps.running.join(
    `${target.domain}|${target.recipient}`,
    (onProgress) => deps.diagnose(target, onProgress, { fresh: options.fresh ?? false }),
    (progress) => updates.push(runningCard(target, progress)),
    options,
  );
  const report = await pending;
  await updates.finish(
    reportCard(target, report, input, options.recheckedAt ? { recheckedAt: options.recheckedAt } : {}),
  );
  deps.reports.set(input, report);
  // The thread is the whole evidence: every finding, never the short form.
  await conversation.replyInThread(ref, renderReportText(report, { verbose: true }));
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
    lastSent = deps.clock.monotonicMs();
    flushing = flushing.then(() => conversation.update(ref, card)).catch(() => undefined);
  };
  return {
    push(card: Parameters<Conversation['update']>[1]): void {
      waiting = card;
      if (timer) return;
      timer = setTimeout(send, Math.max(0, lastSent + deps.minUpdateIntervalMs - deps.clock.monotonicMs()));
    },
    async finish(card: Parameters<Conversation['update']>[1]): Promise<void> {
      clearTimeout(timer);
      waiting = undefined;
      await flushing;
      await conversation.update(ref, card);
    },
  };
}
