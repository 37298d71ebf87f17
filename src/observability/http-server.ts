import http from 'node:http';
import type { Metrics } from './metrics.js';

export interface HealthCheck {
  readonly name: string;
  /** Resolves true when the dependency answers. */
  readonly probe: () => Promise<boolean>;
}

/**
 * GET /healthz (200 when every dependency answers, 503 otherwise, with which) and GET /metrics
 * (Prometheus text format). Other paths are for the chat platforms' routes, added by `routes`.
 */
export function createOpsServer(metrics: Metrics, checks: readonly HealthCheck[], routes: Record<string, http.RequestListener> = {}): http.Server {
  return http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = routes[path];
    if (route) return void route(req, res);
    if (req.method === 'GET' && path === '/healthz') return void health(checks, res);
    if (req.method === 'GET' && path === '/metrics') {
      return void metrics.registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(text);
      });
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  });
}

async function health(checks: readonly HealthCheck[], res: http.ServerResponse): Promise<void> {
  const results = await Promise.all(checks.map(async (c) => [c.name, await c.probe().catch(() => false)] as const));
  const ok = results.every(([, up]) => up);
  res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify({ status: ok ? 'ok' : 'degraded', checks: Object.fromEntries(results.map(([name, up]) => [name, up ? 'up' : 'down'])) })}\n`);
}

/** A GET route answering with an iCalendar file made fresh for each request. */
export function calendarFeed(render: () => Promise<string>): http.RequestListener {
  return (req, res) => {
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET', 'content-type': 'text/plain' });
      return void res.end('GET only\n');
    }
    render().then(
      (ics) => {
        res.writeHead(200, { 'content-type': 'text/calendar; charset=utf-8', 'cache-control': 'no-store' });
        res.end(ics);
      },
      () => {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('the calendar is not available right now\n');
      },
    );
  };
}
