import ipaddr from 'ipaddr.js';

/**
 * A parser for one SPF record's text, following the grammar of RFC 7208 §12 (terms §4.6.1,
 * mechanisms §5, modifiers §6, macros §7). It only reads text: nothing here asks DNS.
 */

export type SpfQualifier = '+' | '-' | '~' | '?';

interface MechanismBase {
  /** The term as written, for evidence. */
  readonly term: string;
  readonly qualifier: SpfQualifier;
}

export type SpfMechanism =
  | (MechanismBase & { readonly kind: 'all' })
  | (MechanismBase & { readonly kind: 'include'; readonly domainSpec: string; readonly hasMacro: boolean })
  | (MechanismBase & { readonly kind: 'exists'; readonly domainSpec: string; readonly hasMacro: boolean })
  | (MechanismBase & { readonly kind: 'ptr'; readonly domainSpec: string | undefined; readonly hasMacro: boolean })
  | (MechanismBase & {
      readonly kind: 'a' | 'mx';
      readonly domainSpec: string | undefined;
      readonly hasMacro: boolean;
      readonly ip4Cidr: number | undefined;
      readonly ip6Cidr: number | undefined;
    })
  | (MechanismBase & { readonly kind: 'ip4'; readonly network: string; readonly cidr: number | undefined })
  | (MechanismBase & { readonly kind: 'ip6'; readonly network: string; readonly cidr: number | undefined });

export type SpfMechanismKind = SpfMechanism['kind'];

export interface SpfModifier {
  readonly term: string;
  /** Lower-cased: modifier names are case-insensitive (RFC 7208 §4.6.1). */
  readonly name: string;
  readonly value: string;
  readonly hasMacro: boolean;
}

export interface SpfRecord {
  readonly text: string;
  /** In the order written; evaluation goes left to right (RFC 7208 §4.6.2). */
  readonly mechanisms: readonly SpfMechanism[];
  readonly redirect: SpfModifier | undefined;
  readonly exp: SpfModifier | undefined;
  /** Modifiers other than redirect and exp, which receivers ignore (RFC 7208 §6). */
  readonly unknownModifiers: readonly SpfModifier[];
}

export interface SpfSyntaxError {
  /** The offending term, or the whole record when no single term is at fault. */
  readonly term: string;
  readonly message: string;
}

export type SpfParseResult =
  | { readonly ok: true; readonly record: SpfRecord }
  | { readonly ok: false; readonly errors: readonly SpfSyntaxError[] };

