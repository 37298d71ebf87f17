/**
 * `patch ...` as typed in Slack (/patch), Teams or the console, read into a request. Pure: the
 * store is not consulted, so every problem found here is one of spelling and changes nothing.
 */
import { AppError, isAppError } from '../src/errors.js';
import { parseDuration } from '../src/patching/duration.js';
import { parseInstant, parseName, parseOneOf } from '../src/patching/inventory-fields.js';
import { SEVERITIES, type Severity } from '../src/patching/inventory.js';
import type { PatchAction } from '../src/patching/patch-action.js';
import { parseSubcommandLine, splitFlags, type FlagKind } from './command-words.js';

export type PatchRequest =
  | { readonly kind: 'help' }
  | { readonly kind: 'invalid'; readonly message: string; readonly usage: string }
  | { readonly kind: 'list' }
  | { readonly kind: 'overdue' }
  | { readonly kind: 'show'; readonly system: string }
  | { readonly kind: 'who'; readonly system: string }
  | { readonly kind: 'act'; readonly system: string; readonly patch?: string; readonly action: PatchAction }
  | AddPatchRequest
  | AcceptRiskRequest
  | { readonly kind: 'risks' }
  | {
      readonly kind: 'decide-risk';
      readonly id: number;
      readonly decision: 'approve' | 'reject';
      readonly comment?: string;
    };

export interface AcceptRiskRequest {
  readonly kind: 'accept-risk';
  readonly system: string;
  readonly patch?: string;
  readonly reason: string;
  readonly controls: readonly string[];
  /** An instant, or a duration from now (the handler knows the time). */
  readonly until: { readonly at: number } | { readonly afterMs: number };
}

export interface AddPatchRequest {
  readonly kind: 'add';
  readonly system: string;
  readonly severity: Severity;
  readonly title: string;
  readonly advisory?: string;
  /** Undefined: today (the handler knows the date). */
  readonly releasedAt?: number;
  readonly dueAt?: number;
}

export type PatchSubcommand =
  | 'list'
  | 'overdue'
  | 'show'
  | 'who'
  | 'done'
  | 'ack'
  | 'snooze'
  | 'add'
  | 'accept-risk'
  | 'risks'
  | 'approve'
  | 'reject';

/** One line per subcommand, as the help and the error messages show it. */
export const PATCH_USAGE: Readonly<Record<PatchSubcommand, string>> = {
  list: 'patch list',
  overdue: 'patch overdue',
  show: 'patch show <system>',
  who: 'patch who <system>',
  done: 'patch done <system> [patch]',
  ack: 'patch ack <system> [patch]',
  snooze: 'patch snooze <system> [patch] <duration> --reason <why>',
  add: 'patch add <system> <severity> <title> [--advisory <id>] [--released YYYY-MM-DD] [--due YYYY-MM-DD]',
  'accept-risk':
    'patch accept-risk <system> [patch] --until <YYYY-MM-DD or duration> --reason <why> [--controls <control; control>]',
  risks: 'patch risks',
  approve: 'patch approve <request number>',
  reject: 'patch reject <request number> --reason <why>',
};

export const PATCH_HELP = [
  'patch list: systems with open patches, their owner and how overdue.',
  'patch overdue: overdue patches, most overdue first; accepted risks listed apart.',
  'patch show <system>: the system, its maintenance windows and its patches with their escalation.',
  'patch who <system>: the owner, their management chain and the risk approvers.',
  "patch ack <system> [patch]: acknowledge (holds the level reached for the policy's time, once a level; its clock keeps running); without [patch], every open patch.",
  "patch snooze <system> [patch] <duration> --reason <why>: hold escalation, within the policy's limits.",
  'patch done <system> [patch]: mark patched.',
  "patch add <system> <critical|high|medium|low> <title> [--advisory <id>] [--released YYYY-MM-DD] [--due YYYY-MM-DD]: released defaults to today, due to the policy's SLA.",
  'patch accept-risk <system> [patch] --until <date or duration> --reason <why> [--controls <a; b>]: ask the risk approvers to accept not patching until then.',
  'patch risks: risk acceptances waiting for a decision or in force.',
  'patch approve <number> / patch reject <number> --reason <why>: decide a risk acceptance (risk approvers only).',
  '  patch show mail-gw-1',
  '  patch ack mail-gw-1 CVE-2005-1513',
  "  patch snooze mail-gw-1 2d --reason waiting for the vendor's fixed build",
  '  patch add mail-gw-1 critical "qmail fails on DNS answers over 512 bytes" --advisory CVE-2005-1513',
  '  patch accept-risk mail-gw-1 CVE-2005-1513 --until 90d --reason CEO will not approve the outage before year end --controls inbound only via the relay; frozen by policy',
  'A patch is named by its advisory (CVE-...) or, without one, its title. Only the owner and their management chain may ack, snooze, mark done or add.',
].join('\n');

const FLAGS: Readonly<Record<PatchSubcommand, Readonly<Record<string, FlagKind>>>> = {
  list: {},
  overdue: {},
  show: {},
  who: {},
  done: {},
  ack: {},
  snooze: { reason: 'rest' },
  add: { advisory: 'word', released: 'word', due: 'word' },
  'accept-risk': { until: 'word', reason: 'rest', controls: 'rest' },
  risks: {},
  approve: {},
  reject: { reason: 'rest' },
};

/** Reads what followed the command word ("show mail-gw-1", "help", "") into a request. */
export function parsePatchCommand(text: string): PatchRequest {
  return parseSubcommandLine(text, 'patch', PATCH_USAGE, parseSubcommand);
}

