/**
 * A parser for one DMARC record's text (RFC 7489 §6.3 tags, §6.4 grammar). It only reads text:
 * nothing here asks DNS.
 */

export type DmarcPolicy = 'none' | 'quarantine' | 'reject';
export type DmarcAlignment = 'r' | 's';

export interface DmarcReportUri {
  /** The URI as written, without the size limit. */
  readonly uri: string;
  /** The mailbox after "mailto:", percent-decoded. */
  readonly address: string;
  /** Lower-cased host part of the mailbox: the report receiver's domain (RFC 7489 §7.1). */
  readonly domain: string;
  /** The "!size" limit as written (e.g. "10m"), if any (RFC 7489 §6.2). */
  readonly maxSize: string | undefined;
}

export interface DmarcRecord {
  readonly text: string;
  readonly p: DmarcPolicy;
  readonly sp: DmarcPolicy | undefined;
  readonly pct: number | undefined;
  readonly rua: readonly DmarcReportUri[];
  readonly ruf: readonly DmarcReportUri[];
  readonly adkim: DmarcAlignment | undefined;
  readonly aspf: DmarcAlignment | undefined;
  readonly fo: readonly string[] | undefined;
  readonly rf: readonly string[] | undefined;
  readonly ri: number | undefined;
  /** Tags this parser does not know; receivers ignore them (RFC 7489 §6.3). */
  readonly unknownTags: Readonly<Record<string, string>>;
}

export interface DmarcSyntaxError {
  /** The offending tag as written ("p=rejct"), or the whole record when no tag is at fault. */
  readonly tag: string;
  readonly message: string;
}

export type DmarcParseResult =
  | { readonly ok: true; readonly record: DmarcRecord }
  | { readonly ok: false; readonly errors: readonly DmarcSyntaxError[] };

/** Why a tag value is invalid: a class, so that it cannot be mistaken for a parsed string. */
class Problem {
  constructor(readonly message: string) {}
}

// Discovery keeps records whose first tag is v=DMARC1 (RFC 7489 §6.6.3 step 2). The ABNF spells
// "DMARC1" in upper case (%x44 %x4d ...), so a lower-case version is found, then reported.
const DISCOVERY = /^v[ \t]*=[ \t]*dmarc1[ \t]*(?:;|$)/i;
const TAG_NAME = /^[a-z][a-z0-9_]*$/i;
const POLICIES: readonly string[] = ['none', 'quarantine', 'reject'];
const MAX_RI = 2 ** 32 - 1;

/** True when a TXT string would be taken for a DMARC record: its first tag is v=DMARC1. */
export function isDmarcRecord(text: string): boolean {
  return DISCOVERY.test(text);
}

/** Parses one DMARC record. Never throws: anything wrong comes back as errors naming the tag. */
export function parseDmarcRecord(text: string): DmarcParseResult {
  const errors: DmarcSyntaxError[] = [];
  // dmarc-sep = *WSP ";" *WSP; an empty tag between two ";" or after the last is tolerated, as
  // receivers do.
  const tags = text
    .split(';')
    .map((t) => t.replace(/^[ \t]+|[ \t]+$/g, ''))
    .filter((t) => t !== '');
  const values = new Map<string, { raw: string; value: string }>();
  tags.forEach((raw, index) => {
    const eq = raw.indexOf('=');
    if (eq === -1) {
      errors.push({ tag: raw, message: 'a tag must be written name=value' });
      return;
    }
    const name = raw.slice(0, eq).replace(/[ \t]+$/, '');
    const value = raw.slice(eq + 1).replace(/^[ \t]+/, '');
    if (!TAG_NAME.test(name)) {
      errors.push({ tag: raw, message: `"${name}" is not a tag name` });
      return;
    }
    const key = name.toLowerCase();
    if (index === 0 && key !== 'v')
      errors.push({ tag: raw, message: 'the record must begin with v=DMARC1 (RFC 7489 §6.3)' });
    if (index > 0 && key === 'v') errors.push({ tag: raw, message: 'v= may appear only once, as the first tag' });
    else if (values.has(key))
      errors.push({ tag: raw, message: `the ${key}= tag appears more than once, so its meaning is ambiguous` });
    else values.set(key, { raw, value });
  });
  if (tags.length === 0) errors.push({ tag: text, message: 'the record is empty; it must begin with v=DMARC1' });

  const version = values.get('v');
  if (version && version.value !== 'DMARC1')
    errors.push({
      tag: version.raw,
      message: `the version must be exactly "DMARC1" in upper case, not "${version.value}"`,
    });

  const read = <T>(name: string, parse: (value: string) => T | Problem): T | undefined => {
    const tag = values.get(name);
    if (!tag) return undefined;
    const result = parse(tag.value);
    if (result instanceof Problem) {
      errors.push({ tag: tag.raw, message: result.message });
      return undefined;
    }
    return result;
  };
  const p = read('p', parsePolicy);
  if (!values.has('p')) errors.push({ tag: text, message: 'the p= tag is required: p=none, p=quarantine or p=reject' });
  const sp = read('sp', parsePolicy);
  const pct = read('pct', parsePercent);
  const rua = read('rua', parseUriList);
  const ruf = read('ruf', parseUriList);
  const adkim = read('adkim', parseAlignment);
  const aspf = read('aspf', parseAlignment);
  const fo = read('fo', parseFailureOptions);
  const rf = read('rf', parseReportFormats);
  const ri = read('ri', parseInterval);

  if (errors.length > 0 || p === undefined) return { ok: false, errors };
  const known = new Set(['v', 'p', 'sp', 'pct', 'rua', 'ruf', 'adkim', 'aspf', 'fo', 'rf', 'ri']);
  const unknownTags = Object.fromEntries(
    [...values].filter(([name]) => !known.has(name)).map(([name, tag]) => [name, tag.value]),
  );
  return {
    ok: true,
    record: { text, p, sp, pct, rua: rua ?? [], ruf: ruf ?? [], adkim, aspf, fo, rf, ri, unknownTags },
  };
}

