/**
 * Slack, both ways, on loopback. `startFakeSlackApi` stands in for https://slack.com/api/ (point
 * the WebClient's slackApiUrl at it) and for response_url: it records every call and answers the
 * way Slack does (ok, ts, channel; 429 with Retry-After when told to). Posted messages keep their
 * metadata, and conversations.replies and conversations.history (include_all_metadata) hand it
 * back, as a retry looking for its nag's marker needs. With `answerDelayMs` a Web API call takes
 * effect when it arrives and is answered that much later, as on a real network: a client killed
 * in between has posted without learning it; `loseAnswerNext` does the same to one call (a 503 from
 * Slack's edge, or an answer later than the client waits). `sendToApp` plays Slack's side of a delivery: slash
 * commands and block_actions, signed with the signing secret.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  /** Web API method (chat.update) or `response_url`. */
  readonly method: string;
  /** Form fields, with JSON-valued ones (blocks) parsed; a response_url call's JSON body. */
  readonly args: Readonly<Record<string, unknown>>;
  /** The HTTP status and body the fake answered with. */
  readonly status: number;
  readonly response: Readonly<Record<string, unknown>>;
  /** Date.now() when it arrived. */
  readonly at: number;
}

export interface FakeSlackApi {
  /** For WebClientOptions.slackApiUrl. */
  readonly apiUrl: string;
  /** A response_url that records what is posted to it. */
  responseUrl(id: string): string;
  readonly calls: readonly RecordedCall[];
  /** Successful calls of one method, in order. */
  callsTo(method: string): RecordedCall[];
  /** The next call of `method` gets HTTP 429 with this Retry-After. */
  rateLimitNext(method: string, retryAfterSeconds: number): void;
  /** The next call of `method` gets `{ ok: false, error }`, as Slack reports platform errors. */
  failNext(method: string, error: string): void;
  /**
   * The next call of `method` (to `channel`, if given) takes effect (it is in `calls`, a post is in
   * the history) but its answer is lost: HTTP `status` instead (an edge's 503), or `delayMs` late.
   */
  loseAnswerNext(method: string, how: LostAnswer): void;
  /** A file someone shared: files.info describes it and its url_private_download serves it (with the bot token only). */
  shareFile(name: string, content: Uint8Array | string, options?: { readonly url?: string }): string;
  /** Content uploaded through files.getUploadURLExternal and its upload URL, by file id (files.uploadV2's first two steps). */
  uploaded(fileId: string): string | undefined;
  close(): Promise<void>;
}

export type LostAnswer = ({ readonly status: number } | { readonly delayMs: number }) & { readonly channel?: string };

export interface FakeSlackApiOptions {
  readonly botToken: string;
  /** How long after a Web API call arrives (and takes effect) it is answered; default 0. */
  readonly answerDelayMs?: number;
  /**
   * Message ts from the real clock (seconds since the epoch, then a sequence number), as Slack's;
   * by default they count up from 1700000000 (2023), which conversations.history's `oldest`
   * would then leave out.
   */
  readonly realTimestamps?: boolean;
}

const JSON_FIELDS = ['blocks', 'attachments', 'metadata', 'view'];

