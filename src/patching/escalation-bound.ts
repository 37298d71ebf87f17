/**
 * How late the top of the chain can hear of a patch nobody applies, whatever is clicked (issue 15):
 * the promise the acknowledgement and snooze limits exist to keep, stated as a number that tests
 * and the README can hold the state machine to.
 */
import { ackLimits } from './acknowledgement.js';
import type { EscalationPolicy } from './inventory.js';

/**
 * The longest time from the due date to the first nag at the policy's last level when nobody
 * applies the patch and nobody accepts its risk, with only Acknowledge and Snooze clicked:
 *
 * - the waits of the levels below the last;
 * - per level below the last, and the coming-due reminder, `ack.maxCount` times `ackFor`: an
 *   acknowledgement made just before its level's wait runs out holds it that much longer;
 * - per snooze, its longest length plus the longest wait below the last level: a snooze made just
 *   before a level moves on holds it, then that level starts its wait afresh.
 *
 * Quiet hours come on top (each nag may wait for its recipient's working time); a denied outage
 * window only brings escalation forward.
 */
export function longestEscalationMs(policy: EscalationPolicy): number {
  const below = policy.levels.slice(0, -1).map((level) => level.waitMs);
  const waits = below.reduce((sum, wait) => sum + wait, 0);
  const acknowledgements = (below.length + 1) * ackLimits(policy).maxCount * policy.ackForMs;
  const snoozes = policy.snooze.maxCount * (policy.snooze.maxLengthMs + Math.max(0, ...below));
  return waits + acknowledgements + snoozes;
}
