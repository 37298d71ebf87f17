/**
 * The audit log's settings (.env.example, "Audit log"): its MAC keys and where its checkpoints
 * go. config.ts reads them with its own `read`, so problems are collected with all the others.
 */
import { AppError } from '../errors.js';
import { type AuditKey, type AuditKeyring, auditKeyring, parseAuditKey, parseAuditKeys } from './audit-keys.js';

/** A channel id on one platform: Slack's C0123ABCD, Teams' 19:...@thread.tacv2. */
export interface AuditChannel {
  readonly platform: 'slack' | 'teams';
  readonly id: string;
}

export interface AuditConfig {
  readonly keyring: AuditKeyring;
  readonly checkpointFile: string | undefined;
  readonly channel: AuditChannel | undefined;
  /** Minutes between scheduled checkpoints (workers run the schedule). */
  readonly checkpointMinutes: number;
}

type Read = <T>(key: string, fallback: T, parse: (text: string) => T) => T;

export const DEFAULT_CHECKPOINT_MINUTES = 60;

export function readAuditConfig(
  read: Read,
  parseInteger: (text: string, min: number, max: number, what: string) => number,
): AuditConfig {
  const key = read<AuditKey | undefined>('MXOPS_AUDIT_KEY', undefined, parseAuditKey);
  const previous = read<AuditKey[]>('MXOPS_AUDIT_KEYS', [], parseAuditKeys);
  return {
    keyring: auditKeyring(key, previous),
    checkpointFile: read<string | undefined>('MXOPS_AUDIT_CHECKPOINT_FILE', undefined, (text) => text),
    channel: read<AuditChannel | undefined>('MXOPS_AUDIT_CHANNEL', undefined, parseAuditChannel),
    checkpointMinutes: read('MXOPS_AUDIT_CHECKPOINT_MINUTES', DEFAULT_CHECKPOINT_MINUTES, (text) =>
      parseInteger(text, 1, 10_080, 'minutes between audit checkpoints'),
    ),
  };
}

export function parseAuditChannel(text: string): AuditChannel {
  const match = /^(slack|teams):(\S+)$/i.exec(text);
  if (match === null)
    throw new AppError(
      'BAD_INPUT',
      `"${text}" is not slack:<channel id> (e.g. slack:C0123ABCD) or teams:<channel conversation id> (e.g. teams:19:abc@thread.tacv2)`,
    );
  const platform = match[1]!.toLowerCase() as AuditChannel['platform'];
  const id = match[2]!;
  if (platform === 'slack' && !/^[CG][A-Z0-9]{6,}$/.test(id))
    throw new AppError(
      'BAD_INPUT',
      `"${id}" is not a Slack channel id (C0123ABCD, from the channel's details; not its #name)`,
    );
  if (platform === 'teams' && !id.startsWith('19:'))
    throw new AppError('BAD_INPUT', `"${id}" is not a Teams channel conversation id (19:...@thread.tacv2)`);
  return { platform, id };
}
