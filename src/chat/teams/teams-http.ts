/**
 * Node's http server in front of CloudAdapter.process. The adapter is written for Express and
 * Restify: it expects an already parsed `req.body` (it answers 400 otherwise) and a response with
 * status()/send()/header()/end() (botbuilder/lib/interfaces/response.js checks for all four), so
 * this file supplies both without pulling in a web framework.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { CloudAdapter, Request, Response, TurnContext } from 'botbuilder';
import { TEAMS_MESSAGES_PATH } from './teams-settings.js';

/** Activities are a few KB; the limit only stops a client from filling memory. */
export const MAX_ACTIVITY_BYTES = 1_048_576;

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export function createActivityHandler(adapter: CloudAdapter, logic: (context: TurnContext) => Promise<void>, log: (line: string) => void): HttpHandler {
  return async (req, res) => {
    try {
      if (new URL(req.url ?? '/', 'http://localhost').pathname !== TEAMS_MESSAGES_PATH) return answer(res, 404, 'not found');
      if (req.method !== 'POST') return answer(res, 405, 'POST only');
      const body = await readJson(req);
      if (body === undefined) return answer(res, 400, 'the body is not a JSON object');
      if (body === 'too large') return answer(res, 413, 'activity too large');
      const request: Request = { method: req.method, headers: req.headers, body };
      // Authenticates the request (401 on a bad token), runs the turn, then answers 200 or the
      // invoke response: the turn must stay short, so commands run after it (teams-bot.ts).
      await adapter.process(request, responseFor(res), logic);
    } catch (error) {
      log(`teams: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) answer(res, 500, 'internal error');
      else res.end();
    }
  };
}

/** Listens for the Bot Framework; resolves once the port is bound (0 picks a free one). */
export function listenForActivities(handler: HttpHandler, port: number, host: string | undefined): Promise<Server> {
  const server = createServer((req, res) => void handler(req, res));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | 'too large' | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_ACTIVITY_BYTES) return 'too large';
    chunks.push(chunk);
  }
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function answer(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
}

/** CloudAdapter calls status(), then send() with the invoke body if any, then end(). */
function responseFor(res: ServerResponse): Response {
  let body: unknown;
  return {
    socket: res.socket,
    status(code: number) {
      res.statusCode = code;
    },
    header(name: string, value: unknown) {
      res.setHeader(name, String(value));
    },
    send(...args: unknown[]) {
      body = args[0];
    },
    end() {
      if (body === undefined) res.end();
      else if (typeof body === 'string') res.setHeader('content-type', 'text/plain; charset=utf-8').end(body);
      else res.setHeader('content-type', 'application/json; charset=utf-8').end(JSON.stringify(body));
    },
  };
}
