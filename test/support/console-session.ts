/** A scripted `mxops chat` session: the lines go in, everything it printed comes back. */
import { PassThrough } from 'node:stream';
import { chatCommands } from '../../commands/chat-commands.js';
import type { MailcheckDeps } from '../../commands/mailcheck.js';
import type { OutageDeps } from '../../commands/outage.js';
import type { PatchDeps } from '../../commands/patch.js';
import { runConsoleChat, type ConsoleChatOptions } from '../../src/chat/console/console-chat.js';
import { noMailcheck } from './no-mailcheck.js';

/** The console's options, and the stores behind `patch` and `outage` (none: they say they are not available). */
export interface ConsoleOptions extends ConsoleChatOptions {
  readonly patch?: PatchDeps;
  readonly outage?: OutageDeps;
}

export async function consoleSession(
  script: string,
  { patch, outage, ...options }: ConsoleOptions,
  deps: MailcheckDeps = noMailcheck(),
): Promise<string> {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = '';
  output.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const done = runConsoleChat(input, output, chatCommands(deps, { patch, outage }), options);
  input.end(script);
  await done;
  return text;
}