const VERSION = /^v=spf1(?: |$)/i;
const MECHANISM_KINDS: readonly string[] = ['all', 'include', 'a', 'mx', 'ptr', 'ip4', 'ip6', 'exists'];
// name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ) (RFC 7208 §12).
const TERM_NAME = /^[a-z][a-z0-9._-]*/i;
// toplabel (RFC 7208 §12): not all-numeric, so that an IP address is never taken for a domain.
const TOP_LABEL = /^(?:[a-z0-9]*[a-z][a-z0-9]*|[a-z0-9]+-[a-z0-9-]*[a-z0-9])$/i;
// macro-expand = "%{" macro-letter transformers *delimiter "}" (RFC 7208 §7.1). The letters c, r
// and t are allowed only in explanation text, never in a record (RFC 7208 §7.2).
const MACRO_EXPAND = /^%\{[slodiphv][0-9]*r?[.\-+,/_=]*\}/i;
const EXP_ONLY_MACRO = /^%\{[crt]/i;
const IP4_NETWORK =
  /^(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}$/;
const CIDR_DIGITS = /^(?:0|[1-9][0-9]{0,2})$/;

/** True when a TXT string is an SPF record: exactly "v=spf1", then a space or the end (RFC 7208 §4.5). */
export function isSpfRecord(text: string): boolean {
  return VERSION.test(text);
}

/** Parses one SPF record. Never throws: anything wrong comes back as errors naming the term. */
export function parseSpfRecord(text: string): SpfParseResult {
  if (!isSpfRecord(text))
    return {
      ok: false,
      errors: [{ term: text.split(' ', 1)[0] ?? '', message: 'the record does not begin with "v=spf1"' }],
    };
  const errors: SpfSyntaxError[] = [];
  const mechanisms: SpfMechanism[] = [];
  const modifiers: SpfModifier[] = [];
  // Terms are separated by one or more spaces; a tab or other white space is not a separator
  // (RFC 7208 §4.6.1), so it ends up inside a term and makes that term invalid.
  for (const term of text
    .slice('v=spf1'.length)
    .split(' ')
    .filter((t) => t !== '')) {
    const parsed = parseTerm(term);
    if ('message' in parsed) errors.push(parsed);
    else if ('kind' in parsed) mechanisms.push(parsed);
    else modifiers.push(parsed);
  }
  // redirect and exp may each appear once at most (RFC 7208 §6).
  for (const name of ['redirect', 'exp']) {
    const repeated = modifiers.filter((m) => m.name === name);
    if (repeated.length > 1)
      errors.push({
        term: repeated[1]?.term ?? name,
        message: `the ${name}= modifier appears ${repeated.length} times; it may appear at most once`,
      });
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    record: {
      text,
      mechanisms,
      redirect: modifiers.find((m) => m.name === 'redirect'),
      exp: modifiers.find((m) => m.name === 'exp'),
      unknownModifiers: modifiers.filter((m) => m.name !== 'redirect' && m.name !== 'exp'),
    },
  };
}

function parseTerm(term: string): SpfMechanism | SpfModifier | SpfSyntaxError {
  const first = term.charAt(0);
  const qualified = first === '+' || first === '-' || first === '~' || first === '?';
  const qualifier: SpfQualifier = qualified ? first : '+';
  const body = qualified ? term.slice(1) : term;
  const name = TERM_NAME.exec(body)?.[0];
  if (name === undefined) return { term, message: 'a term must start with a mechanism or modifier name' };
  const rest = body.slice(name.length);
  const lower = name.toLowerCase();

  if (rest.startsWith('=')) {
    // Modifiers take no qualifier (RFC 7208 §4.6.1: directive = [ qualifier ] mechanism).
    if (qualified) return { term, message: `the modifier ${lower}= cannot take a qualifier` };
    return parseModifier(term, lower, rest.slice(1));
  }
  if (!MECHANISM_KINDS.includes(lower)) {
    const hint = lower === 'redirect' || lower === 'exp' ? ` (did you mean ${lower}=?)` : '';
    return { term, message: `"${name}" is not a mechanism${hint}` };
  }
  if (rest !== '' && !rest.startsWith(':') && !rest.startsWith('/'))
    return { term, message: `unexpected "${rest}" after ${lower}` };
  return parseMechanism(term, qualifier, lower, rest);
}

function parseModifier(term: string, name: string, value: string): SpfModifier | SpfSyntaxError {
  if (name === 'redirect' || name === 'exp') {
    const problem = domainSpecProblem(value);
    if (problem) return { term, message: `${name}= ${problem}` };
  } else {
    // unknown-modifier = name "=" macro-string: receivers ignore it, but it must still parse.
    const problem = macroStringProblem(value);
    if (problem) return { term, message: problem };
  }
  return { term, name, value, hasMacro: value.includes('%{') };
}

function parseMechanism(
  term: string,
  qualifier: SpfQualifier,
  kind: string,
  rest: string,
): SpfMechanism | SpfSyntaxError {
  const argument = rest.startsWith(':') ? rest.slice(1) : undefined;
  switch (kind) {
    case 'all':
      return rest === '' ? { term, qualifier, kind } : { term, message: 'all takes no argument' };
    case 'include':
    case 'exists': {
      if (rest.startsWith('/')) return { term, message: `${kind} takes no CIDR length` };
      if (argument === undefined || argument === '')
        return { term, message: `${kind} needs a domain: ${kind}:<domain>` };
      const problem = domainSpecProblem(argument);
      return problem
        ? { term, message: `${kind}: ${problem}` }
        : { term, qualifier, kind, domainSpec: argument, hasMacro: argument.includes('%{') };
    }
    case 'ptr': {
      if (argument === undefined)
        return rest === ''
          ? { term, qualifier, kind, domainSpec: undefined, hasMacro: false }
          : { term, message: 'ptr takes no CIDR length' };
      const problem = domainSpecProblem(argument);
      return problem
        ? { term, message: `ptr: ${problem}` }
        : { term, qualifier, kind, domainSpec: argument, hasMacro: argument.includes('%{') };
    }
    case 'a':
    case 'mx':
      return parseHostMechanism(term, qualifier, kind, rest);
    default:
      return parseIpMechanism(term, qualifier, kind === 'ip4' ? 'ip4' : 'ip6', argument);
  }
}

/** a and mx: [ ":" domain-spec ] [ dual-cidr-length ] (RFC 7208 §5.3, §5.4, §5.6). */
function parseHostMechanism(
  term: string,
  qualifier: SpfQualifier,
  kind: 'a' | 'mx',
  rest: string,
): SpfMechanism | SpfSyntaxError {
  // The CIDR part starts at the first "/" outside a macro. The grammar lets a domain-spec hold a
  // "/" before its last label, but no host name does, so reading it as a CIDR loses nothing real.
  const slash = firstSlashOutsideMacro(rest);
  const domainPart = slash === -1 ? rest : rest.slice(0, slash);
  const cidrPart = slash === -1 ? '' : rest.slice(slash);
  let domainSpec: string | undefined;
  if (domainPart !== '') {
    domainSpec = domainPart.slice(1);
    if (domainSpec === '') return { term, message: `${kind}: the domain after ":" is empty` };
    const problem = domainSpecProblem(domainSpec);
    if (problem) return { term, message: `${kind}: ${problem}` };
  }
  const cidr = parseDualCidr(cidrPart);
  if ('message' in cidr) return { term, message: `${kind}: ${cidr.message}` };
  return {
    term,
    qualifier,
    kind,
    domainSpec,
    hasMacro: domainSpec?.includes('%{') ?? false,
    ip4Cidr: cidr.ip4,
    ip6Cidr: cidr.ip6,
  };
}

/** dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ] (RFC 7208 §5.6). */
function parseDualCidr(text: string): { ip4: number | undefined; ip6: number | undefined } | { message: string } {
  if (text === '') return { ip4: undefined, ip6: undefined };
  const match = /^(?:\/([^/]*))?(?:\/\/([^/]*))?$/.exec(text);
  if (!match) return { message: `"${text}" is not a CIDR length (write /24, //64 or /24//64)` };
  const ip4 = match[1] === undefined ? undefined : cidrValue(match[1], 32);
  const ip6 = match[2] === undefined ? undefined : cidrValue(match[2], 128);
  if (ip4 === null) return { message: `"/${match[1] ?? ''}" is not an IPv4 prefix length from 0 to 32` };
  if (ip6 === null) return { message: `"//${match[2] ?? ''}" is not an IPv6 prefix length from 0 to 128` };
  return { ip4, ip6 };
}

/** ip4 and ip6: ":" network [ cidr-length ] (RFC 7208 §5.6). */
function parseIpMechanism(
  term: string,
  qualifier: SpfQualifier,
  kind: 'ip4' | 'ip6',
  argument: string | undefined,
): SpfMechanism | SpfSyntaxError {
  if (argument === undefined || argument === '')
    return {
      term,
      message: `${kind} needs an address: ${kind}:<${kind === 'ip4' ? '192.0.2.0/24' : '2001:db8::/32'}>`,
    };
  const slash = argument.indexOf('/');
  const network = slash === -1 ? argument : argument.slice(0, slash);
  const max = kind === 'ip4' ? 32 : 128;
  let cidr: number | undefined;
  if (slash !== -1) {
    const value = cidrValue(argument.slice(slash + 1), max);
    if (value === null)
      return { term, message: `${kind}: "${argument.slice(slash)}" is not a prefix length from 0 to ${max}` };
    cidr = value;
  }
  // RFC 7208 §12: ip4-network is four dotted decimals without leading zeros; ip6-network is
  // RFC 4291 §2.2 text, with no zone index.
  const valid = kind === 'ip4' ? IP4_NETWORK.test(network) : !network.includes('%') && ipaddr.IPv6.isValid(network);
  if (!valid) {
    const swapped = kind === 'ip4' ? ipaddr.IPv6.isValid(network) : IP4_NETWORK.test(network);
    return {
      term,
      message: `"${network}" is not an ${kind === 'ip4' ? 'IPv4' : 'IPv6'} address${swapped ? ` (use ${kind === 'ip4' ? 'ip6' : 'ip4'}:)` : ''}`,
    };
  }
  return { term, qualifier, kind, network, cidr };
}

/** The prefix length, or null when it is not one: digits with no leading zero, at most `max`. */
function cidrValue(text: string, max: number): number | null {
  if (!CIDR_DIGITS.test(text)) return null;
  const value = Number(text);
  return value <= max ? value : null;
}

function firstSlashOutsideMacro(text: string): number {
  let inMacro = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '%' && text.charAt(i + 1) === '{') inMacro = true;
    else if (c === '}') inMacro = false;
    else if (c === '/' && !inMacro) return i;
  }
  return -1;
}

