/** `mxops bounce [file]`. */
import { bounceToJson, diagnoseBounce, renderBounceText } from '../../commands/bounce.js';
import type { CheckCommandDeps } from '../../commands/check.js';
import { loadConfig } from '../config.js';
import type { Lifecycle } from './lifecycle.js';
import type { BounceCommandInput } from './program.js';
import { AppError } from '../errors.js';
import { readCappedFile, readCappedStandardInput } from './read-capped.js';

export async function runBounce(
  input: BounceCommandInput,
  env: NodeJS.ProcessEnv,
  lifecycle: Lifecycle,
): Promise<number> {
  const config = loadConfig(env);
  const text =
    input.file === undefined ? await readCappedStandardInput('the bounce') : await readCappedFile(input.file);
  if (new TextDecoder().decode(text).trim() === '')
    throw new AppError(
      'BAD_INPUT',
      `no bounce to read: ${input.file ?? 'standard input'} is empty (give the bounce message, its headers or the log lines)`,
    );
  // The checks, the DNS client and the rest load only when the bounce is checked (not with --no-check).
  let deps: CheckCommandDeps | undefined;
  const diagnosis = await diagnoseBounce(text, input, async (target, hypothesis) => {
    const [{ checkDeps }, { diagnoseTarget }, { checksOf }] = await Promise.all([
      import('./check-deps.js'),
      import('../../commands/check.js'),
      import('../../commands/bounce-checks.js'),
    ]);
    deps ??= checkDeps(config, input.json, lifecycle);
    return diagnoseTarget(target, { ...input, dnsOnly: input.dnsOnly || !hypothesis.smtp }, deps, checksOf(hypothesis));
  });
  process.stdout.write(
    input.json ? `${JSON.stringify(bounceToJson(diagnosis), null, 2)}\n` : renderBounceText(diagnosis, input),
  );
  return 0;
}
