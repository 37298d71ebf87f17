/**
 * Who a nag at a given level reaches. Every nag goes into the patch's thread in the system's team
 * channel; `team-channel` also shows it in the channel, and the person targets get a direct
 * message. Quiet hours follow the first person the level names (the owner for a channel-only level).
 */
import type { EscalationLevel, EscalationPolicy, Person } from './inventory.js';

export interface NagRecipients {
  /** Direct messages, each person once, in the order the level names them. */
  readonly people: readonly Person[];
  /** Whether the nag is also shown in the channel itself, not only in the thread. */
  readonly broadcast: boolean;
  /** Whose working hours decide when the nag may go out. */
  readonly timekeeper: Person;
  /** Targets the level names that nobody fills (an owner with no manager...), to say so. */
  readonly unfilled: readonly string[];
}

/**
 * `chain` is the owner's management chain, owner first (inventory-queries managementChain).
 * `leaders` are the policy's named leaders, or none to use the top of the chain.
 * Level -1 is the coming-due reminder: the owner alone.
 */
export function nagRecipients(
  level: number,
  policy: EscalationPolicy,
  chain: readonly Person[],
  leaders: readonly Person[],
): NagRecipients {
  const owner = chain[0]!;
  const targets: EscalationLevel['targets'] =
    level < 0 ? ['owner'] : policy.levels[Math.min(level, policy.levels.length - 1)]!.targets;
  const people: Person[] = [];
  const unfilled: string[] = [];
  const add = (person: Person | undefined, target: string): void => {
    if (person === undefined) unfilled.push(target);
    else if (!people.some((known) => known.handle === person.handle)) people.push(person);
  };
  for (const target of targets) {
    if (target === 'owner') add(owner, target);
    else if (target === 'manager') add(chain[1], target);
    else if (target === 'leadership') {
      if (leaders.length > 0) for (const leader of leaders) add(leader, target);
      else add(chain.length > 2 ? chain[chain.length - 1] : undefined, target);
    }
  }
  return { people, broadcast: targets.includes('team-channel'), timekeeper: people[0] ?? owner, unfilled };
}
