/** `mxops follow-up <id>`. */
import { systemClock } from '../clock.js';
import { runFollowUpCommand, type FollowUpInput } from '../../commands/follow-up.js';
import { loadConfig } from '../config.js';
import { createFollowUpReader } from '../queue/follow-up-reader.js';
import type { Lifecycle } from './lifecycle.js';
import { openQueue } from './open-queue.js';

export async function runFollowUp(input: FollowUpInput, env: NodeJS.ProcessEnv, lifecycle: Lifecycle): Promise<number> {
  const config = loadConfig(env);
  const { queue, events } = await openQueue(config, lifecycle);
  const result = await runFollowUpCommand(input, {
    reader: createFollowUpReader(queue, events),
    clock: systemClock,
    waitSlackMs: config.smtp.totalTimeoutMs + 60_000,
  });
  process.stdout.write(result.output);
  return result.exitCode;
}
