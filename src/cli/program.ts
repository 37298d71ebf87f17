import { Command, CommanderError, Option } from 'commander';
import type { CheckCommandInput } from '../../commands/check.js';
import type { FollowUpInput } from '../../commands/follow-up.js';

/** Exit status for bad input or configuration (sysexits-style codes would clash with "1 = fails"). */
export const EXIT_BAD_INPUT = 2;

export interface CliHandlers {
  check(input: CheckCommandInput): Promise<number>;
  /** Runs until stopped (SIGTERM/SIGINT) and resolves to the exit status. */
  worker(): Promise<number>;
  followUp(input: FollowUpInput): Promise<number>;
  chat(options: ChatOptions): Promise<number>;
  /** Runs the bot until SIGTERM or SIGINT. */
  start(): Promise<number>;
}

export interface ChatOptions {
  readonly queue: boolean;
  readonly allowPrivate: boolean;
  readonly dnsOnly: boolean;
}

export interface CliProgram {
  /** Runs the command line (without node and script) and resolves to the exit status. */
  run(argv: readonly string[]): Promise<number>;
}

/** The `mxops` command line. Parsing only: what each command does lives in commands/. */
export function buildProgram(handlers: CliHandlers, write: { out(text: string): void; err(text: string): void } = defaultWriters): CliProgram {
  let exitCode = 0;
  const program = new Command('mxops')
    .description('Diagnose why mail between two organisations fails, with evidence.')
    .exitOverride()
    .configureOutput({ writeOut: write.out, writeErr: write.err })
    .showHelpAfterError('(run "mxops help check" for usage)');

  program
    .command('check')
    .description(
      'Check what a sender depends on to deliver mail to <domain>: MX, nameservers, reply sizes, TCP and EDNS, PTR, SPF, DMARC, and each mail server over SMTP and TLS.',
    )
    .argument('<domain>', 'the mail domain (the part after @), or the address whose mail fails (someone@partner.com); IDNs are accepted')
    .option('--json', 'print one JSON object instead of the report', false)
    .option('--dns-only', 'skip the SMTP probes (no connection to the mail servers)', false)
    .option('--queue', 'run the SMTP probes in `mxops worker` processes that share the Redis (MXOPS_REDIS_URL)', false)
    .option('--allow-private', 'also probe loopback, private and reserved addresses (in-process probes only; workers use their own MXOPS_ALLOW_PRIVATE_TARGETS)', false)
    .option('--resolver <host[:port]>', 'recursive resolver to start from (default: MXOPS_RESOLVER, else the system resolver)')
    .addOption(new Option('--timeout <ms>', 'time-out per DNS query in milliseconds (default: MXOPS_DNS_TIMEOUT_MS, else 2000)'))
    .addHelpText(
      'after',
      '\nExit status: 0 nothing fails, 1 something fails, 2 bad input or configuration.\n\nExamples:\n  mxops check partner.com\n  mxops check someone@partner.com --queue\n  mxops check partner.com --json --dns-only --resolver 127.0.0.1:5353',
    )
    .action(async (domain: string, options: { json: boolean; dnsOnly: boolean; queue: boolean; allowPrivate: boolean; resolver?: string; timeout?: string }) => {
      exitCode = await handlers.check({
        domain,
        json: options.json,
        dnsOnly: options.dnsOnly,
        queue: options.queue,
        allowPrivate: options.allowPrivate,
        resolver: options.resolver,
        timeout: options.timeout,
      });
    });

  program
    .command('follow-up')
    .description('Show the result of a follow-up probe that a check scheduled after a temporary RCPT failure (greylisting).')
    .argument('<id>', 'the id from the smtp.rcpt-temporary finding (followup-...)')
    .option('--json', 'print one JSON object', false)
    .option('--wait', 'wait for the follow-up if it has not run yet (a worker must be running)', false)
    .action(async (id: string, options: { json: boolean; wait: boolean }) => {
      exitCode = await handlers.followUp({ id, json: options.json, wait: options.wait });
    });

  program
    .command('chat')
    .description('The chat commands in this terminal, as Slack and Teams show them (mailcheck, help); no credentials needed.')
    .option('--dns-only', 'skip the SMTP probes and the MTA-STS fetch', false)
    .option('--queue', 'run the SMTP probes in `mxops worker` processes', false)
    .option('--allow-private', 'also probe loopback, private and reserved addresses (in-process probes only)', false)
    .action(async (options: ChatOptions) => {
      exitCode = await handlers.chat(options);
    });

  program
    .command('start')
    .description('Run the bot: the configured chat surfaces (Slack), SMTP probe workers (MXOPS_START_WORKERS) and /healthz and /metrics on MXOPS_HTTP_PORT, until SIGTERM.')
    .action(async () => {
      exitCode = await handlers.start();
    });

  program
    .command('worker')
    .description('Run SMTP probe workers against the Redis in MXOPS_REDIS_URL until SIGTERM or SIGINT; run more of them on more machines to scale out.')
    .action(async () => {
      exitCode = await handlers.worker();
    });

  return {
    async run(argv) {
      if (argv.length === 0) {
        program.outputHelp();
        return EXIT_BAD_INPUT;
      }
      try {
        await program.parseAsync([...argv], { from: 'user' });
        return exitCode;
      } catch (error) {
        if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
        throw error;
      }
    },
  };
}

const defaultWriters = {
  out: (text: string) => void process.stdout.write(text),
  err: (text: string) => void process.stderr.write(text),
};
