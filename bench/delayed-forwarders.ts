/**
 * Child process of dnssec-cost.ts: forwarders on loopback that pass each query to a Knot server
 * and hold its answer for the bench's delay, on their own event loop (and core), as remote servers
 * would. Takes a JSON description as its argument; reports over IPC once every one listens.
 */
import { startRewritingProxy } from '../test/support/dns-rewriting-proxy.js';

export interface ForwarderPlan {
  readonly delayMs: number;
  readonly port: number;
  /** Public address -> the Knot address behind it. */
  readonly forwarders: readonly { readonly address: string; readonly upstream: string }[];
}

const plan = JSON.parse(process.argv[2] ?? '{}') as ForwarderPlan;
const running = await Promise.all(
  plan.forwarders.map(({ address, upstream }) =>
    startRewritingProxy({
      address,
      port: plan.port,
      upstream: { address: upstream, port: plan.port },
      delayMs: plan.delayMs,
    }),
  ),
);
process.send?.('ready');
process.on('disconnect', () => void Promise.all(running.map((r) => r.stop())).then(() => process.exit(0)));
