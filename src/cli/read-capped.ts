/**
 * Reads a file or standard input for `mxops bounce` up to the input cap (and one byte more, so the
 * reader can tell it was cut): `mxops bounce huge.mbox` or a runaway pipe must not fill the memory.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { collectBounceBytes } from '../bounces/bounce-input.js';
import { AppError } from '../errors.js';
import { fileErrorWords } from '../file-error.js';

export async function readCappedFile(path: string): Promise<Uint8Array> {
  try {
    return await collectBounceBytes(createReadStream(path));
  } catch (error) {
    throw new AppError('BAD_INPUT', `cannot read ${path}: ${fileErrorWords(error)}`);
  }
}

export function readCappedStream(stream: Readable): Promise<Uint8Array> {
  return collectBounceBytes(stream as AsyncIterable<Uint8Array | string>);
}

/**
 * Standard input, capped. On a terminal someone is typing or pasting, and a command that waits
 * without a word looks hung: it says what it reads and how to end (to stderr, so output stays clean).
 */
export function readCappedStandardInput(what: string): Promise<Uint8Array> {
  if (process.stdin.isTTY)
    process.stderr.write(
      `mxops: reading ${what} from the terminal; paste it, then press Ctrl-D on a line of its own\n`,
    );
  return readCappedStream(process.stdin);
}