function parseSubcommand(subcommand: PatchSubcommand, words: readonly string[]): PatchRequest {
  const { positional, flags } = splitFlags(words, FLAGS[subcommand]);
  switch (subcommand) {
    case 'list':
    case 'overdue':
    case 'risks':
      if (positional.length > 0)
        throw new AppError('BAD_INPUT', `patch ${subcommand} takes nothing after it (got "${positional.join(' ')}")`);
      return { kind: subcommand };
    case 'show':
    case 'who': {
      const [name, ...extra] = positional;
      if (extra.length > 0) throw new AppError('BAD_INPUT', `one system at a time (got "${positional.join(' ')}")`);
      return { kind: subcommand, system: systemName(name) };
    }
    case 'done':
    case 'ack': {
      const [name, ...patch] = positional;
      return { kind: 'act', system: systemName(name), ...patchName(patch), action: { kind: subcommand } };
    }
    case 'snooze': {
      const [name, ...rest] = positional;
      const system = systemName(name);
      const duration = rest.pop();
      if (duration === undefined)
        throw new AppError(
          'BAD_INPUT',
          'say for how long: a duration such as 3d, 36h or 1w after the system (and patch)',
        );
      const durationMs = parseDuration(duration);
      const reason = flags.get('reason');
      if (reason === undefined)
        throw new AppError('BAD_INPUT', 'a snooze needs a reason: add --reason and why it can wait');
      return { kind: 'act', system, ...patchName(rest), action: { kind: 'snooze', durationMs, reason } };
    }
    case 'add':
      return parseAdd(positional, flags);
    case 'accept-risk':
      return parseAcceptRisk(positional, flags);
    case 'approve':
    case 'reject': {
      const [number, ...extra] = positional;
      if (number === undefined || extra.length > 0 || !/^#?\d{1,12}$/.test(number))
        throw new AppError(
          'BAD_INPUT',
          `give the number of one risk acceptance request (patch risks lists them)${number === undefined ? '' : `, not "${positional.join(' ')}"`}`,
        );
      const comment = flags.get('reason');
      if (subcommand === 'reject' && comment === undefined)
        throw new AppError('BAD_INPUT', 'a rejection needs a reason: add --reason and why the risk cannot be accepted');
      return {
        kind: 'decide-risk',
        id: Number(number.replace('#', '')),
        decision: subcommand,
        ...(comment !== undefined ? { comment } : {}),
      };
    }
  }
}

function parseAcceptRisk(positional: readonly string[], flags: ReadonlyMap<string, string>): AcceptRiskRequest {
  const [name, ...patch] = positional;
  const system = systemName(name);
  const until = flags.get('until');
  if (until === undefined)
    throw new AppError(
      'BAD_INPUT',
      'say until when: --until 2027-03-31 or --until 90d (a risk is accepted for a time, then nagging resumes)',
    );
  const reason = flags.get('reason');
  if (reason === undefined)
    throw new AppError(
      'BAD_INPUT',
      'accepting a risk needs a reason: add --reason and why the patch cannot be applied',
    );
  const controls = (flags.get('controls') ?? '')
    .split(';')
    .map((control) => control.trim())
    .filter(Boolean);
  return {
    kind: 'accept-risk',
    system,
    ...patchName(patch),
    reason,
    controls,
    until: /^\d{4}-/.test(until)
      ? { at: field('--until', until, parseInstant) }
      : { afterMs: field('--until', until, parseDuration) },
  };
}

function parseAdd(positional: readonly string[], flags: ReadonlyMap<string, string>): AddPatchRequest {
  const [name, severityWord, ...title] = positional;
  const system = systemName(name);
  if (severityWord === undefined)
    throw new AppError('BAD_INPUT', `give the severity after the system: one of ${SEVERITIES.join(', ')}`);
  const severity = field('the severity', severityWord, parseOneOf(SEVERITIES));
  if (title.length === 0) throw new AppError('BAD_INPUT', 'give the title of the patch after the severity');
  const advisory = flags.get('advisory');
  const released = flags.get('released');
  const due = flags.get('due');
  const releasedAt = released === undefined ? undefined : field('--released', released, parseInstant);
  const dueAt = due === undefined ? undefined : field('--due', due, parseInstant);
  if (releasedAt !== undefined && dueAt !== undefined && dueAt < releasedAt)
    throw new AppError('BAD_INPUT', `--due ${due} is before --released ${released}`);
  return {
    kind: 'add',
    system,
    severity,
    title: title.join(' '),
    ...(advisory !== undefined ? { advisory } : {}),
    ...(releasedAt !== undefined ? { releasedAt } : {}),
    ...(dueAt !== undefined ? { dueAt } : {}),
  };
}

function systemName(word: string | undefined): string {
  if (word === undefined) throw new AppError('BAD_INPUT', 'name the system (patch list shows them)');
  return field('the system name', word, parseName);
}

/** The words after the system name a patch by its advisory or its (multi-word) title. */
function patchName(words: readonly string[]): { patch?: string } {
  return words.length === 0 ? {} : { patch: words.join(' ') };
}

/** The inventory's field parsers word their errors to follow the field's name. */
function field<T>(what: string, text: string, parse: (text: string) => T): T {
  try {
    return parse(text);
  } catch (error) {
    if (isAppError(error, 'BAD_INPUT')) throw new AppError('BAD_INPUT', `${what} ${error.message}`);
    throw error;
  }
}
