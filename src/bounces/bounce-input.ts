import { AppError } from '../errors.js';

/**
 * Bounces, headers and log lines are small; a report with the whole original message attached
 * is rarely over a few hundred kB. Everything that tells what went wrong (the report, the
 * delivery-status part, the returned headers) comes first, so longer input is cut, not refused.
 */
export const BOUNCE_INPUT_MAX_BYTES = 2 * 1024 * 1024;

export interface BounceText {
  readonly text: string;
  /** True when the input was longer than BOUNCE_INPUT_MAX_BYTES and only its start was read. */
  readonly truncated: boolean;
  readonly bytes: number;
}

const SAMPLE_BYTES = 64 * 1024;

/**
 * Decodes the input (UTF-8, invalid bytes replaced), cuts it at BOUNCE_INPUT_MAX_BYTES and
 * refuses binary data with AppError BAD_INPUT: a NUL byte, or more than 1 in 10 control bytes
 * in the first 64 kB. Mail is text (RFC 5322 §2.1); a picture or an archive is a wrong paste.
 */
export function readBounceInput(input: string | Uint8Array): BounceText {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  const truncated = bytes.length > BOUNCE_INPUT_MAX_BYTES;
  const kept = truncated ? bytes.subarray(0, BOUNCE_INPUT_MAX_BYTES) : bytes;
  const sample = kept.subarray(0, SAMPLE_BYTES);
  let controls = 0;
  for (const byte of sample) {
    if (byte === 0) {
      throw new AppError(
        'BAD_INPUT',
        'This looks like binary data (it contains NUL bytes), not a bounce, message headers or a log line. Paste the text of the report.',
      );
    }
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c) controls += 1;
  }
  if (sample.length > 0 && controls * 10 > sample.length) {
    throw new AppError(
      'BAD_INPUT',
      `This looks like binary data (${controls} control bytes in the first ${sample.length}), not a bounce, message headers or a log line. Paste the text of the report.`,
    );
  }
  // A cut may split a UTF-8 sequence; the decoder replaces the partial character.
  const text =
    typeof input === 'string' && !truncated ? input : new TextDecoder('utf-8', { fatal: false }).decode(kept);
  return { text, truncated, bytes: bytes.length };
}

/**
 * Collects a stream of chunks (a file, standard input, a download) up to BOUNCE_INPUT_MAX_BYTES
 * and one byte more, so readBounceInput can tell the input was cut; the rest is never read.
 */
export async function collectBounceBytes(
  chunks: AsyncIterable<Uint8Array | string>,
  maxBytes = BOUNCE_INPUT_MAX_BYTES,
): Promise<Uint8Array> {
  const kept: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of chunks) {
    const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
    kept.push(bytes);
    total += bytes.length;
    if (total > maxBytes) break;
  }
  const joined = new Uint8Array(Math.min(total, maxBytes + 1));
  let offset = 0;
  for (const bytes of kept) {
    const part = bytes.subarray(0, joined.length - offset);
    joined.set(part, offset);
    offset += part.length;
    if (offset >= joined.length) break;
  }
  return joined;
}
