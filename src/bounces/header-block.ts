/** One header field, unfolded (RFC 5322 §2.2.3), its name in lower case. */
export interface HeaderField {
  readonly name: string;
  readonly value: string;
}

const FIELD = /^([!-9;-~]+)[ \t]*:[ \t]*(.*)$/;

const MESSAGE_FIELDS = new Set([
  'from',
  'to',
  'subject',
  'date',
  'received',
  'return-path',
  'message-id',
  'mime-version',
  'content-type',
  'delivered-to',
  'sender',
  'reply-to',
  'envelope-to',
]);

/**
 * True when the text starts with a message's header block. A log line such as
 * 'deferral: CNAME_lookup_failed...' is a field by syntax, so one of a message's own fields must be there.
 */
export function startsWithHeaders(text: string): boolean {
  return readHeaderBlock(text.slice(0, 256 * 1024)).fields.some((field) => MESSAGE_FIELDS.has(field.name));
}

/**
 * Reads header fields up to the first empty line; stops at the first line that is neither a
 * field nor a continuation, so a header block pasted with the body after it still reads.
 */
export function readHeaderBlock(text: string): { readonly fields: readonly HeaderField[]; readonly rest: string } {
  const lines = text.split(/\r?\n/);
  const fields: { name: string; value: string }[] = [];
  let index = 0;
  // An mbox 'From ' separator line before the headers.
  if (lines[0]?.startsWith('From ') && !lines[0].includes(':')) index = 1;
  for (; index < lines.length; index += 1) {
    const line = lines[index] ?? '';
    if (line.trim() === '') {
      index += 1;
      break;
    }
    const last = fields[fields.length - 1];
    if (/^[ \t]/.test(line) && last) {
      last.value = `${last.value} ${line.trim()}`;
      continue;
    }
    const match = FIELD.exec(line);
    if (!match) break;
    fields.push({ name: (match[1] ?? '').toLowerCase(), value: (match[2] ?? '').trim() });
  }
  return { fields, rest: lines.slice(index).join('\n') };
}

export function headerValue(fields: readonly HeaderField[], name: string): string | undefined {
  return fields.find((field) => field.name === name)?.value;
}

export function headerValues(fields: readonly HeaderField[], name: string): string[] {
  return fields.filter((field) => field.name === name).map((field) => field.value);
}