function parsePolicy(value: string): DmarcPolicy | Problem {
  const lower = value.toLowerCase();
  return POLICIES.includes(lower)
    ? (lower as DmarcPolicy)
    : new Problem(`"${value}" is not a policy: use none, quarantine or reject`);
}

/** pct = 1*3DIGIT, 0 to 100 (RFC 7489 §6.3). */
function parsePercent(value: string): number | Problem {
  if (!/^[0-9]{1,3}$/.test(value) || Number(value) > 100)
    return new Problem(`"${value}" is not a percentage from 0 to 100`);
  return Number(value);
}

/** ri = 1*DIGIT, a 32-bit unsigned count of seconds (RFC 7489 §6.3). */
function parseInterval(value: string): number | Problem {
  if (!/^[0-9]{1,10}$/.test(value) || Number(value) > MAX_RI)
    return new Problem(`"${value}" is not a number of seconds`);
  return Number(value);
}

function parseAlignment(value: string): DmarcAlignment | Problem {
  const lower = value.toLowerCase();
  return lower === 'r' || lower === 's'
    ? lower
    : new Problem(`"${value}" is not an alignment mode: use r (relaxed) or s (strict)`);
}

/** fo = ( "0" / "1" / "d" / "s" ) *( ":" ... ) (RFC 7489 §6.4). */
function parseFailureOptions(value: string): string[] | Problem {
  const options = value.split(':').map((o) => o.trim().toLowerCase());
  const bad = options.find((o) => !['0', '1', 'd', 's'].includes(o));
  return bad === undefined
    ? options
    : new Problem(`"${bad}" is not a failure-reporting option: use 0, 1, d or s, separated by ":"`);
}

/** rf = Keyword *( ":" Keyword ) (RFC 7489 §6.4); "afrf" is the one registered format. */
function parseReportFormats(value: string): string[] | Problem {
  const formats = value.split(':').map((f) => f.trim().toLowerCase());
  const bad = formats.find((f) => !/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/.test(f));
  return bad === undefined ? formats : new Problem(`"${bad}" is not a report format name (afrf is the registered one)`);
}

/** dmarc-uri *( "," dmarc-uri ), each URI [ "!" size ] (RFC 7489 §6.2, §6.4). */
function parseUriList(value: string): DmarcReportUri[] | Problem {
  const uris: DmarcReportUri[] = [];
  for (const item of value.split(',').map((u) => u.trim())) {
    const uri = parseReportUri(item);
    if (uri instanceof Problem) return uri;
    uris.push(uri);
  }
  return uris;
}

function parseReportUri(text: string): DmarcReportUri | Problem {
  if (text === '') return new Problem('an empty URI in the list (check for a stray ",")');
  // The size limit follows the first "!": a "!" inside the URI itself must be written %21 (RFC 7489 §6.2).
  const bang = text.indexOf('!');
  const uri = bang === -1 ? text : text.slice(0, bang);
  const maxSize = bang === -1 ? undefined : text.slice(bang + 1);
  if (maxSize !== undefined && !/^[0-9]+[kmgt]?$/i.test(maxSize))
    return new Problem(`"!${maxSize}" is not a size limit: write !10m, !500k or a byte count`);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1];
  if (scheme === undefined) return new Problem(`"${uri}" is not a URI: write mailto:reports@example.com`);
  // RFC 7489 §6.2: mailto is the scheme every receiver supports; others are not used in practice.
  if (scheme.toLowerCase() !== 'mailto')
    return new Problem(`"${uri}" uses the ${scheme}: scheme; report URIs must be mailto: addresses`);
  const encoded = uri.slice(scheme.length + 1).split('?', 1)[0] ?? '';
  let address: string;
  try {
    address = decodeURIComponent(encoded);
  } catch {
    return new Problem(`"${uri}" has a broken percent-encoding`);
  }
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  const domain = address.slice(at + 1).toLowerCase();
  if (at <= 0 || /\s/.test(address) || (local.includes('@') && !local.startsWith('"')))
    return new Problem(`"${uri}" does not name a mailbox (local@domain)`);
  if (!/^(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.?$/.test(domain))
    return new Problem(`"${domain}" in "${uri}" is not a domain name`);
  return { uri, address, domain: domain.replace(/\.$/, ''), maxSize };
}