/**
 * Why a domain-spec is invalid, or undefined when it is valid: domain-spec = macro-string
 * domain-end, where domain-end is "." toplabel [ "." ] or a macro-expand (RFC 7208 §7.1).
 */
function domainSpecProblem(spec: string): string | undefined {
  if (spec === '') return 'the domain is empty';
  const macroProblem = macroStringProblem(spec);
  if (macroProblem) return macroProblem;
  if (/%\{[^}]*\}$/.test(spec) || /%[%_-]$/.test(spec)) return undefined;
  const name = spec.endsWith('.') ? spec.slice(0, -1) : spec;
  const dot = name.lastIndexOf('.');
  if (dot === -1) return `"${spec}" is not a fully qualified domain name`;
  const top = name.slice(dot + 1);
  if (!TOP_LABEL.test(top)) return `"${spec}" does not end in a valid top-level label ("${top}")`;
  // Only names without macros can be checked label by label; macros expand at evaluation time.
  if (!spec.includes('%')) {
    if (name.length > 253) return `"${spec.slice(0, 40)}..." is longer than 253 characters`;
    const labels = name.split('.');
    if (labels.some((l) => l === '')) return `"${spec}" has an empty label`;
    const long = labels.find((l) => l.length > 63);
    if (long) return `"${spec}" has a label longer than 63 characters`;
  }
  return undefined;
}

/** Why a macro-string is invalid: only visible ASCII, and "%" only as a macro (RFC 7208 §7.1). */
function macroStringProblem(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x21 || code > 0x7e) return `"${text}" contains a character that is not visible ASCII (code ${code})`;
    if (text.charAt(i) !== '%') continue;
    const next = text.charAt(i + 1);
    if (next === '%' || next === '_' || next === '-') {
      i++;
      continue;
    }
    const rest = text.slice(i);
    if (EXP_ONLY_MACRO.test(rest))
      return `the macro ${rest.slice(0, 3)}...} is allowed only in explanation text, not in a record`;
    const macro = MACRO_EXPAND.exec(rest);
    if (!macro) return `"${rest}" is not a valid macro: write %{letter}, %%, %_ or %-`;
    i += macro[0].length - 1;
  }
  return undefined;
}
