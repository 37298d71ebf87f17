/**
 * Child process of smtp-throughput.ts and queued-path.ts: `count` smtp-server instances with
 * STARTTLS on 127.0.1.1, 127.0.1.2, ..., all on one port as MX hosts share port 25, on their own
 * event loop, so the workers' CPU figures are theirs alone.
 */
import { createTestPki, startSmtpServers } from '../test/support/smtp-test-server.js';

const count = Number(process.argv[2] ?? 20);
const pki = await createTestPki('mx.bench.test');
const started = await startSmtpServers(
  Array.from({ length: count }, (_, i) => ({
    address: `127.0.1.${i + 1}`,
    name: 'mx.bench.test',
    certificate: pki.valid,
  })),
);
process.send?.({ servers: started.servers.map((s) => ({ address: s.address, port: s.port })), caCert: pki.caCert });
process.on('disconnect', () => void started.close().then(() => process.exit(0)));
