/**
 * Child process of dns-parallelism.ts: serves the benchmark zones on loopback with every answer
 * delayed, on its own event loop (and core), as remote servers would be. Reports the port over IPC.
 */
import { startDnsServers } from '../test/support/dns-test-server.js';
import { BENCH_SERVERS, BENCH_ZONES } from './bench-zones.js';

const delayMs = Number(process.argv[2] ?? 20);
const network = await startDnsServers(
  BENCH_SERVERS.map((address) => ({ address, zones: BENCH_ZONES, behaviour: { delayMs } })),
);
process.send?.({ port: network.port });
process.on('disconnect', () => void network.close().then(() => process.exit(0)));
