/**
 * Teams as the bot heard it once, from the team's general channel: what a Teams nag notifier needs
 * to reach the fake Bot Connector (the serviceUrl and tenant it learns from a conversation
 * reference; in Redis in production).
 */
import type { NagNotifier } from '../../src/chat/nag-notifier.js';
import {
  createInMemoryConversationReferenceStore,
  type ConversationReferenceStore,
} from '../../src/chat/teams/conversation-reference-store.js';
import { createTeamsNagNotifier, TEAMS_SERVICE_REFERENCE_KEY } from '../../src/chat/teams/teams-nag-notifier.js';
import { loopbackTeamsEndpoint, TEAMS_TEST_BOT, TEAMS_TEST_SETTINGS } from './fake-bot-connector.js';

/** Stores the general channel's reference, as the bot does on hearing from Teams there. */
export async function rememberGeneralChannel(
  references: ConversationReferenceStore,
  serviceUrl: string,
): Promise<void> {
  await references.put(TEAMS_SERVICE_REFERENCE_KEY, {
    channelId: 'msteams',
    serviceUrl,
    conversation: {
      id: '19:general@thread.tacv2',
      conversationType: 'channel',
      isGroup: true,
      name: '',
      tenantId: TEAMS_TEST_SETTINGS.tenantId,
    },
    bot: TEAMS_TEST_BOT,
  });
}

/** A Teams nag notifier posting through the fake connector at `serviceUrl`, as `mxops worker` builds one. */
export async function teamsNotifierThrough(serviceUrl: string): Promise<NagNotifier> {
  const references = createInMemoryConversationReferenceStore();
  await rememberGeneralChannel(references, serviceUrl);
  return createTeamsNagNotifier({
    adapter: loopbackTeamsEndpoint(TEAMS_TEST_SETTINGS).adapter,
    appId: TEAMS_TEST_SETTINGS.appId,
    references,
  });
}
