import { afterEach, describe, expect, it, vi } from 'vitest';
import { Lifecycle } from '../../src/cli/lifecycle.js';

describe('Lifecycle', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('closes what it owns in the reverse order of opening, each after the one before has finished', async () => {
    const reports: string[] = [];
    const lifecycle = new Lifecycle((line) => reports.push(line));
    const events: string[] = [];
    const resource = (name: string) => async () => {
      events.push(`${name} closing`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      events.push(`${name} closed`);
    };
    lifecycle.own('store', resource('store'));
    lifecycle.own('redis', resource('redis'));
    lifecycle.own('listener', resource('listener'));
    await lifecycle.closeAll();
    expect(events).toEqual([
      'listener closing',
      'listener closed',
      'redis closing',
      'redis closed',
      'store closing',
      'store closed',
    ]);
    expect(reports).toEqual([]);
  });

  it('reports a close that throws, rejects or overruns its limit, and closes the rest all the same', async () => {
    vi.useFakeTimers();
    const reports: string[] = [];
    const lifecycle = new Lifecycle((line) => reports.push(line));
    const closed: string[] = [];
    lifecycle.own('the store', () => void closed.push('the store'));
    lifecycle.own('a hung queue', () => new Promise(() => undefined), { limitMs: 2_000 });
    lifecycle.own('a failing worker', () => Promise.reject(new Error('connection reset')));
    lifecycle.own('a throwing listener', () => {
      throw new Error('not running');
    });
    const closing = lifecycle.closeAll();
    await vi.advanceTimersByTimeAsync(1_999);
    // Still waiting on the hung queue: the store has not been closed yet.
    expect(closed).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await closing;
    expect(closed).toEqual(['the store']);
    expect(reports).toEqual([
      'could not close a throwing listener: not running',
      'could not close a failing worker: connection reset',
      'closing a hung queue took longer than 2 s; going on without waiting for it',
    ]);
  });

  it('closes each resource once, however often closeAll is called', async () => {
    const lifecycle = new Lifecycle(() => undefined);
    let closes = 0;
    lifecycle.own('redis', () => void closes++);
    await Promise.all([lifecycle.closeAll(), lifecycle.closeAll()]);
    await lifecycle.closeAll();
    expect(closes).toBe(1);
  });

  it('closes a resource owned after closing began (a start-up step that finished late) once the closing is done', async () => {
    const lifecycle = new Lifecycle(() => undefined);
    const events: string[] = [];
    let release: (() => void) | undefined;
    lifecycle.own('store', () => void events.push('store'));
    lifecycle.own('slow', () => new Promise<void>((resolve) => (release = resolve)));
    const closing = lifecycle.closeAll();
    lifecycle.own('late', () => void events.push('late'));
    await vi.waitFor(() => expect(release).toBeDefined());
    expect(events).toEqual([]);
    release?.();
    await closing;
    await vi.waitFor(() => expect(events).toEqual(['store', 'late']));
  });

  it('sends its reports where reportTo says from then on', async () => {
    const first: string[] = [];
    const second: string[] = [];
    const lifecycle = new Lifecycle((line) => first.push(line));
    lifecycle.own('redis', () => Promise.reject(new Error('gone')));
    lifecycle.reportTo((line) => second.push(line));
    await lifecycle.closeAll();
    expect(first).toEqual([]);
    expect(second).toEqual(['could not close redis: gone']);
  });
});
