/**
 * The words of a chat command as people type them: split on spaces, with "double quotes" (or the
 * curly quotes Slack and Teams clients put in) keeping a phrase together, and `--flag value`
 * options picked out wherever they appear.
 */
import { AppError, isAppError } from '../src/errors.js';
import { sentence } from './refusals.js';

const QUOTES = /["\u201c\u201d]/;

/** `a "b c" d` -> ['a', 'b c', 'd']; an unclosed quote runs to the end. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let current = '';
  let quoted = false;
  let started = false;
  for (const char of text.replace(/\u00a0/g, ' ')) {
    if (QUOTES.test(char)) {
      quoted = !quoted;
      started = true;
    } else if (/\s/.test(char) && !quoted) {
      if (started) words.push(current);
      current = '';
      started = false;
    } else {
      current += char;
      started = true;
    }
  }
  if (started) words.push(current);
  return words;
}

/** `word`: the flag takes the next word; `rest`: every word up to the next flag (a reason, a title). */
export type FlagKind = 'word' | 'rest';

export interface SplitCommand {
  readonly positional: readonly string[];
  readonly flags: ReadonlyMap<string, string>;
}

/** Separates `--name value` options from the other words; an unknown or repeated flag, or one without a value, is BAD_INPUT. */
export function splitFlags(words: readonly string[], known: Readonly<Record<string, FlagKind>>): SplitCommand {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    const match = /^--([a-z][a-z-]*)(?:=(.*))?$/i.exec(word);
    if (match === null) {
      positional.push(word);
      continue;
    }
    const name = (match[1] ?? '').toLowerCase();
    const kind = known[name];
    const allowed = Object.keys(known).map((flag) => `--${flag}`);
    if (kind === undefined)
      throw new AppError(
        'BAD_INPUT',
        `unknown option ${word}${allowed.length > 0 ? `: this command takes ${allowed.join(', ')}` : ': this command takes none'}`,
      );
    if (flags.has(name)) throw new AppError('BAD_INPUT', `--${name} is given twice`);
    const values: string[] = match[2] !== undefined ? [match[2]] : [];
    const takesMore = (): boolean => i + 1 < words.length && !(words[i + 1] ?? '').startsWith('--');
    if (kind === 'word' && values.length === 0 && takesMore()) values.push(words[++i] ?? '');
    if (kind === 'rest') while (takesMore()) values.push(words[++i] ?? '');
    const value = values.join(' ').trim();
    if (value === '') throw new AppError('BAD_INPUT', `--${name} needs a value`);
    flags.set(name, value);
  }
  return { positional, flags };
}

export type SubcommandLine<R> =
  R | { readonly kind: 'help' } | { readonly kind: 'invalid'; readonly message: string; readonly usage: string };

/**
 * `<subcommand> <words...>` as chat commands take it: empty or help words ask for help; an
 * unknown subcommand lists the known ones; a BAD_INPUT from `parse` becomes the subcommand's
 * usage with the message as a sentence. Anything else `parse` throws is a bug and goes on.
 */
export function parseSubcommandLine<S extends string, R>(
  text: string,
  command: string,
  usage: Readonly<Record<S, string>>,
  parse: (subcommand: S, words: readonly string[]) => R,
): SubcommandLine<R> {
  const [first = '', ...words] = splitWords(text.trim());
  const subcommand = first.toLowerCase();
  if (subcommand === '' || /^(help|-h|--help|\?)$/.test(subcommand)) return { kind: 'help' };
  if (!Object.hasOwn(usage, subcommand)) {
    const article = /^[aeiou]/.test(command) ? 'an' : 'a';
    return {
      kind: 'invalid',
      message: `"${first}" is not ${article} ${command} command: use one of ${Object.keys(usage).join(', ')}.`,
      usage: Object.values<string>(usage).join('\n'),
    };
  }
  try {
    return parse(subcommand as S, words);
  } catch (error) {
    if (isAppError(error, 'BAD_INPUT'))
      return { kind: 'invalid', message: sentence(error.message), usage: usage[subcommand as S] };
    throw error;
  }
}
