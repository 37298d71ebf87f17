/**
 * Reads a file or a stream up to a cap (and one byte more, so the reader can tell it was cut):
 * `mxops bounce huge.mbox` or a runaway pipe must not fill the memory.
 */
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { AppError } from '../errors.js';

export async function readCappedFile(path: string, cap: number): Promise<Uint8Array> {
  let file;
  try {
    file = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : String(code ?? error);
    throw new AppError('BAD_INPUT', `cannot read ${path}: ${why}`);
  }
  try {
    const buffer = Buffer.alloc(cap + 1);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await file.read(buffer, filled, buffer.length - filled, null).catch((error: NodeJS.ErrnoException) => {
        throw new AppError('BAD_INPUT', `cannot read ${path}: ${error.code === 'EISDIR' ? 'it is a directory' : (error.code ?? error.message)}`);
      });
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } finally {
    await file.close();
  }
}

export async function readCappedStream(stream: Readable, cap: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    chunks.push(bytes);
    total += bytes.length;
    if (total > cap) break;
  }
  return Buffer.concat(chunks).subarray(0, cap + 1);
}