export async function startFakeSlackApi(options: FakeSlackApiOptions): Promise<FakeSlackApi> {
  const calls: RecordedCall[] = [];
  const answerDelayMs = options.answerDelayMs ?? 0;
  const rateLimits = new Map<string, number>();
  const failures = new Map<string, string>();
  const lostAnswers = new Map<string, LostAnswer>();
  let sequence = 0;
  const files = new Map<string, { name: string; content: Buffer; url?: string }>();
  const uploads = new Map<string, string>();
  let base = '';
  const nextTs = (): string =>
    `${options.realTimestamps ? Math.floor(Date.now() / 1000) : 1700000000}.${String(++sequence).padStart(6, '0')}`;

  const answer = (
    method: string,
    args: Record<string, unknown>,
    authorization: string | undefined,
  ): { status: number; body: Record<string, unknown>; headers?: Record<string, string> } => {
    const retryAfter = rateLimits.get(method);
    if (retryAfter !== undefined) {
      rateLimits.delete(method);
      return { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': String(retryAfter) } };
    }
    if (authorization !== `Bearer ${options.botToken}` && args.token !== options.botToken)
      return { status: 200, body: { ok: false, error: 'invalid_auth' } };
    const failure = failures.get(method);
    if (failure !== undefined) {
      failures.delete(method);
      return { status: 200, body: { ok: false, error: failure } };
    }
    switch (method) {
      case 'auth.test':
        return {
          status: 200,
          body: {
            ok: true,
            url: 'https://fake.slack.test/',
            team: 'Fake',
            user: 'mxops',
            team_id: 'T0FAKE',
            user_id: 'U0MXOPS',
            bot_id: 'B0MXOPS',
          },
        };
      case 'chat.postMessage': {
        const ts = nextTs();
        return {
          status: 200,
          body: {
            ok: true,
            channel: args.channel,
            ts,
            message: { type: 'message', text: args.text, ts, ...(args.thread_ts ? { thread_ts: args.thread_ts } : {}) },
          },
        };
      }
      case 'chat.update':
        return { status: 200, body: { ok: true, channel: args.channel, ts: args.ts, text: args.text } };
      case 'chat.postEphemeral':
        return { status: 200, body: { ok: true, message_ts: nextTs() } };
      case 'views.open': {
        // Slack answers with the view it opened, under an id of its own.
        const view = typeof args.view === 'object' && args.view !== null ? args.view : {};
        return {
          status: 200,
          body: { ok: true, view: { ...view, id: `V${String(++sequence).padStart(8, '0')}`, state: { values: {} } } },
        };
      }
      case 'files.info': {
        const file = files.get(String(args.file));
        if (!file) return { status: 200, body: { ok: false, error: 'file_not_found' } };
        return {
          status: 200,
          body: {
            ok: true,
            file: {
              id: args.file,
              name: file.name,
              size: file.content.length,
              url_private_download: file.url ?? `${base}/files/${String(args.file)}/${file.name}`,
            },
          },
        };
      }
      case 'files.getUploadURLExternal': {
        const id = `F${String(++sequence).padStart(8, '0')}`;
        return { status: 200, body: { ok: true, file_id: id, upload_url: `${base}/upload/${id}` } };
      }
      case 'files.completeUploadExternal': {
        const listed = typeof args.files === 'string' ? (JSON.parse(args.files) as { id: string }[]) : [];
        const missing = listed.find((f) => !uploads.has(f.id));
        if (missing) return { status: 200, body: { ok: false, error: 'file_not_found' } };
        return { status: 200, body: { ok: true, files: listed.map((f) => ({ id: f.id })) } };
      }
      case 'conversations.replies':
        return {
          status: 200,
          body: { ok: true, messages: threadOf(String(args.channel), String(args.ts)), has_more: false },
        };
      case 'conversations.history':
        return { status: 200, body: historyPage(String(args.channel), args) };
      case 'conversations.open':
        // The fake names a DM by the user id, as its chat.postMessage answers for a post to a user.
        return { status: 200, body: { ok: true, channel: { id: String(args.users) } } };
      default:
        return { status: 200, body: { ok: true } };
    }
  };

  /** The root and replies of a thread, as posted so far, with their metadata (Slack returns it with include_all_metadata). */
  const threadOf = (channel: string, ts: string): Record<string, unknown>[] =>
    calls
      .filter((call) => call.method === 'chat.postMessage' && call.status === 200 && call.args.channel === channel)
      .filter((call) => (call.response as { ts?: string }).ts === ts || call.args.thread_ts === ts)
      .map((call) => ({
        ts: (call.response as { ts?: string }).ts,
        text: call.args.text,
        ...(call.args.metadata !== undefined
          ? { metadata: typeof call.args.metadata === 'string' ? JSON.parse(call.args.metadata) : call.args.metadata }
          : {}),
      }));

  /**
   * A channel's top-level messages (and replies shown in it, reply_broadcast), newest first, a page
   * at a time (limit, cursor), after `oldest` and up to `latest` (both exclusive), with metadata only
   * when asked for (include_all_metadata), as Slack.
   */
  const historyPage = (channel: string, args: Record<string, unknown>): Record<string, unknown> => {
    const withMetadata = args.include_all_metadata === true || args.include_all_metadata === 'true';
    const oldest = args.oldest === undefined ? -Infinity : Number(args.oldest);
    const latest = args.latest === undefined ? Infinity : Number(args.latest);
    const messages = calls
      .filter(
        (call) =>
          call.method === 'chat.postMessage' &&
          call.status === 200 &&
          (call.args.channel === channel || call.response.channel === channel),
      )
      .filter(
        (call) =>
          call.args.thread_ts === undefined ||
          call.args.reply_broadcast === true ||
          call.args.reply_broadcast === 'true',
      )
      .filter((call) => Number(call.response.ts) > oldest && Number(call.response.ts) < latest)
      .map((call) => ({
        type: 'message',
        ts: (call.response as { ts?: string }).ts,
        text: call.args.text,
        ...(call.args.thread_ts !== undefined ? { thread_ts: call.args.thread_ts } : {}),
        ...(withMetadata && call.args.metadata !== undefined
          ? { metadata: typeof call.args.metadata === 'string' ? JSON.parse(call.args.metadata) : call.args.metadata }
          : {}),
      }))
      .reverse();
    const limit = Math.max(1, Math.min(999, Number(args.limit ?? 100) || 100));
    const offset =
      typeof args.cursor === 'string' && args.cursor.startsWith('offset:')
        ? Number(args.cursor.slice('offset:'.length))
        : 0;
    const page = messages.slice(offset, offset + limit);
    const more = offset + limit < messages.length;
    return {
      ok: true,
      messages: page,
      has_more: more,
      response_metadata: { next_cursor: more ? `offset:${offset + limit}` : '' },
    };
  };

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const respond = (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (url.pathname.startsWith('/response/')) {
      calls.push({
        method: 'response_url',
        args: { id: url.pathname.slice('/response/'.length), ...(JSON.parse(raw || '{}') as Record<string, unknown>) },
        status: 200,
        response: { ok: true },
        at: Date.now(),
      });
      return respond(200, { ok: true });
    }
    if (url.pathname.startsWith('/upload/')) {
      // files.uploadV2 posts the content as multipart form data (WebClient.postFileUploadsToExternalURL).
      const form = await new Response(raw, { headers: { 'content-type': String(req.headers['content-type'] ?? '') } })
        .formData()
        .catch(() => undefined);
      const part = form ? [...form.values()][0] : undefined;
      uploads.set(
        url.pathname.slice('/upload/'.length),
        typeof part === 'string' ? part : part ? await part.text() : raw,
      );
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('OK - uploaded');
      return;
    }
    if (url.pathname.startsWith('/files/')) {
      const file = files.get(url.pathname.split('/')[2] ?? '');
      if (req.headers.authorization !== `Bearer ${options.botToken}` || !file) return respond(404, { ok: false });
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(file.content);
      return;
    }
    const method = url.pathname.replace(/^\/api\//, '');
    const args = parseArgs(raw, req.headers['content-type']);
    const { status, body, headers } = answer(method, args, req.headers.authorization);
    calls.push({ method, args, status, response: body, at: Date.now() });
    const wanted = lostAnswers.get(method);
    const lost = wanted?.channel === undefined || wanted.channel === args.channel ? wanted : undefined;
    if (lost !== undefined) lostAnswers.delete(method);
    if (lost !== undefined && 'status' in lost) {
      res.writeHead(lost.status, { 'content-type': 'text/plain' });
      res.end('upstream connect error or disconnect/reset before headers');
      return;
    }
    const delayMs = lost?.delayMs ?? answerDelayMs;
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    // A client killed meanwhile has gone: the call took effect all the same.
    if (!res.destroyed) respond(status, body, headers);
  };

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    responseUrl: (id) => `http://127.0.0.1:${port}/response/${id}`,
    calls,
    callsTo: (method) => calls.filter((c) => c.method === method && c.status === 200),
    rateLimitNext: (method, seconds) => void rateLimits.set(method, seconds),
    failNext: (method, error) => void failures.set(method, error),
    loseAnswerNext: (method, how) => void lostAnswers.set(method, how),
    uploaded: (fileId) => uploads.get(fileId),
    shareFile(name, content, shared = {}) {
      const id = `F${String(++sequence).padStart(8, '0')}`;
      files.set(id, { name, content: Buffer.from(content), ...(shared.url !== undefined ? { url: shared.url } : {}) });
      return id;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        // The WebClient keeps connections alive; without this close() waits for them to time out.
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The WebClient sends form fields, JSON-encoding anything that is not a string, number or boolean. */
function parseArgs(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.startsWith('application/json')) return JSON.parse(raw || '{}') as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw))
    args[key] = JSON_FIELDS.includes(key) ? (JSON.parse(value) as unknown) : value;
  return args;
}

// ---- Slack's side of a delivery ----

export interface Delivery {
  readonly status: number;
  readonly body: string;
  readonly elapsedMs: number;
}

/** Slack's v0 request signature: HMAC-SHA256 of `v0:<timestamp>:<body>` with the signing secret. */
export function signSlackRequest(signingSecret: string, body: string, timestamp: number): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export async function sendToApp(
  url: string,
  body: string,
  options: { readonly signingSecret: string; readonly retryNum?: number; readonly timestamp?: number },
): Promise<Delivery> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      // Events API deliveries are JSON; commands and interactions are forms.
      'content-type': body.startsWith('{') ? 'application/json' : 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signSlackRequest(options.signingSecret, body, timestamp),
      ...(options.retryNum !== undefined
        ? { 'x-slack-retry-num': String(options.retryNum), 'x-slack-retry-reason': 'http_timeout' }
        : {}),
    },
    body,
  });
  const text = await response.text();
  return { status: response.status, body: text, elapsedMs: performance.now() - started };
}

