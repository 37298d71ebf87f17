import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import type { SmtpProbeResult } from '../../src/diagnosis/smtp-port.js';
import { calendarFeed, createOpsServer } from '../../src/observability/http-server.js';
import { instrumentProber } from '../../src/observability/instrumented-prober.js';
import { createMetrics } from '../../src/observability/metrics.js';
import type http from 'node:http';

describe('health and metrics endpoint', () => {
  let server: http.Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  async function listen(s: http.Server): Promise<string> {
    server = s;
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  }

  it('exposes probe durations and queue depth in Prometheus text format', async () => {
    const metrics = createMetrics(async () => ({ waiting: 3, active: 1 }));
    const result = {
      refusedByPolicy: undefined,
      connect: { ok: true, ms: 1 },
      abort: undefined,
      rcpt: { code: 250, lines: ['OK'], ms: 1 },
      totalMs: 420,
    } as unknown as SmtpProbeResult;
    await instrumentProber({ probe: async () => result }, metrics).probe({
      mxHost: 'mx',
      address: '192.0.2.1',
      port: 25,
      heloName: 'h.test',
      mailFrom: '',
      recipient: 'p@x.test',
    });
    metrics.commandsHandled.inc({ surface: 'console', command: 'mailcheck', outcome: 'ok' });
    const base = await listen(createOpsServer(metrics, []));
    const response = await fetch(`${base}/metrics`);
    const text = await response.text();
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(text).toContain('mxops_smtp_probe_seconds_count{outcome="rcpt-2xx"} 1');
    expect(text).toContain('mxops_smtp_probe_seconds_sum{outcome="rcpt-2xx"} 0.42');
    expect(text).toContain('mxops_probe_queue_jobs{state="waiting"} 3');
    expect(text).toContain('mxops_commands_total{surface="console",command="mailcheck",outcome="ok"} 1');
    expect(text).toContain('mxops_process_cpu_user_seconds_total');
  });

  it('reports health per dependency: 200 when all answer, 503 naming the one that does not', async () => {
    let redisUp = true;
    const base = await listen(createOpsServer(createMetrics(), [{ name: 'redis', probe: async () => redisUp }]));
    const up = await fetch(`${base}/healthz`);
    expect([up.status, await up.json()]).toEqual([200, { status: 'ok', checks: { redis: 'up' } }]);
    redisUp = false;
    const down = await fetch(`${base}/healthz`);
    expect([down.status, await down.json()]).toEqual([503, { status: 'degraded', checks: { redis: 'down' } }]);
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
  });

  it(
    'answers /healthz within its check time-out when a dependency never answers, calling it down',
    async () => {
      const checkTimeoutMs = 200;
      const hung = { name: 'store', probe: () => new Promise<boolean>(() => undefined) };
      const base = await listen(
        createOpsServer(createMetrics(), [hung, { name: 'redis', probe: async () => true }], {}, { checkTimeoutMs }),
      );
      const started = performance.now();
      const response = await fetch(`${base}/healthz`);
      expect([response.status, await response.json()]).toEqual([
        503,
        { status: 'degraded', checks: { store: 'down', redis: 'up' } },
      ]);
      expect(performance.now() - started).toBeGreaterThanOrEqual(checkTimeoutMs - 20);
    },
    200 * 10 + 5_000,
  );

  it('hands the chat platforms their own paths', async () => {
    const base = await listen(
      createOpsServer(createMetrics(), [], { '/slack/events': (_req, res) => res.writeHead(204).end() }),
    );
    expect((await fetch(`${base}/slack/events`, { method: 'POST' })).status).toBe(204);
  });

  it('serves the outage calendar at its secret path only, fresh on each GET, 503 when it cannot be made', async () => {
    let renders = 0;
    let broken = false;
    const path = '/calendar/0123456789abcdef0123456789abcdef.ics';
    const feed = calendarFeed(async () => {
      if (broken) throw new Error('database down');
      return `BEGIN:VCALENDAR\r\nX-RENDER:${++renders}\r\nEND:VCALENDAR\r\n`;
    });
    const base = await listen(createOpsServer(createMetrics(), [], { [path]: feed }));
    const first = await fetch(`${base}${path}`);
    expect([first.status, first.headers.get('content-type'), await first.text()]).toEqual([
      200,
      'text/calendar; charset=utf-8',
      'BEGIN:VCALENDAR\r\nX-RENDER:1\r\nEND:VCALENDAR\r\n',
    ]);
    expect(await (await fetch(`${base}${path}`)).text()).toContain('X-RENDER:2');
    expect((await fetch(`${base}/calendar/guess.ics`)).status).toBe(404);
    expect((await fetch(`${base}${path}`, { method: 'POST' })).status).toBe(405);
    broken = true;
    expect((await fetch(`${base}${path}`)).status).toBe(503);
  });
});
