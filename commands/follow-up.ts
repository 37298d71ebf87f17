import type { Clock } from '../src/clock.js';
import { judgeSession } from '../src/diagnosis/smtp-findings.js';
import type { MailServerSession } from '../src/diagnosis/smtp-sessions.js';
import type { SmtpProbeResult } from '../src/diagnosis/smtp-port.js';
import { renderFindingsText } from '../src/diagnosis/render-text.js';
import { AppError } from '../src/errors.js';
import type { FollowUpReader, FollowUpState } from '../src/queue/follow-up-reader.js';
import type { CommandResult } from './check.js';

export interface FollowUpInput {
  readonly id: string;
  readonly json: boolean;
  /** Wait for a pending follow-up instead of reporting it as pending. */
  readonly wait: boolean;
}

export interface FollowUpDeps {
  readonly reader: FollowUpReader;
  /** Wall time: the follow-up's due time and certificate expiry are dates. */
  readonly clock: Clock;
  /** How long --wait waits past the follow-up's due time. */
  readonly waitSlackMs: number;
}

const FOLLOW_UP_ID = /^followup-[0-9a-f]{32}$/;

/** `mxops follow-up <id>`: the result of a follow-up probe scheduled by a check, judged like the first. */
export async function runFollowUpCommand(input: FollowUpInput, deps: FollowUpDeps): Promise<CommandResult> {
  if (!FOLLOW_UP_ID.test(input.id)) {
    throw new AppError(
      'BAD_INPUT',
      `"${input.id}" is not a follow-up id; copy it from the smtp.rcpt-temporary finding (followup- and 32 hex digits)`,
    );
  }
  let state = await deps.reader.read(input.id);
  if (state.state === 'pending' && input.wait) {
    const untilDue = Math.max(0, Date.parse(state.dueAt) - deps.clock.wallMs());
    state = await deps.reader.wait(input.id, untilDue + deps.waitSlackMs);
  }
  const findings =
    state.state === 'done' ? judgeSession(sessionOf(state.result), { now: new Date(deps.clock.wallMs()) }) : [];
  const exitCode = findings.some((f) => f.status === 'fail') ? 1 : 0;
  if (input.json)
    return { output: `${JSON.stringify({ id: input.id, ...describe(state), findings }, null, 2)}\n`, exitCode };
  return {
    output: `${headline(input.id, state)}\n${findings.length > 0 ? renderFindingsText(findings) : ''}`,
    exitCode,
  };
}

/** The probe's result as a session of the address: the follow-up repeats the request, other MX names included. */
function sessionOf(result: SmtpProbeResult): MailServerSession {
  const { mxHost, address, alsoNames } = result.request;
  return { server: { host: mxHost, address, preference: 0 }, hosts: [mxHost, ...(alsoNames ?? [])], result };
}

function describe(state: FollowUpState): Record<string, unknown> {
  switch (state.state) {
    case 'done':
      return {
        state: 'done',
        address: state.result.request.address,
        mxHost: state.result.request.mxHost,
        recipient: state.result.request.recipient,
      };
    case 'pending':
      return { state: 'pending', dueAt: state.dueAt, queueState: state.detail };
    case 'failed':
      return { state: 'failed', reason: state.reason };
    case 'missing':
      return { state: 'missing' };
  }
}

function headline(id: string, state: FollowUpState): string {
  switch (state.state) {
    case 'done':
      return `${id}: RCPT TO:<${state.result.request.recipient}> at ${state.result.request.mxHost} (${state.result.request.address}), probed again:`;
    case 'pending':
      return `${id}: not run yet (${state.detail}); due at ${state.dueAt}. Add --wait to wait for it (a worker must be running).`;
    case 'failed':
      return `${id}: the follow-up probe failed in the worker: ${state.reason}`;
    case 'missing':
      return `${id}: no such follow-up (results are kept for 7 days; is MXOPS_REDIS_URL the same Redis the check used?)`;
  }
}
