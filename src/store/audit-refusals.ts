/**
 * Refused attempts on the record: a click or command that was not allowed (not an approver, not
 * in the owner's chain), or that carried a value mxops never wrote (a forged or stale button). The
 * refused change rolled back with its transaction, so the refusal is written in one of its own,
 * as an entry of its own kind (`refused`): who tried, from which surface, what, on what, and why.
 */
import { auditAppender, type AuditSurface } from './audit-log.js';
import type { OpenDatabase } from './database.js';
import { writeTransaction } from './write-transaction.js';

export const REFUSED_ACTION = 'refused';

/** A forged value can be long: enough of it is kept to recognise it, not to flood the log. */
const MAX_TARGET_LENGTH = 200;

export interface Refusal {
  readonly at: number;
  /** The person's handle if the inventory knows them, else their chat identity (slack:U123). */
  readonly actor: string;
  /** The chat identity whatever the handle: what the platform said (or the console claimed). */
  readonly identity: string;
  readonly surface: AuditSurface;
  /** What was tried: a button's action id (outage-approve) or a typed command (patch ack). */
  readonly attempted: string;
  /** What it was tried on, as given: a button's value, a typed system name. */
  readonly target?: string;
  /** The error code and the reason the person was told. */
  readonly code: string;
  readonly reason: string;
}

export async function auditRefusal(store: OpenDatabase, refusal: Refusal): Promise<void> {
  const target =
    refusal.target === undefined
      ? {}
      : {
          target:
            refusal.target.length > MAX_TARGET_LENGTH
              ? `${refusal.target.slice(0, MAX_TARGET_LENGTH)}...`
              : refusal.target,
        };
  await writeTransaction(store, (trx) =>
    auditAppender(trx).append({
      at: refusal.at,
      actor: refusal.actor,
      action: REFUSED_ACTION,
      surface: refusal.surface,
      details: {
        attempted: refusal.attempted,
        ...target,
        identity: refusal.identity,
        code: refusal.code,
        reason: refusal.reason,
      },
    }),
  );
}
