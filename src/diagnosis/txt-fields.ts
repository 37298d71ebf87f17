/**
 * The field syntax MTA-STS (RFC 8461 §3.1) and TLS-RPT (RFC 8460 §3) TXT records share:
 * "v=...; name=value; ..." with `*WSP ";" *WSP` between fields, and extension fields whose names
 * and values are restricted so that records stay parseable.
 */

export interface TxtField {
  /** As written, for error messages. */
  readonly raw: string;
  readonly name: string;
  readonly value: string;
}

export interface FieldError {
  /** The offending field as written, or the whole record when no single field is at fault. */
  readonly field: string;
  readonly message: string;
}

/** ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".") */
const EXTENSION_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
/** ext-value = 1*(%x21-3A / %x3C / %x3E-7E): printable ASCII without space, ";" and "=". */
const EXTENSION_VALUE = /^[\x21-\x3a\x3c\x3e-\x7e]+$/;

/**
 * Splits a record into fields. Empty fields (";;" or a trailing ";") are skipped, as parsers
 * in the wild do; a field without "=" is an error. No spaces are allowed around "=".
 */
export function splitFields(text: string): { fields: TxtField[]; errors: FieldError[] } {
  const fields: TxtField[] = [];
  const errors: FieldError[] = [];
  for (const raw of text.split(';').map((f) => f.replace(/^[ \t]+|[ \t]+$/g, ''))) {
    if (raw === '') continue;
    const eq = raw.indexOf('=');
    if (eq <= 0) errors.push({ field: raw, message: 'a field must be written name=value' });
    else fields.push({ raw, name: raw.slice(0, eq), value: raw.slice(eq + 1) });
  }
  return { fields, errors };
}

/** The error for an extension field, or undefined when it is well formed (its meaning is ignored). */
export function extensionError(field: TxtField): FieldError | undefined {
  if (!EXTENSION_NAME.test(field.name))
    return {
      field: field.raw,
      message: `"${field.name}" is not a field name (letters, digits, "_", "-", "." and no spaces)`,
    };
  if (!EXTENSION_VALUE.test(field.value))
    return {
      field: field.raw,
      message: `the value of ${field.name} must be printable characters without spaces, ";" or "="`,
    };
  return undefined;
}

/**
 * Checks that the first field is exactly `v=<version>` (the ABNF's %s: case-sensitive) and that
 * v= appears nowhere else.
 */
export function versionErrors(fields: readonly TxtField[], version: string, text: string): FieldError[] {
  const errors: FieldError[] = [];
  const first = fields[0];
  if (!first || first.name !== 'v' || first.value !== version)
    errors.push({ field: first?.raw ?? text, message: `the record must begin with v=${version}, exactly so written` });
  fields.slice(1).forEach((f) => {
    if (f.name.toLowerCase() === 'v')
      errors.push({ field: f.raw, message: 'v= may appear only once, as the first field' });
  });
  return errors;
}
