/**
 * A file sent to the bot in Teams (a saved bounce): in a 1:1 chat Teams attaches it as
 * "application/vnd.microsoft.teams.file.download.info" with a short-lived, pre-authorised
 * downloadUrl on the user's OneDrive (learn.microsoft.com, "Send and receive files using bot").
 * Channels do not pass files to bots. Only SharePoint hosts are fetched, and no more than the cap
 * (plus one byte, so the reader can tell the file was cut).
 */
import type { Attachment } from 'botbuilder';
import { collectBounceBytes } from '../../bounces/bounce-input.js';
import { AppError } from '../../errors.js';

export const TEAMS_FILE_DOWNLOAD = 'application/vnd.microsoft.teams.file.download.info';

/** A download that takes longer is abandoned: a bounce is small. */
const DOWNLOAD_TIMEOUT_MS = 30_000;

/** OneDrive and SharePoint, where Teams keeps files sent in chats. */
export function isSharePointUrl(url: URL): boolean {
  return (
    url.protocol === 'https:' &&
    (url.hostname.endsWith('.sharepoint.com') || url.hostname.endsWith('.sharepoint-df.com'))
  );
}

export function attachedFile(attachments: readonly Attachment[] | undefined): Attachment | undefined {
  return attachments?.find((attachment) => attachment.contentType === TEAMS_FILE_DOWNLOAD);
}

export async function readAttachedFile(
  attachment: Attachment,
  options: { readonly maxBytes: number; readonly allowed: (url: URL) => boolean },
): Promise<Uint8Array> {
  const { downloadUrl } = (attachment.content ?? {}) as { downloadUrl?: unknown };
  if (typeof downloadUrl !== 'string')
    throw new AppError('BAD_INPUT', 'Teams sent the file without a download link; paste the bounce instead.');
  const url = new URL(downloadUrl);
  if (!options.allowed(url))
    throw new AppError(
      'BAD_INPUT',
      `the attached file is served from ${url.host}, not from OneDrive or SharePoint: not read`,
    );
  const response = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  if (!response.ok || !response.body)
    throw new AppError(
      'BAD_INPUT',
      `the attached file could not be downloaded (HTTP ${response.status}); paste the bounce instead.`,
    );
  return collectBounceBytes(response.body, options.maxBytes);
}