let triggers = 0;
const nextTrigger = (): string => `trigger-${process.pid}-${++triggers}`;

/** A slash command as Slack POSTs it: URL-encoded form fields. */
export function slashCommandBody(fields: {
  readonly text: string;
  readonly responseUrl: string;
  readonly command?: string;
  readonly triggerId?: string;
  readonly channel?: string;
  readonly user?: string;
}): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T0FAKE',
    team_domain: 'fake',
    channel_id: fields.channel ?? 'C0MAIL',
    channel_name: 'mail-ops',
    user_id: fields.user ?? 'U0ADMIN',
    user_name: 'admin',
    command: fields.command ?? '/mailcheck',
    text: fields.text,
    api_app_id: 'A0MXOPS',
    response_url: fields.responseUrl,
    trigger_id: fields.triggerId ?? nextTrigger(),
  }).toString();
}

/** An Events API delivery (event_callback) of an app_mention, as Slack POSTs it: JSON. */
export function appMentionBody(fields: {
  readonly text: string;
  readonly ts: string;
  readonly files?: readonly string[];
  readonly channel?: string;
  readonly user?: string;
  readonly threadTs?: string;
}): string {
  return JSON.stringify({
    token: 'deprecated-verification-token',
    team_id: 'T0FAKE',
    api_app_id: 'A0MXOPS',
    type: 'event_callback',
    event_id: `Ev${fields.ts.replace('.', '')}`,
    event_time: Math.floor(Date.now() / 1000),
    event: {
      type: 'app_mention',
      user: fields.user ?? 'U0ADMIN',
      text: fields.text,
      ts: fields.ts,
      channel: fields.channel ?? 'C0MAIL',
      event_ts: fields.ts,
      ...(fields.threadTs !== undefined ? { thread_ts: fields.threadTs } : {}),
      ...(fields.files ? { files: fields.files.map((id) => ({ id })) } : {}),
    },
  });
}

