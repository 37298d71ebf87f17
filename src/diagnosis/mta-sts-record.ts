/** The MTA-STS TXT record at _mta-sts.<domain> (RFC 8461 §3.1). Reads text only. */
import { extensionError, splitFields, versionErrors, type FieldError } from './txt-fields.js';

export interface MtaStsRecord {
  readonly text: string;
  /** Changes whenever the policy does, so senders know to fetch it again. */
  readonly id: string;
  /** Well-formed fields this parser does not know; senders ignore them (RFC 8461 §3.1). */
  readonly extensions: Readonly<Record<string, string>>;
}

export type MtaStsRecordResult =
  { readonly ok: true; readonly record: MtaStsRecord } | { readonly ok: false; readonly errors: readonly FieldError[] };

// Senders keep only records that begin with "v=STSv1;" (RFC 8461 §3.1). This looser test also
// catches near misses ("v=stsv1", "v = STSv1") so they are reported rather than called missing.
const DISCOVERY = /^[ \t]*v[ \t]*=[ \t]*stsv1[ \t]*(?:;|$)/i;
/** sts-id = 1*32(ALPHA / DIGIT) */
const ID = /^[A-Za-z0-9]{1,32}$/;

export function isMtaStsRecord(text: string): boolean {
  return DISCOVERY.test(text);
}

/** Parses one record. Never throws: problems come back naming the field. */
export function parseMtaStsRecord(text: string): MtaStsRecordResult {
  const { fields, errors } = splitFields(text);
  errors.push(...versionErrors(fields, 'STSv1', text));
  const ids = fields.filter((f) => f.name === 'id');
  if (ids.length === 0) errors.push({ field: text, message: 'the id= field is required (1 to 32 letters and digits)' });
  if (ids.length > 1)
    errors.push({
      field: ids[1]?.raw ?? text,
      message: 'id= appears more than once, so senders cannot tell which policy is current',
    });
  const id = ids[0];
  if (id && !ID.test(id.value))
    errors.push({
      field: id.raw,
      message: `"${id.value}" is not a policy id: use 1 to 32 letters and digits, e.g. a date 20260101T000000`,
    });
  const extensions: Record<string, string> = {};
  for (const field of fields.slice(1)) {
    if (field.name === 'id' || field.name.toLowerCase() === 'v') continue;
    const problem = extensionError(field);
    if (problem) errors.push(problem);
    else extensions[field.name] = field.value;
  }
  if (errors.length > 0 || !id) return { ok: false, errors };
  return { ok: true, record: { text, id: id.value, extensions } };
}
