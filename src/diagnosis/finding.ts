/**
 * Findings, not exceptions (DESIGN.md): a check reports everything it learns as immutable data,
 * including "we could not tell".
 */

/** Worst first. `fail`: the partner's setup is wrong. `error`: we could not decide. */
export const STATUSES = ['error', 'fail', 'warn', 'info', 'skipped', 'pass'] as const;
export type Status = (typeof STATUSES)[number];

export type EvidenceValue =
  string | number | boolean | null | readonly EvidenceValue[] | { readonly [key: string]: EvidenceValue };
export type Evidence = { readonly [key: string]: EvidenceValue };

export interface Finding {
  /** Stable dotted id, part of the interface: users filter and alert on it. Never reworded. */
  readonly id: string;
  readonly status: Status;
  /** What the finding is about: a domain, a host, a server address. */
  readonly subject: string;
  /** One sentence. */
  readonly summary: string;
  readonly evidence: Evidence;
  /** What to change; empty for pass and info findings that need nothing. */
  readonly remedy: string;
  /** RFC section or other source. */
  readonly ref: string;
}

export function finding(
  fields: Omit<Finding, 'remedy' | 'ref' | 'evidence'> & Partial<Pick<Finding, 'remedy' | 'ref' | 'evidence'>>,
): Finding {
  return Object.freeze({ evidence: {}, remedy: '', ref: '', ...fields });
}

/** Orders by severity: negative when `a` is worse than `b`. */
export function compareStatus(a: Status, b: Status): number {
  return STATUSES.indexOf(a) - STATUSES.indexOf(b);
}

/** The worst status present (DESIGN.md order), `pass` for an empty list. */
export function worstStatus(findings: readonly Finding[]): Status {
  return findings.reduce<Status>((worst, f) => (compareStatus(f.status, worst) < 0 ? f.status : worst), 'pass');
}
