import { describe, expect, it } from 'vitest';
import { isSharePointUrl } from '../../src/chat/teams/teams-files.js';

describe('where Teams files are fetched from', () => {
  it.each([
    ['https://contoso-my.sharepoint.com/personal/alex/Documents/bounce.eml', true],
    ['https://contoso.sharepoint.com/sites/ops/bounce.eml', true],
    ['http://contoso-my.sharepoint.com/bounce.eml', false],
    ['https://sharepoint.com.evil.example/bounce.eml', false],
    ['https://127.0.0.1/bounce.eml', false],
    ['https://evil.example/contoso.sharepoint.com/bounce.eml', false],
  ])('%s: %s', (url, allowed) => {
    expect(isSharePointUrl(new URL(url))).toBe(allowed);
  });
});
