/**
 * Reads a file shared with the bot (a bounce saved as .eml), with the bot token, which Slack
 * requires for url_private (docs.slack.dev, "Working with files"). The token goes only to Slack's
 * own file host (or, in tests, to the host the Web API is configured at), and no more than the
 * cap (plus one byte, so the reader can tell the file was cut) is read.
 */
import type { webApi } from '@slack/bolt';
import { collectBounceBytes } from '../../bounces/bounce-input.js';
import { AppError } from '../../errors.js';

export interface SharedFileOptions {
  readonly botToken: string;
  /** Hosts the token may be sent to: files.slack.com, and the configured API host when it is not Slack's. */
  readonly fileHosts: readonly string[];
  readonly maxBytes: number;
}

/** Where Slack serves url_private downloads. */
export const SLACK_FILE_HOST = 'files.slack.com';

export async function readSharedFile(client: webApi.WebClient, fileId: string, options: SharedFileOptions): Promise<{ name: string; bytes: Uint8Array }> {
  const info = await client.files.info({ file: fileId });
  const url = info.file?.url_private_download ?? info.file?.url_private;
  if (!url) throw new AppError('BAD_INPUT', `Slack gave no download link for the shared file ${fileId}.`);
  const target = new URL(url);
  if (!options.fileHosts.includes(target.host)) throw new AppError('BAD_INPUT', `the shared file is served from ${target.host}, not from Slack: not read`);
  const response = await fetch(target, { headers: { authorization: `Bearer ${options.botToken}` }, redirect: 'error' });
  if (!response.ok || !response.body) throw new AppError('BAD_INPUT', `Slack answered ${response.status} when the shared file was downloaded.`);
  const bytes = await collectBounceBytes(response.body, options.maxBytes);
  return { name: info.file?.name ?? fileId, bytes };
}
