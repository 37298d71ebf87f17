/**
 * Every bench of bench/ once in smoke mode (bench/smoke.ts; bench/README.md, "Smoke mode (CI)"):
 * small sizes, one run, and its goal checked with a margin a busy 2-core machine keeps and a 2x
 * regression does not. A bench that misses exits 1, and its output is the failure's message.
 *
 * The benches that need Redis or PostgreSQL use the ones the integration tests use; without them
 * they are skipped locally, never under CI=true.
 */
import { describe, expect, it } from 'vitest';
import { REDIS_URL } from '../support/redis-test.js';
import { skipWithout } from '../support/required-tool.js';
import { postgresReachable, redisReachable } from '../support/service-reachable.js';
import { runSmokeBench, smokeRunLimitMs } from '../support/smoke-bench.js';
import { POSTGRES_TEST_URL } from '../support/test-database.js';

type Service = 'Redis' | 'PostgreSQL';

interface SmokeBench {
  readonly name: string;
  readonly nodeArgs?: readonly string[];
  readonly needs: readonly Service[];
  /**
   * The longest one smoke run took on the project's machine (2 cores) with its load at 8-11 from
   * other work, start-up included (busier than a CI run of the suite).
   */
  readonly measuredS: number;
}

const BENCHES: readonly SmokeBench[] = [
  // 45 s when dist/ is older than the sources and it builds first (~30 s); 10 s with dist/ as npm ci leaves it.
  { name: 'startup', needs: [], measuredS: 45 },
  { name: 'dns-parallelism', needs: [], measuredS: 4 },
  { name: 'round-trips', needs: [], measuredS: 4 },
  { name: 'smtp-parallelism', needs: [], measuredS: 4 },
  { name: 'smtp-throughput', needs: ['Redis'], measuredS: 22 },
  { name: 'slash-burst', needs: ['Redis'], measuredS: 18 },
  { name: 'ack-floor', needs: [], measuredS: 8 },
  { name: 'patch-sweep', nodeArgs: ['--expose-gc'], needs: ['Redis', 'PostgreSQL'], measuredS: 10 },
  { name: 'nag-kill', needs: ['Redis', 'PostgreSQL'], measuredS: 19 },
  { name: 'many-domains', needs: [], measuredS: 13 },
  { name: 'queued-path', needs: ['Redis'], measuredS: 7 },
];

/** Twice the worst run measured, and half a minute for a start-up slower than any seen. */
const deadlineMs = (bench: SmokeBench): number => (2 * bench.measuredS + 30) * 1000;

const reachable: Record<Service, boolean> = {
  Redis: await redisReachable(REDIS_URL),
  PostgreSQL: await postgresReachable(POSTGRES_TEST_URL),
};
const where: Record<Service, string> = { Redis: REDIS_URL, PostgreSQL: POSTGRES_TEST_URL };
// The benches read these, and must find what this suite found reachable.
const env = { MXOPS_REDIS_URL: REDIS_URL, MXOPS_TEST_REDIS_URL: REDIS_URL, MXOPS_TEST_DATABASE_URL: POSTGRES_TEST_URL };

describe('benches in smoke mode (BENCH_SMOKE=1)', () => {
  for (const bench of BENCHES) {
    const skip = bench.needs.some((service) => skipWithout(`${service} at ${where[service]}`, reachable[service]));
    it.skipIf(skip)(
      `bench/${bench.name}.ts meets its goal with the smoke margin`,
      async () => {
        const run = await runSmokeBench(bench.name, {
          nodeArgs: bench.nodeArgs ?? [],
          env,
          deadlineMs: deadlineMs(bench),
        });
        const how = run.signal ?? `exit status ${run.code}`;
        expect(run.code, `bench/${bench.name}.ts: ${how} after ${(run.ms / 1000).toFixed(1)} s\n${run.output}`).toBe(0);
      },
      smokeRunLimitMs(deadlineMs(bench)) + 5_000,
    );
  }
});
