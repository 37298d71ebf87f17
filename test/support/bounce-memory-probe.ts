/**
 * Run as its own process under a small heap (`node --max-old-space-size=N --import tsx`): parses
 * the worst inputs at and past the input cap, and exits 0 when every parse finished. The parent
 * test reads an out-of-memory crash as the parser's memory not being bounded.
 */
import { parseBounce } from '../../src/bounces/parse-bounce.js';
import { BOUNCE_INPUT_MAX_BYTES } from '../../src/bounces/bounce-input.js';

const SIZE = BOUNCE_INPUT_MAX_BYTES * 4;

function filled(unit: string): Uint8Array {
  return new TextEncoder().encode(unit.repeat(Math.ceil(SIZE / unit.length)).slice(0, SIZE));
}

const INPUTS: Record<string, () => Uint8Array> = {
  'one endless header line': () =>
    filled('X'.repeat(1000)).map((byte, i) => (i < 9 ? 'Subject: '.charCodeAt(i) : byte)),
  'Received headers only': () =>
    filled(
      'Received: from a.example.net (a.example.net [192.0.2.1]) by b.example.net with ESMTP id x; Tue, 3 Nov 2026 08:12:39 +0000\n',
    ),
  'nested multipart boundaries': () => filled('Content-Type: multipart/mixed; boundary="b"\n\n--b\n'),
  'qmail recipient blocks': () => filled('<bob@partner.test>:\nCNAME lookup failed temporarily. (#4.4.3)\n\n'),
  'angle brackets without end': () => filled('<<<<<<<<<<@@@@@@@@'),
  'delivery-status fields': () => filled('Final-Recipient: rfc822; a@partner.test\nAction: failed\nStatus: 5.1.1\n\n'),
};

for (const [name, make] of Object.entries(INPUTS)) {
  const parse = await parseBounce(make());
  process.stdout.write(`${name}: ${parse.family} ${parse.step}\n`);
}
