/**
 * Node's http server in front of CloudAdapter.process. The adapter is written for Express and
 * Restify: it expects an already parsed `req.body` (it answers 400 otherwise) and a response with
 * status()/send()/header()/end() (botbuilder/lib/interfaces/response.js checks for all four), so
 * this file supplies both without pulling in a web framework.
 *
 * Every refusal is a short plain answer of ours. The adapter would put the SDK's exception text in
 * the body (its AuthenticationError message on a 401, any error's message on a 500): that goes to
 * our log instead. The token is checked first, by teams-request-auth.ts, which tells "not from the
 * Bot Framework" (401) from "cannot check now" (503). A turn that fails is caught here too, before
 * the adapter would print it with console.error past the process's log, and answered 500 as the
 * adapter would.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Activity, Request, Response, TurnContext } from 'botbuilder';
import { authenticateActivity } from './teams-request-auth.js';
import { TEAMS_MESSAGES_PATH, type TeamsEndpoint } from './teams-settings.js';

/** Activities are a few KB; the limit only stops a client from filling memory. */
export const MAX_ACTIVITY_BYTES = 1_048_576;

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** A line for the log: refusals and what the adapter answered are warnings, failed work errors. */
export type TeamsLog = (line: string, level?: 'warn' | 'error') => void;

/** The answers a caller sees, by status; the reasons are logged. */
const PLAIN_ANSWERS: Readonly<Record<number, string>> = {
  400: 'bad request',
  401: 'unauthorized',
  405: 'POST only',
  500: 'internal error',
  503: 'cannot verify the request now; try again later',
};

export function createActivityHandler(
  endpoint: TeamsEndpoint,
  logic: (context: TurnContext) => Promise<void>,
  log: TeamsLog,
): HttpHandler {
  const { adapter, authentication } = endpoint;
  return async (req, res) => {
    try {
      if (new URL(req.url ?? '/', 'http://localhost').pathname !== TEAMS_MESSAGES_PATH)
        return answer(res, 404, 'not found');
      if (req.method !== 'POST') return answer(res, 405, 'POST only');
      const body = await readJson(req);
      if (body === undefined) return answer(res, 400, 'the body is not a JSON object');
      if (body === 'too large') return answer(res, 413, 'activity too large');
      if (typeof body.type !== 'string' || body.type === '') return answer(res, 400, 'the body is not an activity');
      const verdict = await authenticateActivity(
        authentication,
        body as unknown as Activity,
        req.headers.authorization ?? '',
      );
      if (!verdict.ok) {
        log(`teams: refused a request (${verdict.status}): ${verdict.reason}`);
        return answer(res, verdict.status, PLAIN_ANSWERS[verdict.status] ?? 'unauthorized');
      }
      const request: Request = { method: req.method, headers: req.headers, body };
      const turn = { failed: false };
      const caught = async (context: TurnContext): Promise<void> => {
        try {
          await logic(context);
        } catch (error) {
          turn.failed = true;
          log(`teams: the turn failed: ${error instanceof Error ? error.message : String(error)}`, 'error');
        }
      };
      // Authenticates the request again (the keys are cached by now), runs the turn, then answers
      // 200 or the invoke response: the turn must stay short, so commands run after it (teams-bot.ts).
      await adapter.process(request, responseFor(res, log, turn), caught);
    } catch (error) {
      log(`teams: ${error instanceof Error ? error.message : String(error)}`, 'error');
      if (!res.headersSent) answer(res, 500, 'internal error');
      else res.end();
    }
  };
}

/** Listens for the Bot Framework; resolves once the port is bound (0 picks a free one). */
export function listenForActivities(handler: HttpHandler, port: number, host: string | undefined): Promise<Server> {
  // createActivityHandler answers its own errors (500, logged), so its promise never rejects.
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
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function answer(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
}

/**
 * CloudAdapter calls status(), then send() with the invoke body if any, then end(). A failure
 * status with text (or nothing) is the adapter's own error report; an invoke response is an object
 * (a refused card action is a 400 with a JSON body) and goes out as it is. A turn that failed
 * (already logged) is a 500, whatever the adapter made of its missing result.
 */
function responseFor(res: ServerResponse, log: TeamsLog, turn: { readonly failed: boolean }): Response {
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
      if (turn.failed) answer(res, 500, PLAIN_ANSWERS[500] ?? 'internal error');
      else if (res.statusCode >= 400 && (body === undefined || typeof body === 'string')) {
        if (body !== undefined) log(`teams: the adapter answered ${res.statusCode}: ${body}`);
        answer(res, res.statusCode, PLAIN_ANSWERS[res.statusCode] ?? 'request failed');
      } else if (body === undefined) res.end();
      else if (typeof body === 'string') res.setHeader('content-type', 'text/plain; charset=utf-8').end(body);
      else res.setHeader('content-type', 'application/json; charset=utf-8').end(JSON.stringify(body));
    },
  };
}
