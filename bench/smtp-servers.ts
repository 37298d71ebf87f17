/**
 * Child process of smtp-throughput.ts: `count` smtp-server instances with STARTTLS on
 * 127.0.1.1, 127.0.1.2, ... on their own event loop, so the workers' CPU figures are theirs alone.
 */
import { createTestPki, startSmtpServer } from '../test/support/smtp-test-server.js';

const count = Number(process.argv[2] ?? 20);
const pki = await createTestPki('mx.bench.test');
const servers = await Promise.all(
  Array.from({ length: count }, (_, i) => startSmtpServer({ address: `127.0.1.${i + 1}`, name: 'mx.bench.test', certificate: pki.valid })),
);
process.send?.({ servers: servers.map((s) => ({ address: s.address, port: s.port })), caCert: pki.caCert });
process.on('disconnect', () => void Promise.all(servers.map((s) => s.close())).then(() => process.exit(0)));
