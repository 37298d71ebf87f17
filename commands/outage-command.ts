/**
 * `outage ...` as typed in Slack (/outage), Teams or the console, read into a request. Pure: the
 * store is not consulted and times are not placed yet (that needs the typist's zone), so every
 * problem found here is one of spelling and changes nothing.
 *
 * The grammar of a request: `outage request <system> <when...> <duration> <reason...>`. <when> is
 * every word between the system and the first word that reads as a duration (4h, 90m, 1d12h);
 * what follows the duration is the reason. So "saturday 22:00", "2026-11-28 22:00" and
 * "next sat 2am" all work unquoted, and a time never looks like a duration (22:00, 2am, 28).
 */
import { AppError, isAppError } from '../src/errors.js';
import { parseDuration } from '../src/patching/duration.js';
import { parseName } from '../src/patching/inventory-fields.js';
import { parseSubcommandLine, splitFlags, type FlagKind } from './command-words.js';

export type OutageCommand =
  | { readonly kind: 'help' }
  | { readonly kind: 'invalid'; readonly message: string; readonly usage: string }
  | { readonly kind: 'list' }
  | {
      readonly kind: 'request';
      readonly system: string;
      readonly when: string;
      readonly durationMs: number;
      readonly reason: string;
    }
  | { readonly kind: 'answer'; readonly id: number; readonly outcome: 'patched' | 'not-done' }
  | OutageDecision;

/** A decision typed or clicked; `when` is read in the decider's zone by the handler. */
export type OutageDecision =
  | { readonly kind: 'decide'; readonly id: number; readonly vote: 'approve' }
  | { readonly kind: 'decide'; readonly id: number; readonly vote: 'deny'; readonly reason: string }
  | { readonly kind: 'decide'; readonly id: number; readonly vote: 'propose'; readonly when: string };

type OutageSubcommand = 'request' | 'list' | 'approve' | 'deny' | 'propose' | 'patched' | 'not-done';

export const OUTAGE_USAGE: Readonly<Record<OutageSubcommand, string>> = {
  request: 'outage request <system> <when> <duration> <reason>',
  list: 'outage list',
  approve: 'outage approve <request number>',
  deny: 'outage deny <request number> --reason <why>',
  propose: 'outage propose <request number> <when>',
  patched: 'outage patched <request number>',
  'not-done': 'outage not-done <request number>',
};

export const OUTAGE_HELP = [
  "outage request <system> <when> <duration> <reason>: ask the system's outage approvers for a maintenance window (only the owner and their management chain may ask).",
  '  <when> is in your time zone: 2026-11-28 22:00, saturday 22:00, tomorrow 06:30, next sat 2am. It ends at the first word that is a duration (90m, 4h, 1d12h); the rest is the reason.',
  'outage list: requests waiting for a decision and approved windows that have not ended, soonest first.',
  "outage approve <number> / outage deny <number> --reason <why> / outage propose <number> <when>: decide a request (outage approvers only; the card's buttons do the same).",
  'outage patched <number> / outage not-done <number>: after an approved window, say whether its patches went in (the owner and their chain; the question at its end has the same buttons).',
  '  outage request mail-gw-1 saturday 22:00 4h apply the qmail patch',
  '  outage request mail-gw-1 2026-11-28 22:00 90m reboot for the kernel update',
  '  outage propose 12 sunday 06:00',
].join('\n');

const FLAGS: Readonly<Record<OutageSubcommand, Readonly<Record<string, FlagKind>>>> = {
  request: {},
  list: {},
  approve: {},
  deny: { reason: 'rest' },
  propose: {},
  patched: {},
  'not-done': {},
};

export function parseOutageCommand(text: string): OutageCommand {
  return parseSubcommandLine(text, 'outage', OUTAGE_USAGE, parseSubcommand);
}

function parseSubcommand(subcommand: OutageSubcommand, words: readonly string[]): OutageCommand {
  // A request's reason is free text: "--" in it is not an option.
  const { positional, flags } =
    subcommand === 'request'
      ? { positional: words, flags: new Map<string, string>() }
      : splitFlags(words, FLAGS[subcommand]);
  switch (subcommand) {
    case 'list':
      if (positional.length > 0)
        throw new AppError('BAD_INPUT', `outage list takes nothing after it (got "${positional.join(' ')}")`);
      return { kind: 'list' };
    case 'request':
      return parseRequest(positional);
    case 'approve': {
      const [number, ...extra] = positional;
      if (extra.length > 0)
        throw new AppError('BAD_INPUT', `give only the request number (got "${positional.join(' ')}")`);
      return { kind: 'decide', id: requestNumber(number), vote: 'approve' };
    }
    case 'deny': {
      const [number, ...extra] = positional;
      const id = requestNumber(number);
      if (extra.length > 0) throw new AppError('BAD_INPUT', `give the reason with --reason (got "${extra.join(' ')}")`);
      const reason = flags.get('reason');
      if (reason === undefined)
        throw new AppError('BAD_INPUT', 'a denial needs a reason: add --reason and why not (the owner is told)');
      return { kind: 'decide', id, vote: 'deny', reason };
    }
    case 'patched':
    case 'not-done': {
      const [number, ...extra] = positional;
      if (extra.length > 0)
        throw new AppError('BAD_INPUT', `give only the request number (got "${positional.join(' ')}")`);
      return { kind: 'answer', id: requestNumber(number), outcome: subcommand };
    }
    case 'propose': {
      const [number, ...when] = positional;
      const id = requestNumber(number);
      if (when.length === 0)
        throw new AppError(
          'BAD_INPUT',
          'say when instead, such as saturday 22:00 or 2026-11-28 22:00 (your time zone)',
        );
      return { kind: 'decide', id, vote: 'propose', when: when.join(' ') };
    }
  }
}

function parseRequest(words: readonly string[]): OutageCommand {
  const [name, ...rest] = words;
  if (name === undefined) throw new AppError('BAD_INPUT', 'name the system (patch list shows them)');
  const system = field('the system name', name, parseName);
  const at = rest.findIndex(isDuration);
  if (at === -1)
    throw new AppError(
      'BAD_INPUT',
      'say how long after the time, such as saturday 22:00 4h (a duration: 90m, 4h, 1d12h)',
    );
  if (at === 0)
    throw new AppError(
      'BAD_INPUT',
      `say when before the duration "${rest[0]}", such as saturday 22:00 or 2026-11-28 22:00`,
    );
  const reason = rest
    .slice(at + 1)
    .join(' ')
    .trim();
  if (reason === '') throw new AppError('BAD_INPUT', 'say why after the duration: the approvers decide on the reason');
  return { kind: 'request', system, when: rest.slice(0, at).join(' '), durationMs: parseDuration(rest[at]!), reason };
}

function isDuration(word: string): boolean {
  try {
    parseDuration(word);
    return true;
  } catch {
    return false;
  }
}

function requestNumber(word: string | undefined): number {
  if (word === undefined || !/^#?\d{1,12}$/.test(word))
    throw new AppError(
      'BAD_INPUT',
      `give the number of an outage request (outage list shows them)${word === undefined ? '' : `, not "${word}"`}`,
    );
  return Number(word.replace('#', ''));
}

function field<T>(what: string, text: string, parse: (text: string) => T): T {
  try {
    return parse(text);
  } catch (error) {
    if (isAppError(error, 'BAD_INPUT')) throw new AppError('BAD_INPUT', `${what} ${error.message}`);
    throw error;
  }
}
