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
  /** Origins the token may be sent to: https://files.slack.com, and the configured Web API's origin when it is not Slack's (tests). */
  readonly fileOrigins: readonly string[];
  readonly maxBytes: number;
}

/** Where Slack serves url_private downloads. */
export const SLACK_FILE_ORIGIN = 'https://files.slack.com';

/** A download that takes longer is abandoned: a bounce is small. */
const DOWNLOAD_TIMEOUT_MS = 30_000;

export async function readSharedFile(
  client: webApi.WebClient,
  fileId: string,
  options: SharedFileOptions,
): Promise<{ name: string; bytes: Uint8Array }> {
  const info = await client.files.info({ file: fileId });
  const url = info.file?.url_private_download ?? info.file?.url_private;
  if (!url) throw new AppError('BAD_INPUT', `Slack gave no download link for the shared file ${fileId}.`);
  const target = new URL(url);
  // The bot token goes along, so only to Slack's file host over TLS: never in clear, never elsewhere.
  if (!options.fileOrigins.includes(target.origin))
    throw new AppError('BAD_INPUT', `the shared file is served from ${target.origin}, not from Slack: not read`);
  const response = await fetch(target, {
    headers: { authorization: `Bearer ${options.botToken}` },
    redirect: 'manual',
    signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS),
  });
  // Slack redirects to its login page when the token may not read the file (no files:read, or not shared with the bot).
  if (response.status >= 300 && response.status < 400)
    throw new AppError(
      'BAD_INPUT',
      'Slack would not hand the file to mxops (it redirected to a login): is files:read granted, and is the file shared in a channel mxops is in?',
    );
  if (!response.ok || !response.body)
    throw new AppError('BAD_INPUT', `Slack answered ${response.status} when the shared file was downloaded.`);
  const bytes = await collectBounceBytes(response.body, options.maxBytes);
  return { name: info.file?.name ?? fileId, bytes };
}
