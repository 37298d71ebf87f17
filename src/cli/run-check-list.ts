/**
 * `mxops check a b ...` and `--from-file`: the targets checked in this one process (loaded only
 * for several targets), sharing one DNS client and one SMTP prober, each report stored for
 * `mxops history` once everything is printed.
 */
import { readTargetList, runCheckMany } from '../../commands/check-many.js';
import { parseConcurrency } from '../../commands/check-concurrency.js';
import type { CheckCommandDeps } from '../../commands/check.js';
import type { Config } from '../config.js';
import type { SmtpSettings } from '../diagnosis/smtp-settings.js';
import { AppError } from '../errors.js';
import { oneSessionPerAddress } from '../net/one-session-per-address.js';
import { createSharedDnsClient } from '../net/shared-dns-client.js';
import { checkDeps } from './check-deps.js';
import type { Lifecycle } from './lifecycle.js';
import type { CheckCliInput } from './program.js';
import { readCappedFile, readCappedStandardInput } from './read-capped.js';

export async function runCheckList(input: CheckCliInput, config: Config, lifecycle: Lifecycle): Promise<number> {
  const { targets, fromFile, concurrency, ...options } = input;
  const limit = parseConcurrency(concurrency);
  const listed =
    fromFile === undefined
      ? []
      : readTargetList(
          new TextDecoder().decode(
            fromFile === '-'
              ? await readCappedStandardInput('the domains, one per line,')
              : await readCappedFile(fromFile),
          ),
        );
  if (fromFile !== undefined && listed.length === 0 && targets.length === 0)
    throw new AppError(
      'BAD_INPUT',
      `${fromFile === '-' ? 'standard input' : fromFile} names no domain (one per line; '#' starts a comment)`,
    );
  const result = await runCheckMany(
    { ...options, targets: [...targets, ...listed], concurrency: limit },
    sharedDeps(checkDeps(config, true, lifecycle)),
    (text) => process.stdout.write(text),
  );
  const { recordReport } = await import('./open-store.js');
  await recordReport(config, result.reports, 'cli', lifecycle);
  return result.exitCode;
}

/** One DNS client and one set of SMTP settings for every target, polite to the servers they share. */
function sharedDeps(deps: CheckCommandDeps): CheckCommandDeps {
  let smtp: Promise<SmtpSettings | undefined> | undefined;
  const smtpFor = deps.smtpFor;
  return {
    ...deps,
    dns: createSharedDnsClient(deps.dns),
    ...(smtpFor
      ? {
          smtpFor: (valid) => {
            // The options are the same for every target: the first call's settings serve them all.
            smtp ??= smtpFor(valid).then((settings) =>
              settings && !valid.queue ? { ...settings, prober: oneSessionPerAddress(settings.prober) } : settings,
            );
            return smtp;
          },
        }
      : {}),
  };
}
