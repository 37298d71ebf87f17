import { readHeaderBlock, headerValue } from './header-block.js';

/** One per-recipient block of a message/delivery-status part (RFC 3464 §2.3). */
export interface RecipientStatus {
  readonly recipient: string | null;
  readonly action: string | null;
  readonly status: string | null;
  /** The Diagnostic-Code type ('smtp', 'x-postfix', ...) and its text. */
  readonly diagnosticType: string | null;
  readonly diagnostic: string | null;
  readonly remoteMta: string | null;
}

export interface DeliveryStatus {
  readonly reportingMta: string | null;
  readonly recipients: readonly RecipientStatus[];
}

/** 'rfc822; bob@partner.test' -> 'bob@partner.test' (RFC 3464 §2.1.2, address-type ; address). */
function typedValue(value: string | undefined): { type: string | null; text: string | null } {
  if (value === undefined) return { type: null, text: null };
  const semicolon = value.indexOf(';');
  if (semicolon < 0) return { type: null, text: value.trim() || null };
  return {
    type: value.slice(0, semicolon).trim().toLowerCase() || null,
    text: value.slice(semicolon + 1).trim() || null,
  };
}

function isRecipientBlock(fields: ReturnType<typeof readHeaderBlock>['fields']): boolean {
  return fields.some((field) => field.name === 'final-recipient' || field.name === 'action');
}

export function readDeliveryStatus(text: string): DeliveryStatus {
  // Blocks are separated by empty lines: the per-message block first, then one per recipient.
  const blocks = text
    .replace(/\r\n/g, '\n')
    .split(/\n[ \t]*\n/)
    .filter((block) => block.trim() !== '');
  const read = blocks.map((block) => readHeaderBlock(block.replace(/^\n+/, '')).fields);
  const [first] = read;
  // The per-message block comes first; a status pasted without it starts with a recipient's block.
  const others =
    first !== undefined && isRecipientBlock(first) && !headerValue(first, 'reporting-mta') ? read : read.slice(1);
  const recipients = others
    .filter((fields) =>
      fields.some(
        (field) => field.name === 'final-recipient' || field.name === 'original-recipient' || field.name === 'action',
      ),
    )
    .map((fields): RecipientStatus => {
      const diagnostic = typedValue(headerValue(fields, 'diagnostic-code'));
      const recipient = typedValue(
        headerValue(fields, 'final-recipient') ?? headerValue(fields, 'original-recipient'),
      ).text;
      const status = /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(headerValue(fields, 'status') ?? '')?.[1] ?? null;
      return {
        recipient: recipient === null ? null : recipient.replace(/^<|>$/g, ''),
        action: headerValue(fields, 'action')?.trim().toLowerCase().split(/\s/)[0] ?? null,
        status,
        diagnosticType: diagnostic.type,
        diagnostic: diagnostic.text,
        remoteMta: typedValue(headerValue(fields, 'remote-mta')).text,
      };
    });
  return {
    reportingMta: typedValue(first === undefined ? undefined : headerValue(first, 'reporting-mta')).text,
    recipients,
  };
}
