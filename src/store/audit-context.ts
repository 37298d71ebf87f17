/**
 * What the audit appender needs beyond the transaction it writes in: the store's MAC keys, and
 * whom to tell once entries have committed (the checkpointer). The composition root attaches them
 * to the opened store (useStoreAudit); writeTransaction binds each transaction to its store's, so
 * the many store modules that audit keep calling auditAppender(trx) and need not pass keys around.
 * A store nobody attached anything to writes a plain chain and tells no one (tests, scripts).
 */
import { type AuditKeyring, NO_AUDIT_KEYS } from './audit-keys.js';
import type { OpenDatabase } from './database.js';

export interface AuditHead {
  readonly seq: number;
  readonly hash: string;
}

export interface AuditCommit {
  /** The last entry the transaction wrote. */
  readonly head: AuditHead;
  /** Who wrote its entries from where: a checkpoint follows a person's act, not the scheduler's. */
  readonly entries: readonly { readonly action: string; readonly surface: string }[];
}

export interface StoreAudit {
  readonly keyring: AuditKeyring;
  /** After a write transaction that appended entries commits. Must not throw: the change is done. */
  readonly committed?: (commit: AuditCommit) => Promise<void>;
}

/** What one write transaction appended so far. */
export interface TransactionAudit {
  readonly keyring: AuditKeyring;
  head: AuditHead | undefined;
  readonly entries: { action: string; surface: string }[];
}

const byStore = new WeakMap<OpenDatabase, StoreAudit>();
const byTransaction = new WeakMap<object, TransactionAudit>();

export function useStoreAudit(store: OpenDatabase, audit: StoreAudit): void {
  byStore.set(store, audit);
}

export function storeAudit(store: OpenDatabase): StoreAudit | undefined {
  return byStore.get(store);
}

/** For writeTransaction: `bind` each transaction handle before work runs in it, `committed` after the commit. */
export function auditTransaction(store: OpenDatabase): {
  bind<T extends object>(trx: T): T;
  committed(): Promise<void>;
} {
  const settings = byStore.get(store);
  const state: TransactionAudit = { keyring: settings?.keyring ?? NO_AUDIT_KEYS, head: undefined, entries: [] };
  return {
    bind(trx) {
      byTransaction.set(trx, state);
      return trx;
    },
    async committed() {
      if (state.head === undefined || settings?.committed === undefined) return;
      await settings.committed({ head: state.head, entries: state.entries });
    },
  };
}

/** The state of the transaction `trx` is, if writeTransaction bound it. */
export function transactionAudit(trx: object): TransactionAudit | undefined {
  return byTransaction.get(trx);
}
