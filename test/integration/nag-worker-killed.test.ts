/**
 * Worker processes killed (SIGKILL) at random points while they deliver a sweep's nags to a Slack
 * that answers after 150 ms; each kill is followed by a fresh worker that takes the dead one's jobs
 * over. Every nag must reach each of its destinations (three people's DMs and the thread root)
 * exactly once: zero lost, zero doubled (test/support/nag-kill-run.ts says how the kills are placed).
 *
 * Sized for the suite on a 2-core machine: 60 nags (240 posts) and 5 kills per store, about 35 s
 * each. bench/nag-kill.ts runs 300 nags and 20 kills (figures in bench/README.md). A failing run
 * prints its seed; MXOPS_NAG_KILL_SEED replays its kill points.
 */
import { describe, expect, it } from 'vitest';
import { nagKillBudgetMs, runNagKills } from '../support/nag-kill-run.js';
import { STORE_DIALECTS } from '../support/test-database.js';

const RUN = { nags: 60, kills: 5, answerDelayMs: 150 } as const;
const seed = process.env.MXOPS_NAG_KILL_SEED === undefined ? undefined : Number(process.env.MXOPS_NAG_KILL_SEED);

describe.each(STORE_DIALECTS)('nag workers killed mid-delivery on %s', (dialect) => {
  it(
    'post each nag once to each destination: none lost, none doubled',
    async () => {
      const figures = await runNagKills({ dialect, ...RUN, ...(seed !== undefined ? { seed } : {}) });
      const context = `seed ${figures.seed}, kills ${JSON.stringify(figures.kills)}, worker errors: ${figures.workerErrors.join(' | ')}`;
      expect(figures.kills, context).toHaveLength(RUN.kills);
      // The run must have hit the hard case: a post the platform took and the killed worker never saw answered.
      expect(
        figures.kills.some((kill) => kill.orphaned > 0),
        context,
      ).toBe(true);
      expect({ lost: figures.lost, doubled: figures.doubled, stray: figures.stray }, context).toEqual({
        lost: [],
        doubled: [],
        stray: 0,
      });
      expect(figures.postsPerDestination, context).toEqual({ 1: figures.expectedPosts });
      expect(figures.store, context).toMatchObject({
        sent: RUN.nags,
        threadsOnTheirRoot: RUN.nags,
        directMessagesRecorded: 3 * RUN.nags,
      });
      expect(figures.store.auditNag + figures.store.auditResent, context).toBe(RUN.nags);
      // Retries looked before posting: the DMs' histories (opened first) and the channel's.
      expect(figures.lookups['conversations.history'], context).toBeGreaterThan(0);
      expect(figures.workerErrors, context).toEqual([]);
    },
    nagKillBudgetMs(RUN),
  );
});
