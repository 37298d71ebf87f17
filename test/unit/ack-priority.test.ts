import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAckPriority, type AckPriority } from '../../src/chat/slack/ack-priority.js';
import { clockFrom } from '../support/manual-clock.js';

/** Holds a command's work the way slack-app.ts does, and records when it started (ms after the test began). */
function hold(priority: AckPriority, began: number, started: number[]): void {
  void priority.acksDrained().then(() => started.push(Date.now() - began));
}

/** Start times as expected, allowing the 1 ms each setImmediate takes under fake timers (a turn, one more to confirm). */
function expectStartedAt(started: number[], expected: number[]): void {
  expect(started).toHaveLength(expected.length);
  started.forEach((at, i) => expect(at - expected[i]!).toBeOneOf([0, 1, 2]));
}

/** A request acked within its arrival's turn, as Bolt acks one that needs nothing else. */
const request = (priority: AckPriority): Promise<void> => priority.handle(async () => undefined);

describe('createAckPriority', () => {
  let began: number;
  let priority: AckPriority;
  beforeEach(() => {
    vi.useFakeTimers();
    began = Date.now();
    priority = createAckPriority(clockFrom(() => Date.now()));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** `count` requests `apartMs` apart, holding the work of those whose index is in `holding`. */
  async function burst(count: number, apartMs: number, started: number[], holding: number[] = []): Promise<void> {
    for (let i = 0; i < count; i++) {
      await request(priority);
      if (holding.includes(i)) hold(priority, began, started);
      await vi.advanceTimersByTimeAsync(apartMs);
    }
  }

  it('starts a command alone 10 ms after it arrived', async () => {
    const started: number[] = [];
    await request(priority);
    hold(priority, began, started);
    await vi.advanceTimersByTimeAsync(9);
    expect(started).toEqual([]);
    await vi.advanceTimersByTimeAsync(3);
    expectStartedAt(started, [10]);
  });

  it('holds the first commands of a burst until arrivals pause for 50 ms', async () => {
    const started: number[] = [];
    await burst(30, 3, started, [0, 1]); // the last request at 87 ms
    await vi.advanceTimersByTimeAsync(45);
    expect(started).toEqual([]);
    await vi.advanceTimersByTimeAsync(10);
    expectStartedAt(started, [137, 137]);
  });

  it('does not end a burst on a gap between two arrivals while work is held (a stalled loop)', async () => {
    const started: number[] = [];
    await burst(12, 2, started);
    hold(priority, began, started);
    // The clock moves 80 ms with no timer run: this loop was busy; the next connection waited in the kernel's queue.
    vi.setSystemTime(Date.now() + 80);
    priority.arrived();
    await vi.advanceTimersByTimeAsync(20);
    expect(started).toEqual([]);
    await vi.advanceTimersByTimeAsync(40);
    expectStartedAt(started, [24 + 80 + 50]);
  });

  it('counts a pause only once one more poll of the loop has found no connection', async () => {
    const started: number[] = [];
    await burst(12, 2, started);
    hold(priority, began, started);
    // 60 ms pass in this turn's own callbacks, after its poll, so the watcher's next look sees a pause; but the
    // next poll accepts a connection that queued meanwhile.
    vi.setSystemTime(Date.now() + 60);
    setImmediate(() => priority.arrived());
    await vi.advanceTimersByTimeAsync(45);
    expect(started).toEqual([]);
    await vi.advanceTimersByTimeAsync(10);
    expectStartedAt(started, [24 + 60 + 50]);
  });

  it('holds work while a request waits for its ack', async () => {
    const started: number[] = [];
    let ack!: () => void;
    const waiting = priority.handle(() => new Promise<void>((resolve) => (ack = resolve)));
    hold(priority, began, started);
    await vi.advanceTimersByTimeAsync(500);
    expect(started).toEqual([]);
    ack();
    await waiting;
    await vi.advanceTimersByTimeAsync(3);
    expectStartedAt(started, [500]);
  });

  it('starts held work after 2 s however long the burst goes on, then each command at its own deadline', async () => {
    const started: number[] = [];
    await burst(700, 5, started, [5, 100]);
    expectStartedAt(started, [2_025, 2_500]);
  });
});
