/**
 * The MTA-STS policy file served at https://mta-sts.<domain>/.well-known/mta-sts.txt
 * (RFC 8461 §3.2) and the matching of MX host names against its mx patterns (§4.1). Reads text only.
 */
import type { FieldError } from './txt-fields.js';

export type MtaStsMode = 'enforce' | 'testing' | 'none';

export interface MtaStsPolicy {
  readonly mode: MtaStsMode;
  /** Seconds senders may cache the policy. */
  readonly maxAge: number;
  /** As written, in order; "*.example.com" matches exactly one more label. */
  readonly mx: readonly string[];
  /** Well-formed fields this parser does not know; senders ignore them. */
  readonly extensions: Readonly<Record<string, string>>;
  /** Repeated fields (other than mx): senders honour the first and ignore the rest (§3.2). */
  readonly ignoredLines: readonly string[];
}

export type MtaStsPolicyResult =
  { readonly ok: true; readonly policy: MtaStsPolicy } | { readonly ok: false; readonly errors: readonly FieldError[] };

/** RFC 8461 §3.2: max_age is at most 31557600 seconds (about a year). */
export const MAX_MAX_AGE = 31_557_600;
const MODES: readonly string[] = ['enforce', 'testing', 'none'];
const KNOWN: readonly string[] = ['version', 'mode', 'max_age', 'mx'];
/** sts-policy-ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".") */
const EXTENSION_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
/** sts-policy-ext-value = sts-policy-vchar [*(%x20 / sts-policy-vchar) sts-policy-vchar], vchar = %x21-7E */
const EXTENSION_VALUE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;
/** sts-policy-mx-value = ["*."] Domain, Domain as in RFC 5321 §4.1.2 (letters, digits, inner hyphens). */
const MX_PATTERN = /^(?:\*\.)?[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

/** Parses a policy body. Never throws: problems come back naming the line. */
export function parseMtaStsPolicy(text: string): MtaStsPolicyResult {
  const errors: FieldError[] = [];
  const seen = new Map<string, string>();
  const mx: string[] = [];
  const extensions: Record<string, string> = {};
  const ignoredLines: string[] = [];
  let invalidMx = 0;
  // sts-policy-term = LF / CRLF. Blank lines are not in the grammar but harm no sender we know of.
  for (const line of text.split(/\r?\n/)) {
    if (/^[ \t]*$/.test(line)) continue;
    // field-delim = ":" *WSP; each field may be followed by *WSP.
    const match = /^([^:]*):[ \t]*(.*?)[ \t]*$/.exec(line);
    if (!match) {
      errors.push({ field: line, message: 'a line must be written name: value' });
      continue;
    }
    const [, name = '', value = ''] = match;
    if (name === 'mx') {
      if (MX_PATTERN.test(value)) mx.push(value);
      else {
        invalidMx++;
        errors.push({ field: line, message: `"${value}" is not an MX pattern: a host name, or "*." and a domain` });
      }
      continue;
    }
    if (seen.has(name)) {
      ignoredLines.push(line);
      continue;
    }
    seen.set(name, value);
    if (name === 'version') {
      if (value !== 'STSv1')
        errors.push({ field: line, message: `the version must be exactly "STSv1", not "${value}"` });
    } else if (name === 'mode') {
      if (!MODES.includes(value))
        errors.push({ field: line, message: `"${value}" is not a mode: use enforce, testing or none (lower case)` });
    } else if (name === 'max_age') {
      if (!/^[0-9]{1,10}$/.test(value) || Number(value) > MAX_MAX_AGE)
        errors.push({
          field: line,
          message: `"${value}" is not a max_age: a number of seconds from 0 to ${MAX_MAX_AGE}`,
        });
    } else if (KNOWN.includes(name.trim().toLowerCase())) {
      errors.push({
        field: line,
        message: `write "${name.trim().toLowerCase()}:" in lower case with no space before the colon`,
      });
    } else if (!EXTENSION_NAME.test(name)) {
      errors.push({ field: line, message: `"${name}" is not a field name` });
    } else if (!EXTENSION_VALUE.test(value)) {
      errors.push({ field: line, message: `the value of ${name} must be printable characters` });
    } else {
      extensions[name] = value;
    }
  }
  for (const required of ['version', 'mode', 'max_age']) {
    if (!seen.has(required))
      errors.push({ field: text.trim() === '' ? '(empty)' : required, message: `the ${required} field is required` });
  }
  const mode = seen.get('mode') as MtaStsMode | undefined;
  // The ABNF: mx is "required at least once, except when mode is none".
  if (mode !== undefined && mode !== 'none' && MODES.includes(mode) && mx.length === 0 && invalidMx === 0) {
    errors.push({ field: `mode: ${mode}`, message: `a policy in ${mode} mode must list at least one "mx:" pattern` });
  }
  if (errors.length > 0 || mode === undefined) return { ok: false, errors };
  return { ok: true, policy: { mode, maxAge: Number(seen.get('max_age')), mx, extensions, ignoredLines } };
}

/**
 * Whether `host` matches one mx pattern (RFC 8461 §4.1): names compare case-insensitively, and a
 * leading "*." stands for exactly one label, so "*.example.com" matches "mx1.example.com" but not
 * "example.com" nor "a.b.example.com".
 */
export function mxPatternMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, '');
  const h = host.toLowerCase().replace(/\.$/, '');
  if (!p.startsWith('*.')) return p === h;
  const suffix = p.slice(1);
  if (!h.endsWith(suffix)) return false;
  const label = h.slice(0, -suffix.length);
  return label !== '' && !label.includes('.');
}

/** The first pattern that covers `host`, or undefined. */
export function coveringPattern(patterns: readonly string[], host: string): string | undefined {
  return patterns.find((p) => mxPatternMatches(p, host));
}
