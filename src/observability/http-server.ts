import http from 'node:http';
import type { Metrics } from './metrics.js';

export interface HealthCheck {
  readonly name: string;
  /** Resolves true when the dependency answers. */
  readonly probe: () => Promise<boolean>;
}

export interface OpsServerOptions {
  /** How long each dependency has to answer /healthz before it is reported down. */
  readonly checkTimeoutMs?: number;
}

/** MXOPS_HEALTH_TIMEOUT_MS's default: well inside a supervisor's probe time-out, far above a healthy answer. */
export const DEFAULT_HEALTH_TIMEOUT_MS = 2_000;

/**
 * GET /healthz (200 when every dependency answers, 503 otherwise, with which) and GET /metrics
 * (Prometheus text format). Other paths are for the chat platforms' routes, added by `routes`.
 * The dependencies are asked at once, each with its own time limit: a hung database or Redis is
 * reported down, it does not make /healthz hang (a supervisor would read that as this process hung).
 */
export function createOpsServer(
  metrics: Metrics,
  checks: readonly HealthCheck[],
  routes: Record<string, http.RequestListener> = {},
  options: OpsServerOptions = {},
): http.Server {
  const timeoutMs = options.checkTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS;
  return http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = routes[path];
    if (route) return void route(req, res);
    if (req.method === 'GET' && path === '/healthz') return void health(checks, timeoutMs, res);
    if (req.method === 'GET' && path === '/metrics') {
      // A collector that throws would otherwise leave the scrape unanswered and reject with no handler.
      return void metrics.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': metrics.registry.contentType });
          res.end(text);
        },
        () => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end('metrics are not available right now\n');
        },
      );
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  });
}

async function health(checks: readonly HealthCheck[], timeoutMs: number, res: http.ServerResponse): Promise<void> {
  const results = await Promise.all(checks.map(async (c) => [c.name, await answersWithin(c, timeoutMs)] as const));
  const ok = results.every(([, up]) => up);
  res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
  res.end(
    `${JSON.stringify({ status: ok ? 'ok' : 'degraded', checks: Object.fromEntries(results.map(([name, up]) => [name, up ? 'up' : 'down'])) })}\n`,
  );
}

async function answersWithin(check: HealthCheck, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    return await Promise.race([check.probe().catch(() => false), late]);
  } finally {
    clearTimeout(timer);
  }
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
