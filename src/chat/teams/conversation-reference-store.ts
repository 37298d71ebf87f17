/**
 * Where the bot keeps what it needs to write into a Teams conversation later: the connector's
 * serviceUrl, the conversation and the bot's own account. Teams gives these only on incoming
 * activities, and proactive messages are impossible without them (learn.microsoft.com,
 * "Send proactive messages"), so they are stored outside the process: a worker or another replica
 * continues the conversation from the store (DESIGN.md, "Threads are data").
 *
 * Values are plain JSON so any store can hold them. The in-memory store serves one process and
 * tests; the Redis store for several replicas is src/queue/redis-conversation-references.ts (SET
 * <prefix>:teams:ref:<key> <json> EX 90 days, refreshed on every incoming activity).
 */

export interface StoredConversationReference {
  readonly channelId: string;
  /** The regional connector (https://smba.trafficmanager.net/<region>/ in Teams). */
  readonly serviceUrl: string;
  readonly locale?: string;
  readonly conversation: {
    /** Without any ";messageid=" suffix: the store key is the channel or chat, not a thread. */
    readonly id: string;
    /** "personal", "groupChat" or "channel". */
    readonly conversationType: string;
    readonly isGroup: boolean;
    readonly name: string;
    readonly tenantId?: string;
  };
  readonly bot: { readonly id: string; readonly name: string };
}

export interface ConversationReferenceStore {
  get(key: string): Promise<StoredConversationReference | undefined>;
  put(key: string, reference: StoredConversationReference): Promise<void>;
}

export function createInMemoryConversationReferenceStore(): ConversationReferenceStore {
  const references = new Map<string, string>();
  return {
    async get(key) {
      const json = references.get(key);
      // Stored as JSON, like any out-of-process store would, so nothing relies on object identity.
      return json === undefined ? undefined : (JSON.parse(json) as StoredConversationReference);
    },
    async put(key, reference) {
      references.set(key, JSON.stringify(reference));
    },
  };
}
