import { describe, expect, it } from 'vitest';
import { collectBounceBytes } from '../../src/bounces/bounce-input.js';

async function* chunks(...parts: (string | Uint8Array)[]): AsyncGenerator<string | Uint8Array> {
  for (const part of parts) yield part;
}

describe('collectBounceBytes', () => {
  it('joins chunks of text and bytes', async () => {
    expect(
      new TextDecoder().decode(await collectBounceBytes(chunks('Subject: x\n', new TextEncoder().encode('body')))),
    ).toBe('Subject: x\nbody');
  });

  it('keeps the cap and one byte more, and stops reading there', async () => {
    let pulled = 0;
    async function* endless(): AsyncGenerator<Uint8Array> {
      for (;;) {
        pulled += 1;
        yield new Uint8Array(4).fill(0x61);
      }
    }
    const bytes = await collectBounceBytes(endless(), 10);
    expect(bytes.length).toBe(11);
    expect(pulled).toBe(3);
  });

  it('gives nothing for nothing', async () => {
    expect((await collectBounceBytes(chunks())).length).toBe(0);
  });
});
