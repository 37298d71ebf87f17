import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BOUNCE_INPUT_MAX_BYTES, readBounceInput } from '../../src/bounces/bounce-input.js';
import type { BounceParse } from '../../src/bounces/parse-bounce.js';
import { parseBounce } from '../../src/bounces/parse-bounce.js';
import { chooseHypothesis, HYPOTHESES } from '../../src/bounces/hypotheses.js';
import { isAppError } from '../../src/errors.js';

const DIRECTORY = join(import.meta.dirname, '../fixtures/bounces');
const SAMPLES = readdirSync(DIRECTORY)
  .filter((name) => /\.(?:eml|txt)$/.test(name))
  .sort()
  .map((name) => readFileSync(join(DIRECTORY, name), 'utf8'));

const FAMILIES = ['qmail', 'postfix', 'exim', 'exchange', 'sendmail', 'gmail', 'unknown'];
const STEPS = ['dns', 'connect', 'greeting', 'helo', 'starttls', 'mail', 'rcpt', 'data', 'queue-expired', 'unknown'];
const PER_INPUT_MS = 1000;

function expectWellTyped(parse: BounceParse): void {
  expect(FAMILIES).toContain(parse.family);
  expect(STEPS).toContain(parse.step);
  expect(typeof parse.isBounce).toBe('boolean');
  if (parse.dsn !== null) expect(parse.dsn).toMatch(/^[245]\.\d{1,3}\.\d{1,3}$/);
  for (const key of ['remoteReply', 'sender', 'recipient', 'recipientDomain'] as const) {
    expect(parse[key] === null || typeof parse[key] === 'string').toBe(true);
  }
  expect(Array.isArray(parse.hops)).toBe(true);
  for (const hop of parse.hops) {
    for (const key of ['by', 'from', 'software', 'at'] as const)
      expect(hop[key] === null || typeof hop[key] === 'string').toBe(true);
    if (hop.at !== null) expect(new Date(hop.at).toISOString()).toBe(hop.at);
    expect(hop.delaySeconds === null || Number.isInteger(hop.delaySeconds)).toBe(true);
  }
  expect(() => JSON.stringify(parse)).not.toThrow();
  // Whatever was read, a hypothesis is chosen, and it is one of those the catalogue knows.
  expect(HYPOTHESIS_IDS).toContain(chooseHypothesis(parse).id);
}

const HYPOTHESIS_IDS = [...HYPOTHESES.map((h) => h.id)];

/** Parses within the time bound; binary input may be refused, but only with BAD_INPUT. */
async function parseWithinBound(input: string | Uint8Array): Promise<BounceParse | 'refused'> {
  const started = performance.now();
  try {
    const parse = await parseBounce(input);
    expectWellTyped(parse);
    return parse;
  } catch (error) {
    if (isAppError(error, 'BAD_INPUT')) return 'refused';
    throw error;
  } finally {
    expect(performance.now() - started).toBeLessThan(PER_INPUT_MS);
  }
}

/** Cut, duplicate, delete or overwrite a slice of a sample, or splice in random text. */
const mutation = fc.record({
  sample: fc.integer({ min: 0, max: SAMPLES.length - 1 }),
  kind: fc.constantFrom('truncate', 'delete', 'duplicate', 'insert', 'shuffle-lines'),
  at: fc.nat(),
  length: fc.nat({ max: 400 }),
  noise: fc.string({ unit: 'grapheme', maxLength: 200 }),
  seed: fc.nat(),
});

function mutate(m: { sample: number; kind: string; at: number; length: number; noise: string; seed: number }): string {
  const text = SAMPLES[m.sample] ?? '';
  const at = m.at % (text.length + 1);
  switch (m.kind) {
    case 'truncate':
      return text.slice(0, at);
    case 'delete':
      return text.slice(0, at) + text.slice(at + m.length);
    case 'duplicate':
      return text.slice(0, at + m.length) + text.slice(at);
    case 'insert':
      return text.slice(0, at) + m.noise + text.slice(at);
    default: {
      const lines = text.split('\n');
      let seed = m.seed;
      for (let index = lines.length - 1; index > 0; index -= 1) {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        const other = seed % (index + 1);
        [lines[index], lines[other]] = [lines[other] ?? '', lines[index] ?? ''];
      }
      return lines.join('\n');
    }
  }
}

