import { Command, CommanderError, Option } from 'commander';
import type { CheckCommandInput } from '../../commands/check.js';

/** Exit status for bad input or configuration (sysexits-style codes would clash with "1 = fails"). */
export const EXIT_BAD_INPUT = 2;

export interface CliHandlers {
  check(input: CheckCommandInput): Promise<number>;
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
    .description('Check the DNS a sender depends on to deliver mail to <domain>: MX, nameservers, reply sizes, TCP and EDNS, PTR, SPF, DMARC.')
    .argument('<domain>', 'the mail domain (the part after @); IDNs are accepted')
    .option('--json', 'print one JSON object instead of the report', false)
    .option('--resolver <host[:port]>', 'recursive resolver to start from (default: MXOPS_RESOLVER, else the system resolver)')
    .addOption(new Option('--timeout <ms>', 'time-out per DNS query in milliseconds (default: MXOPS_DNS_TIMEOUT_MS, else 2000)'))
    .addHelpText(
      'after',
      '\nExit status: 0 nothing fails, 1 something fails, 2 bad input or configuration.\n\nExamples:\n  mxops check partner.com\n  mxops check partner.com --json --resolver 127.0.0.1:5353',
    )
    .action(async (domain: string, options: { json: boolean; resolver?: string; timeout?: string }) => {
      exitCode = await handlers.check({ domain, json: options.json, resolver: options.resolver, timeout: options.timeout });
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
