import type { Clock } from '../src/clock.js';
import type { Queue } from 'bullmq';
import { enqueueOutageSteps } from '../src/queue/outage-jobs.js';
import { enqueueNags } from '../src/queue/patch-jobs.js';
import { dueOutageSteps, type OutageStepId } from '../src/store/outage-steps.js';
import type { OpenDatabase } from '../src/store/database.js';
import { type NagId, sweepDuePatches, unsentNags } from '../src/store/escalation-sweep.js';

/** What a sweep job returns (kept by BullMQ with the job: counts, not lists). */
export interface SweepSummary {
  readonly examined: number;
  readonly planned: number;
  readonly deferred: number;
  readonly exhausted: number;
  readonly enqueued: number;
  readonly outageSteps: number;
}

export interface PatchSweepDeps {
  readonly store: OpenDatabase;
  readonly nagQueue: Queue<NagId>;
  /** Where due follow-through steps of approved outage windows go; none: not handed over. */
  readonly outageStepQueue?: Queue<OutageStepId>;
  /** Wall time: due dates, claims and the audit log are calendar times. */
  readonly clock: Clock;
  readonly batchSize?: number;
  /** Closes outage requests that expired undecided (and replaces their cards); none: left pending. */
  readonly expireOutages?: (now: number) => Promise<unknown>;
}

/**
 * The recurring sweep: advances what is due and records the nags (in the database, exactly once),
 * then hands every nag not yet sent to the nag queue. Handing over again what an earlier sweep
 * recorded is how a sweep killed between its commit and its enqueue loses nothing; the job ids
 * make the second hand-over a no-op.
 */
export function createPatchSweepProcessor(deps: PatchSweepDeps) {
  return async (): Promise<SweepSummary> => {
    const result = await sweepDuePatches(
      deps.store,
      deps.clock.wallMs(),
      deps.batchSize !== undefined ? { batchSize: deps.batchSize } : {},
    );
    await deps.expireOutages?.(deps.clock.wallMs());
    const unsent = await unsentNags(deps.store.db);
    await enqueueNags(deps.nagQueue, unsent);
    const steps = deps.outageStepQueue ? await dueOutageSteps(deps.store.db, deps.clock.wallMs()) : [];
    if (deps.outageStepQueue) await enqueueOutageSteps(deps.outageStepQueue, steps);
    return {
      examined: result.examined,
      planned: result.planned.length,
      deferred: result.deferred,
      exhausted: result.exhausted,
      enqueued: unsent.length,
      outageSteps: steps.length,
    };
  };
}
