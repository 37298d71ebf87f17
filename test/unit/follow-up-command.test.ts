import { manualClock } from '../support/manual-clock.js';
import { describe, expect, it } from 'vitest';
import { runFollowUpCommand } from '../../commands/follow-up.js';
import { AppError } from '../../src/errors.js';
import type { FollowUpReader, FollowUpState } from '../../src/queue/follow-up-reader.js';

const ID = `followup-${'a'.repeat(32)}`;
const reader = (state: FollowUpState): FollowUpReader => ({ read: async () => state, wait: async () => state });
const deps = (state: FollowUpState) => ({
  reader: reader(state),
  clock: manualClock(new Date('2026-11-26T12:00:00Z')),
  waitSlackMs: 1_000,
});

describe('mxops follow-up', () => {
  it('refuses an id that is not a follow-up id, without asking the queue', async () => {
    let asked = false;
    const spy: FollowUpReader = {
      read: async () => ((asked = true), { state: 'missing' }),
      wait: async () => ({ state: 'missing' }),
    };
    const error = await runFollowUpCommand(
      { id: 'smtp-123', json: false, wait: false },
      { reader: spy, clock: manualClock(), waitSlackMs: 0 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      code: 'BAD_INPUT',
      message:
        '"smtp-123" is not a follow-up id; copy it from the smtp.rcpt-temporary finding (followup- and 32 hex digits)',
    });
    expect(asked).toBe(false);
  });

  it('says when a follow-up is unknown or still pending, as text and as JSON', async () => {
    expect(
      (await runFollowUpCommand({ id: ID, json: false, wait: false }, deps({ state: 'missing' }))).output,
    ).toContain('no such follow-up (results are kept for 7 days');
    const pending = await runFollowUpCommand(
      { id: ID, json: true, wait: false },
      deps({ state: 'pending', dueAt: '2026-11-26T12:10:00.000Z', detail: 'delayed' }),
    );
    expect(JSON.parse(pending.output)).toEqual({
      id: ID,
      state: 'pending',
      dueAt: '2026-11-26T12:10:00.000Z',
      queueState: 'delayed',
      findings: [],
    });
    expect(pending.exitCode).toBe(0);
  });
});