/** A button click as Slack POSTs it: a form with one `payload` field holding JSON. */
export function blockActionsBody(fields: {
  readonly actionId: string;
  readonly value: string;
  readonly messageTs: string;
  readonly responseUrl: string;
  readonly channel?: string;
  readonly user?: string;
  /** The thread the clicked message is a reply in. */
  readonly threadTs?: string;
  readonly triggerId?: string;
}): string {
  const channel = fields.channel ?? 'C0MAIL';
  const payload = {
    type: 'block_actions',
    team: { id: 'T0FAKE', domain: 'fake' },
    user: { id: fields.user ?? 'U0ADMIN', username: 'admin', team_id: 'T0FAKE' },
    api_app_id: 'A0MXOPS',
    token: 'deprecated-verification-token',
    container: {
      type: 'message',
      message_ts: fields.messageTs,
      channel_id: channel,
      is_ephemeral: false,
      ...(fields.threadTs ? { thread_ts: fields.threadTs } : {}),
    },
    trigger_id: fields.triggerId ?? nextTrigger(),
    channel: { id: channel, name: 'mail-ops' },
    message: {
      type: 'message',
      ts: fields.messageTs,
      text: 'card',
      ...(fields.threadTs ? { thread_ts: fields.threadTs } : {}),
    },
    response_url: fields.responseUrl,
    actions: [
      {
        type: 'button',
        action_id: fields.actionId,
        block_id: 'b1',
        text: { type: 'plain_text', text: 'button' },
        value: fields.value,
        action_ts: '1700000001.000001',
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/**
 * A modal's submission as Slack POSTs it: the view that views.open was given, with what the user
 * typed in state.values ({ [block_id]: { [action_id]: { type, value } } }).
 */
export function viewSubmissionBody(fields: {
  readonly view: Readonly<Record<string, unknown>>;
  readonly values: Readonly<Record<string, string>>;
  readonly user?: string;
}): string {
  const blocks = (fields.view.blocks ?? []) as { block_id?: string; element?: { action_id?: string } }[];
  const values: Record<string, Record<string, { type: string; value: string | null }>> = {};
  for (const block of blocks) {
    if (block.block_id === undefined || block.element?.action_id === undefined) continue;
    values[block.block_id] = {
      [block.element.action_id]: { type: 'plain_text_input', value: fields.values[block.block_id] ?? null },
    };
  }
  const payload = {
    type: 'view_submission',
    team: { id: 'T0FAKE', domain: 'fake' },
    user: { id: fields.user ?? 'U0ADMIN', username: 'admin', name: 'admin', team_id: 'T0FAKE' },
    api_app_id: 'A0MXOPS',
    token: 'deprecated-verification-token',
    trigger_id: nextTrigger(),
    view: {
      id: 'V0FORM',
      team_id: 'T0FAKE',
      app_id: 'A0MXOPS',
      bot_id: 'B0MXOPS',
      hash: '1700000000.abcdef',
      ...fields.view,
      state: { values },
    },
    response_urls: [],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
