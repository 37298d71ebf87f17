/** `mxops chat`: the console surface, with the whole diagnosis and the patch inventory behind it. */
import { systemClock } from '../clock.js';
import { chatCommands } from '../../commands/chat-commands.js';
import type { PatchDeps } from '../../commands/patch.js';
import { runConsoleChat } from '../chat/console/console-chat.js';
import { loadConfig } from '../config.js';
import { diagnosisDeps, diagnosisRunner, fixedProbes } from './diagnosis-runner.js';
import { httpsFetcher } from './https-settings.js';
import type { Lifecycle } from './lifecycle.js';
import { mailcheckDeps } from './mailcheck-deps.js';
import { openStore } from './open-store.js';
import type { ChatOptions } from './program.js';

export async function runChat(options: ChatOptions, env: NodeJS.ProcessEnv, lifecycle: Lifecycle): Promise<number> {
  const config = loadConfig(env);
  const { as, ...probes } = options;
  // The SMTP prober and the HTTPS fetcher (node:tls, and BullMQ for --queue) only when they can be used.
  const smtp = options.dnsOnly
    ? undefined
    : await (await import('./smtp-settings.js')).smtpSettingsFor(config, options, lifecycle);
  const https = options.dnsOnly ? undefined : httpsFetcher(config, options.allowPrivate ?? false);
  // --resolver, --timeout and --allow-private hold for every check typed here, as for `mxops check`.
  const run = diagnosisRunner(diagnosisDeps(config, fixedProbes(smtp, https)), probes);
  const patch: PatchDeps = { store: await openStore(config, lifecycle), clock: systemClock };
  // The console has no notifiers: outage requests typed there reach approvers only where typed.
  const commands = chatCommands(mailcheckDeps(config, run, { store: patch.store }), { patch, outage: patch });
  await runConsoleChat(process.stdin, process.stdout, commands, as !== undefined ? { actor: as } : {});
  return 0;
}
