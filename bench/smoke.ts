/**
 * Smoke mode, what CI runs (test/bench/smoke.test.ts, bench/README.md "Smoke mode (CI)"): with
 * BENCH_SMOKE=1 a bench runs at small sizes, once, and checks its goal with a margin wide enough
 * for a busy 2-core machine and narrow enough that a 2x regression fails.
 */

export const SMOKE = process.env.BENCH_SMOKE === '1';

interface Measured {
  /** What is measured, as the line should read: "queued over in-process". */
  readonly what: string;
  readonly value: number;
  /** Printed after the numbers: " ms", "x". */
  readonly unit?: string;
  /** Where the limit comes from: "twice the goal of 1.3x". */
  readonly why: string;
}

/** A measurement and at least one bound. */
export type Goal = Measured &
  ({ readonly atMost: number; readonly atLeast?: number } | { readonly atMost?: number; readonly atLeast: number });

/**
 * Prints the goal's line either way; a miss (NaN, a measurement that never came, is one) also makes
 * the exit status 1, and the bench carries on to its clean-up and ends as usual.
 */
export function checkGoal(goal: Goal): boolean {
  const unit = goal.unit ?? '';
  const ok =
    (goal.atMost === undefined || goal.value <= goal.atMost) &&
    (goal.atLeast === undefined || goal.value >= goal.atLeast);
  const bounds =
    goal.atLeast === goal.atMost
      ? `exactly ${goal.atMost}${unit}`
      : [
          ...(goal.atLeast === undefined ? [] : [`at least ${goal.atLeast}${unit}`]),
          ...(goal.atMost === undefined ? [] : [`at most ${goal.atMost}${unit}`]),
        ].join(' and ');
  const line = `${goal.what}: ${shown(goal.value)}${unit} (${bounds}: ${goal.why})`;
  if (ok) console.log(`goal met:    ${line}`);
  else {
    console.error(`GOAL MISSED: ${line}`);
    process.exitCode = 1;
  }
  return ok;
}

/**
 * A precondition of a goal, such as "the slow host was probed": without it a time limit could pass
 * because the work was skipped. Prints the statement either way; false makes the exit status 1.
 */
export function checkThat(statement: string, holds: boolean): boolean {
  if (holds) console.log(`holds:       ${statement}`);
  else {
    console.error(`FAILED:      ${statement}`);
    process.exitCode = 1;
  }
  return holds;
}

/** Three significant digits, whole numbers as they are: 1.45, 0.912, 177, 1200. */
function shown(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(3)));
}
