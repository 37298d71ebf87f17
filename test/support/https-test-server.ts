/** An HTTPS server on loopback that records what reaches it, standing in for an MTA-STS policy host. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { MTA_STS_CERT, MTA_STS_KEY } from '../fixtures/tls-certificates.js';

export interface SeenRequest {
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly host: string | undefined;
  /** The TLS server name (SNI) the client sent. */
  readonly servername: string | false | null | undefined;
}

export interface TestHttpsServer {
  readonly address: string;
  readonly port: number;
  readonly seen: SeenRequest[];
  /** TCP connections accepted, whether or not a request followed. */
  connections(): number;
  close(): Promise<void>;
}

export interface HttpsServerOptions {
  /** 127.0.0.1 unless given. */
  readonly address?: string;
  /** A free one unless given. */
  readonly port?: number;
  /** The certificate for mta-sts.partner.test from the test CA unless given. */
  readonly cert?: string;
  readonly key?: string;
}

export async function startHttpsServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  { address = '127.0.0.1', port = 0, cert = MTA_STS_CERT, key = MTA_STS_KEY }: HttpsServerOptions = {},
): Promise<TestHttpsServer> {
  const seen: SeenRequest[] = [];
  const server = https.createServer({ cert, key }, (req, res) => {
    seen.push({
      method: req.method,
      path: req.url,
      host: req.headers.host,
      servername: (req.socket as TLSSocket).servername,
    });
    handler(req, res);
  });
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, resolve);
  });
  return {
    address,
    port: (server.address() as AddressInfo).port,
    seen,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A handler that answers 200 with `body` as `contentType`. */
export function serveText(body: string, contentType = 'text/plain') {
  return (_req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(200, { 'content-type': contentType });
    res.end(body);
  };
}
