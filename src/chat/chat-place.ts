/**
 * Who typed or clicked, and where, as a surface tells the command handlers. In the neutral chat
 * layer because both sides name them: the surfaces (src/chat/slack|teams|console/) fill them in
 * and commands/ reads them, and src/ never imports commands/.
 */
export type ChatPlatform = 'slack' | 'teams' | 'console';

/** Who typed or clicked, as the platform says; commands/patch-actor.ts finds them in the inventory. */
export interface ChatActor {
  readonly platform: ChatPlatform;
  /** Slack user id, Teams AAD object id, or the console's --as handle; undefined when unknown. */
  readonly id: string | undefined;
}

/** Where a chat command was typed and by whom, for what outlives the command (a watch). */
export interface ChatPlace {
  readonly platform: ChatPlatform;
  /** Slack channel id, Teams conversation id (without ";messageid="), or the console's name. */
  readonly conversation: string;
  /** slack:U123, teams:<aad id>, console:<who> */
  readonly user: string;
}
