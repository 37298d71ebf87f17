/**
 * The real Bolt app over HTTP on loopback for each test, its Web API calls going to a fake Slack:
 * the vitest hooks are registered by the call, inside the caller's describe block.
 */
import { afterEach, beforeEach } from 'vitest';
import { chatCommands } from '../../commands/chat-commands.js';
import type { MailcheckDeps } from '../../commands/mailcheck.js';
import type { PatchDeps } from '../../commands/patch.js';
import type { OutageDeps } from '../../commands/outage-decisions.js';
import { createSlackApp, type SlackApp } from '../../src/chat/slack/slack-app.js';
import { type FakeSlackApi, startFakeSlackApi } from './fake-slack-api.js';
import { noMailcheck } from './no-mailcheck.js';

export const SLACK_TEST_SECRET = 'test-signing-secret';
export const SLACK_TEST_BOT_TOKEN = 'xoxb-test-token';

export interface SlackAppHarness {
  readonly api: FakeSlackApi;
  readonly slack: SlackApp;
  /** Where signed requests go: http://127.0.0.1:<port>/slack/events. */
  readonly eventsUrl: string;
}

/** `deps` is read before each test, so it may name what the test's beforeEach built. */
export function slackAppOnLoopback(
  deps: () => { readonly patch?: PatchDeps; readonly outage?: OutageDeps; readonly mailcheck?: MailcheckDeps },
): SlackAppHarness {
  const state = {} as { api: FakeSlackApi; slack: SlackApp; eventsUrl: string };
  beforeEach(async () => {
    state.api = await startFakeSlackApi({ botToken: SLACK_TEST_BOT_TOKEN });
    const settings = {
      botToken: SLACK_TEST_BOT_TOKEN,
      signingSecret: SLACK_TEST_SECRET,
      appToken: undefined,
      port: 0,
      host: '127.0.0.1',
      command: '/mailcheck',
      patchCommand: '/patch',
      outageCommand: '/outage',
      apiUrl: state.api.apiUrl,
      logLevel: 'error' as const,
    };
    const { mailcheck, patch, outage } = deps();
    state.slack = createSlackApp(settings, chatCommands(mailcheck ?? noMailcheck(), { patch, outage }));
    state.eventsUrl = `http://127.0.0.1:${(await state.slack.start()).port}/slack/events`;
  });
  afterEach(async () => {
    await state.slack.stop();
    await state.api.close();
  });
  return state;
}
