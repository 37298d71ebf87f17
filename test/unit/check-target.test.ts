import { describe, expect, it } from 'vitest';
import { parseCheckTarget } from '../../src/diagnosis/check-target.js';
import { AppError } from '../../src/errors.js';

describe('parseCheckTarget', () => {
  it('probes postmaster of a bare domain (RFC 5321 §4.5.1)', () => {
    expect(parseCheckTarget(' Partner.Test. ')).toEqual({
      domain: 'partner.test',
      recipient: 'postmaster@partner.test',
      recipientGiven: false,
    });
  });

  it('keeps the local part of an address as typed and converts an IDN domain', () => {
    expect(parseCheckTarget('Jane.Doe+invoices@bücher.example')).toEqual({
      domain: 'xn--bcher-kva.example',
      recipient: 'Jane.Doe+invoices@xn--bcher-kva.example',
      recipientGiven: true,
    });
  });

  it.each([
    [
      '@partner.test',
      '"@partner.test" has nothing before the @: give a full address (someone@partner.test) or just the domain',
    ],
    [
      'jane doe@partner.test',
      '"jane doe" is not a mailbox name mxops can probe: use letters, digits and . _ + - (no spaces, quotes or leading/trailing dots)',
    ],
    [
      '"quoted"@partner.test',
      '""quoted"" is not a mailbox name mxops can probe: use letters, digits and . _ + - (no spaces, quotes or leading/trailing dots)',
    ],
    [
      '.jane@partner.test',
      '".jane" is not a mailbox name mxops can probe: use letters, digits and . _ + - (no spaces, quotes or leading/trailing dots)',
    ],
    [
      `${'x'.repeat(65)}@partner.test`,
      `the part before @ in "${'x'.repeat(65)}@partner.test" is 65 characters; at most 64 are allowed (RFC 5321 §4.5.3.1.1)`,
    ],
    ['jane@192.0.2.1', '"192.0.2.1" is an IP address; give the mail domain (the part after @), not a server address'],
  ])('refuses %s', (input, message) => {
    let caught: unknown;
    try {
      parseCheckTarget(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect(caught).toMatchObject({ code: 'BAD_INPUT', message });
  });
});