describe('bounce parser robustness', () => {
  it('parses random text without throwing, in time, with well-typed fields', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 2000 }), async (text) => {
        await parseWithinBound(text);
      }),
      { numRuns: 300 },
    );
  });

  it('parses random text made of mail words without throwing', async () => {
    const words = fc.constantFrom(
      'From: ',
      'To: ',
      'Received: ',
      'Subject: ',
      'Content-Type: multipart/report; boundary="b"\n',
      '--b\n',
      '--b--\n',
      'Content-Type: message/delivery-status\n\n',
      'Action: failed\n',
      'Status: 5.1.1\n',
      'Diagnostic-Code: smtp; 550 ',
      '<a@b.test>:\n',
      'deferral: ',
      '(#4.4.3)',
      ' by ',
      ' from ',
      '; ',
      'Tue, 3 Nov 2026 10:00:00 +0100',
      '\n',
      '\n\n',
      ' ',
      '(',
      ')',
      'said: ',
      '(in reply to RCPT TO command)',
      "Remote Server returned '",
      "'",
      '@',
      '=?utf-8?B?',
      '?=',
      'Content-Transfer-Encoding: base64\n',
    );
    await fc.assert(
      fc.asyncProperty(fc.array(words, { maxLength: 200 }), async (parts) => {
        await parseWithinBound(parts.join(''));
      }),
      { numRuns: 300 },
    );
  });

  it('parses mutated corpus samples without throwing, in time', async () => {
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        await parseWithinBound(mutate(m));
      }),
      { numRuns: 300 },
    );
  });

  it('either parses random bytes or refuses them with BAD_INPUT', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4000 }), async (bytes) => {
        await parseWithinBound(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it('gives the empty parse for empty input', async () => {
    expect(await parseBounce('')).toEqual({
      family: 'unknown',
      dsn: null,
      remoteReply: null,
      step: 'unknown',
      sender: null,
      recipient: null,
      recipientDomain: null,
      isBounce: false,
      hops: [],
      reason: null,
    });
    expect(await parseBounce(new Uint8Array())).toEqual(await parseBounce(''));
  });

  it('refuses binary data with a clear BAD_INPUT error', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    await expect(parseBounce(png)).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/binary data/) as unknown,
    });
    const controls = new Uint8Array(1000).map((_, index) => (index % 3 === 0 ? 0x01 : 0x41));
    await expect(parseBounce(controls)).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });

  it('cuts a 10 MB input at the cap and still reads the report at its start', async () => {
    const sample = readFileSync(join(DIRECTORY, 'qmail-cname-bounce.eml'), 'utf8');
    const huge =
      sample +
      'x'
        .repeat(76)
        .concat('\n')
        .repeat(Math.ceil((10 * 1024 * 1024) / 77));
    expect(huge.length).toBeGreaterThan(10 * 1024 * 1024);
    const read = readBounceInput(huge);
    expect(read.truncated).toBe(true);
    expect(new TextEncoder().encode(read.text).length).toBeLessThanOrEqual(BOUNCE_INPUT_MAX_BYTES);
    const started = performance.now();
    const parse = await parseBounce(huge);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(parse).toMatchObject({
      family: 'qmail',
      dsn: '4.4.3',
      step: 'dns',
      recipient: 'bob@partner.test',
      isBounce: true,
    });
  });

  it('parses 10 MB of one long line and of blank lines in time', async () => {
    for (const huge of [
      'a'.repeat(10 * 1024 * 1024),
      '\n'.repeat(10 * 1024 * 1024),
      'From: a@b.test\n'.concat('<x@'.repeat(3 * 1024 * 1024)),
    ]) {
      const started = performance.now();
      expectWellTyped(await parseBounce(huge));
      expect(performance.now() - started).toBeLessThan(5000);
    }
  });

  it('reads a multipart report cut in the middle of its delivery-status part', async () => {
    const sample = readFileSync(join(DIRECTORY, 'postfix-rcpt-bounce.eml'), 'utf8');
    const cut = sample.slice(0, sample.indexOf('Action: failed'));
    const parse = await parseBounce(cut);
    expectWellTyped(parse);
    expect(parse).toMatchObject({
      family: 'postfix',
      recipient: 'f.lang@partner.test',
      dsn: '5.1.1',
      step: 'rcpt',
      isBounce: true,
    });
  });

  it('reads a report whose MIME boundary never comes', async () => {
    const text =
      'From: MAILER-DAEMON@mail.example.net\nTo: a@example.net\nSubject: Undelivered Mail Returned to Sender\nContent-Type: multipart/report; boundary="nowhere"\n\nThis is the mail system at host mail.example.net.\n\n<b@partner.test>: Host or domain name not found. Name service error for name=partner.test type=MX: Host not found, try again\n';
    expect(await parseBounce(text)).toMatchObject({
      family: 'postfix',
      recipient: 'b@partner.test',
      isBounce: true,
      step: 'dns',
    });
  });

  it('parses the worst inputs at four times the cap within a 48 MB heap (its own process: an out-of-memory crash fails it)', async () => {
    const probe = join(import.meta.dirname, '../support/bounce-memory-probe.ts');
    // tsx and the modules take about 25 MB of it; the inputs are 8 MiB each.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--max-old-space-size=48', '--import', 'tsx', probe],
      { timeout: 60_000 },
    );
    expect(stdout.trim().split('\n')).toHaveLength(6);
  }, 60_000);
});
