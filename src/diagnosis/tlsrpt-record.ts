/** The TLS-RPT TXT record at _smtp._tls.<domain> (RFC 8460 §3). Reads text only. */
import { extensionError, splitFields, versionErrors, type FieldError } from './txt-fields.js';

export interface TlsRptDestination {
  readonly uri: string;
  readonly scheme: 'mailto' | 'https';
}

export interface TlsRptRecord {
  readonly text: string;
  readonly rua: readonly TlsRptDestination[];
  readonly extensions: Readonly<Record<string, string>>;
}

export type TlsRptRecordResult =
  { readonly ok: true; readonly record: TlsRptRecord } | { readonly ok: false; readonly errors: readonly FieldError[] };

// Senders keep only records that begin with "v=TLSRPTv1;" (RFC 8460 §3); near misses are found
// here so they can be reported.
const DISCOVERY = /^[ \t]*v[ \t]*=[ \t]*tlsrptv1[ \t]*(?:;|$)/i;
const MAILBOX =
  /^[^@\s]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export function isTlsRptRecord(text: string): boolean {
  return DISCOVERY.test(text);
}

/** Parses one record. Never throws: problems come back naming the field. */
export function parseTlsRptRecord(text: string): TlsRptRecordResult {
  const { fields, errors } = splitFields(text);
  errors.push(...versionErrors(fields, 'TLSRPTv1', text));
  const ruas = fields.filter((f) => f.name === 'rua');
  if (ruas.length === 0)
    errors.push({ field: text, message: 'the rua= field is required: where reports go, mailto: or https:' });
  if (ruas.length > 1)
    errors.push({
      field: ruas[1]?.raw ?? text,
      message: 'rua= appears more than once; list every destination in one rua=, separated by ","',
    });
  const rua: TlsRptDestination[] = [];
  const first = ruas[0];
  if (first) {
    // tlsrpt-rua = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri); a "," inside a URI is %2C.
    for (const uri of first.value.split(',').map((u) => u.trim())) {
      const destination = parseDestination(uri);
      if (typeof destination === 'string') errors.push({ field: first.raw, message: destination });
      else rua.push(destination);
    }
  }
  const extensions: Record<string, string> = {};
  for (const field of fields.slice(1)) {
    if (field.name === 'rua' || field.name.toLowerCase() === 'v') continue;
    const problem = extensionError(field);
    if (problem) errors.push(problem);
    else extensions[field.name] = field.value;
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, record: { text, rua, extensions } };
}

/** A destination, or why it is not one. RFC 8460 §3 defines mailto: and https: only. */
function parseDestination(uri: string): TlsRptDestination | string {
  if (uri === '') return 'an empty URI in rua= (check for a stray ",")';
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1]?.toLowerCase();
  if (scheme === 'mailto') {
    let address: string;
    try {
      address = decodeURIComponent(uri.slice('mailto:'.length).split('?', 1)[0] ?? '');
    } catch {
      return `"${uri}" has a broken percent-encoding`;
    }
    return MAILBOX.test(address) ? { uri, scheme } : `"${uri}" does not name a mailbox (mailto:local@domain)`;
  }
  if (scheme === 'https') {
    try {
      const url = new URL(uri);
      if (url.hostname !== '') return { uri, scheme };
    } catch {
      // falls through to the message below
    }
    return `"${uri}" is not an https URL`;
  }
  return scheme === undefined
    ? `"${uri}" is not a URI: write mailto:tls-reports@example.com or https://...`
    : `"${uri}" uses the ${scheme}: scheme; TLS-RPT reports go to mailto: or https: URIs only`;
}
