/**
 * What the Teams surface needs from configuration, and the CloudAdapter built from it. config.ts
 * parses the MXOPS_TEAMS_* keys into TeamsSettings; nothing here reads the environment
 * (DESIGN.md, "Config parsed once").
 */
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
} from 'botbuilder';

export interface TeamsSettings {
  /** The Azure Bot's Microsoft App ID, a GUID (MXOPS_TEAMS_APP_ID). */
  readonly appId: string;
  /** A client secret of that app registration (MXOPS_TEAMS_APP_PASSWORD). */
  readonly appPassword: string;
  /** The Entra tenant the app is registered in (MXOPS_TEAMS_TENANT_ID). */
  readonly tenantId: string;
  /** Where to listen for the Bot Framework (MXOPS_TEAMS_PORT, default 3978; MXOPS_TEAMS_HOST, default all interfaces). */
  readonly port: number;
  readonly host: string | undefined;
}

/** The messaging endpoint registered on the Azure Bot: https://<public host>/api/messages. */
export const TEAMS_MESSAGES_PATH = '/api/messages';

/** How the adapter checks incoming requests and signs outgoing ones (botframework-connector's BotFrameworkAuthentication). */
export type TeamsAuthentication = NonNullable<ConstructorParameters<typeof CloudAdapter>[0]>;

/**
 * Single-tenant credentials: new Azure Bot registrations can no longer be multi-tenant
 * (DOMAIN.md §3). Tokens for replies come from login.microsoftonline.com/<tenant>; incoming
 * requests must carry a Bot Framework JWT for this app id. The credential factory gets its own
 * options object because ConfigurationBotFrameworkAuthenticationOptions does not declare
 * MicrosoftAppType or MicrosoftAppPassword, though it passes them through at run time
 * (botbuilder-core/lib/configurationBotFrameworkAuthentication.js). The factory refuses an empty
 * app id, tenant or password for SingleTenant, so a configuration slip cannot switch
 * authentication off.
 */
export function singleTenantAuthentication(settings: TeamsSettings): TeamsAuthentication {
  const credentials = new ConfigurationServiceClientCredentialFactory({
    MicrosoftAppType: 'SingleTenant',
    MicrosoftAppId: settings.appId,
    MicrosoftAppPassword: settings.appPassword,
    MicrosoftAppTenantId: settings.tenantId,
  });
  return new ConfigurationBotFrameworkAuthentication(
    { MicrosoftAppId: settings.appId, MicrosoftAppTenantId: settings.tenantId },
    credentials,
  );
}

export function createTeamsAdapter(
  settings: TeamsSettings,
  authentication: TeamsAuthentication = singleTenantAuthentication(settings),
): CloudAdapter {
  return new CloudAdapter(authentication);
}

/**
 * The process's side of the Bot Framework: the adapter that receives activities and sends to the
 * connector (with its token cache and connector clients), and the authentication it checks tokens
 * with. One per process, made by the composition root and shared by the bot's HTTP listener and
 * every notifier that continues conversations.
 */
export interface TeamsEndpoint {
  readonly adapter: CloudAdapter;
  readonly authentication: TeamsAuthentication;
}

export function createTeamsEndpoint(
  settings: TeamsSettings,
  authentication: TeamsAuthentication = singleTenantAuthentication(settings),
): TeamsEndpoint {
  return { adapter: createTeamsAdapter(settings, authentication), authentication };
}
