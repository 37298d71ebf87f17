import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  /** Commands and buttons handled (help and bad input included), by surface (slack, teams, console), command and outcome. */
  readonly commandsHandled: Counter<'surface' | 'command' | 'outcome'>;
  /** One SMTP probe, by how it ended. */
  readonly probeSeconds: Histogram<'outcome'>;
  /** One whole diagnosis. */
  readonly checkSeconds: Histogram<'status'>;
}

/**
 * Prometheus metrics (prom-client, the standard Node client): the process defaults, commands,
 * probe and check durations, and the probe queue's depth when a queue is given.
 */
export function createMetrics(queueDepth?: () => Promise<Record<string, number>>): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'mxops_' });
  if (queueDepth) {
    new Gauge({
      name: 'mxops_probe_queue_jobs',
      help: 'SMTP probe jobs in the queue, by state.',
      labelNames: ['state'],
      registers: [registry],
      async collect() {
        for (const [state, count] of Object.entries(await queueDepth())) this.set({ state }, count);
      },
    });
  }
  return {
    registry,
    commandsHandled: new Counter({
      name: 'mxops_commands_total',
      help: 'Chat commands handled.',
      labelNames: ['surface', 'command', 'outcome'],
      registers: [registry],
    }),
    // Probes range from a refused connect (ms) to a tarpit's greeting (minutes).
    probeSeconds: new Histogram({
      name: 'mxops_smtp_probe_seconds',
      help: 'SMTP probe duration.',
      labelNames: ['outcome'],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [registry],
    }),
    checkSeconds: new Histogram({
      name: 'mxops_check_seconds',
      help: 'Whole diagnosis duration.',
      labelNames: ['status'],
      buckets: [0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [registry],
    }),
  };
}
