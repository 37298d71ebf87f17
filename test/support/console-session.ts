/** A scripted `mxops chat` session: the lines go in, everything it printed comes back. */
import { PassThrough } from 'node:stream';
import { runConsoleChat } from '../../src/chat/console/console-chat.js';
import type { MailcheckDeps } from '../../commands/mailcheck.js';
import { noMailcheck } from './no-mailcheck.js';

export type ConsoleOptions = Parameters<typeof runConsoleChat>[3];

export async function consoleSession(
  script: string,
  options: ConsoleOptions,
  deps: MailcheckDeps = noMailcheck(),
): Promise<string> {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = '';
  output.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const done = runConsoleChat(input, output, deps, options);
  input.end(script);
  await done;
  return text;
}
