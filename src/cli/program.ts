import { Command, CommanderError, Option } from 'commander';
import type { CheckCommandInput, ProbeOptions } from '../../commands/check.js';
import type { AuditExportInput, AuditVerifyInput } from '../../commands/audit-log.js';
import type { FollowUpInput } from '../../commands/follow-up.js';
import type { HistoryInput } from '../../commands/history.js';
import type { InventoryExportInput } from '../../commands/inventory-file.js';

/** Exit status for bad input or configuration (sysexits-style codes would clash with "1 = fails"). */
export const EXIT_BAD_INPUT = 2;

export interface CliHandlers {
  check(input: CheckCliInput): Promise<number>;
  /** Runs until stopped (SIGTERM/SIGINT) and resolves to the exit status. */
  worker(): Promise<number>;
  followUp(input: FollowUpInput): Promise<number>;
  chat(options: ChatOptions): Promise<number>;
  /** Runs the bot until SIGTERM or SIGINT. */
  start(): Promise<number>;
  inventoryImport(input: InventoryImportOptions): Promise<number>;
  inventoryExport(input: InventoryExportInput): Promise<number>;
  auditVerify(input: AuditVerifyInput): Promise<number>;
  auditCheckpoint(): Promise<number>;
  auditExport(input: AuditExportInput): Promise<number>;
  outageCalendar(input: { readonly since?: string | undefined }): Promise<number>;
  history(input: HistoryInput): Promise<number>;
  bounce(input: BounceCommandInput): Promise<number>;
}

/** `mxops check` as typed: one target, several, or a list file (then checked concurrently). */
export interface CheckCliInput extends Omit<CheckCommandInput, 'domain'> {
  readonly targets: readonly string[];
  /** One target per line; '-' for standard input. */
  readonly fromFile?: string | undefined;
  /** As typed; checked by the command (1-256, default 16). */
  readonly concurrency?: string | undefined;
}

export interface BounceCommandInput extends ProbeOptions {
  /** The file to read; standard input when undefined. */
  readonly file: string | undefined;
  readonly json: boolean;
  /** False with --no-check. */
  readonly check: boolean;
}

export interface InventoryImportOptions {
  readonly file: string;
  readonly format?: string | undefined;
  /** The importer's handle in the inventory; else the OS user, for the audit log. */
  readonly as?: string | undefined;
}

export interface ChatOptions extends ProbeOptions {
  /** Who types, as a handle in the inventory: needed for the patch commands that change it. */
  readonly as?: string;
}

export interface CliProgram {
  /** Runs the command line (without node and script) and resolves to the exit status. */
  run(argv: readonly string[]): Promise<number>;
}

/** The `mxops` command line. Parsing only: what each command does lives in commands/. */
export function buildProgram(
  handlers: CliHandlers,
  write: { out(text: string): void; err(text: string): void } = defaultWriters,
): CliProgram {
  let exitCode = 0;
  const program = new Command('mxops')
    .description('Diagnose why mail between two organisations fails, with evidence.')
    .exitOverride()
    .configureOutput({ writeOut: write.out, writeErr: write.err })
    .showHelpAfterError('(run "mxops help check" for usage)');

  const check = program
    .command('check')
    .description(
      'Check what a sender depends on to deliver mail to <domain>: MX, nameservers, reply sizes, TCP and EDNS, PTR, SPF, DMARC, and each mail server over SMTP and TLS.',
    )
    .argument(
      '[domains...]',
      'the mail domain (the part after @), or the address whose mail fails (someone@partner.com); IDNs are accepted. Several are checked concurrently, each report in the order given',
    )
    .option(
      '--json',
      'print one JSON object instead of the report (several targets: one JSON line each, with its target)',
      false,
    )
    .option('--verbose', 'every finding with its evidence, instead of the problems they group into', false)
    .option(
      '--from-file <file>',
      "check the targets in <file>, one per line ('#' starts a comment); '-' reads them from standard input",
    )
    .option('--concurrency <n>', 'with several targets, how many are checked at once (1-256)', '16');
  withProbeOptions(check)
    .addHelpText(
      'after',
      '\nExit status: 0 nothing fails, 1 something fails, 2 bad input or configuration (several targets: the worst of them).\n\nExamples:\n  mxops check partner.com\n  mxops check partner.com other.example --json\n  mxops check --from-file partners.txt --concurrency 8\n  mxops check someone@partner.com --queue\n  mxops check partner.com --json --dns-only --resolver 127.0.0.1:5353',
    )
    .action(
      async (
        targets: string[],
        options: { json: boolean; verbose: boolean; fromFile?: string; concurrency: string } & ProbeFlags,
      ) => {
        exitCode = await handlers.check({
          targets,
          fromFile: options.fromFile,
          concurrency: options.concurrency,
          json: options.json,
          verbose: options.verbose,
          ...probeOptions(options),
        });
      },
    );

  const bounce = program
    .command('bounce')
    .description(
      'Read a bounce (an RFC 3464 report or the text ones of qmail, Postfix, Exim, Exchange, Sendmail, Gmail), a message with its headers, or an MTA log line; say which mail system wrote it, what failed and why, then run the checks that confirm or refute that against the recipient domain now.',
    )
    .argument(
      '[file]',
      'the bounce as a file (.eml or text); standard input when omitted. Input over 2 MiB is read up to there.',
    )
    .option(
      '--json',
      'print one JSON object: family, dsn, remoteReply, step, sender, recipient, recipientDomain, isBounce, hops, hypothesis, verdict, findings',
      false,
    )
    .option('--no-check', 'only read the bounce: no DNS or SMTP checks, verdict unknown');
  withProbeOptions(bounce)
    .addHelpText(
      'after',
      '\nExit status: 0 read (whatever the verdict), 2 bad input (binary data, a file that cannot be read) or configuration.\n\nExamples:\n  mxops bounce failed-note.eml\n  pbpaste | mxops bounce --json --no-check',
    )
    .action(async (file: string | undefined, options: { json: boolean; check: boolean } & ProbeFlags) => {
      exitCode = await handlers.bounce({ file, json: options.json, check: options.check, ...probeOptions(options) });
    });

  program
    .command('history')
    .description(
      'List the stored checks of <domain> (every mxops check, /mailcheck and watch is kept) and what changed between the latest two: records added or removed, findings that appeared or cleared, answers that grew past 512 or 1232 bytes, senders that started or stopped failing.',
    )
    .argument('<domain>', 'the mail domain, or an address at it')
    .option('--json', 'print one JSON object', false)
    .option('--limit <n>', 'how many checks to list (default 20)')
    .option('--from <id>', 'compare this stored check (an id from the list) ...')
    .option('--to <id>', '... with this one, instead of the latest two')
    .addHelpText(
      'after',
      '\nExamples:\n  mxops history partner.com\n  mxops history partner.com --from 12 --to 15 --json',
    )
    .action(async (domain: string, options: { json: boolean; limit?: string; from?: string; to?: string }) => {
      exitCode = await handlers.history({
        domain,
        json: options.json,
        limit: options.limit,
        from: options.from,
        to: options.to,
      });
    });

  program
    .command('follow-up')
    .description(
      'Show the result of a follow-up probe that a check scheduled after a temporary RCPT failure (greylisting).',
    )
    .argument('<id>', 'the id from the smtp.rcpt-temporary finding (followup-...)')
    .option('--json', 'print one JSON object', false)
    .option('--wait', 'wait for the follow-up if it has not run yet (a worker must be running)', false)
    .action(async (id: string, options: { json: boolean; wait: boolean }) => {
      exitCode = await handlers.followUp({ id, json: options.json, wait: options.wait });
    });

  const chat = program
    .command('chat')
    .description(
      'The chat commands in this terminal, as Slack and Teams show them (mailcheck, patch, outage, help); no credentials needed.',
    );
  withProbeOptions(chat)
    .option(
      '--as <handle>',
      'who you are in the patch inventory: needed for the patch and outage commands that change something (ack, snooze, done, add, accept-risk, approve, reject, outage request ...)',
    )
    .action(async (options: { as?: string } & ProbeFlags) => {
      exitCode = await handlers.chat({
        ...probeOptions(options),
        ...(options.as !== undefined ? { as: options.as } : {}),
      });
    });

  const inventory = program
    .command('inventory')
    .description(
      'The patch inventory: systems, owners, policies and patches (DATABASE_URL, else SQLite under MXOPS_DATA_DIR).',
    );
  inventory
    .command('import')
    .description(
      'Merge a YAML or CSV inventory file into the store: only what differs is written and audited; nothing is ever deleted.',
    )
    .argument('<file>', 'the file (.yaml, .yml or .csv; see test/fixtures/inventory/example.yaml)')
    .option('--format <format>', 'yaml or csv, when the file name does not tell')
    .option(
      '--as <handle>',
      'your handle in the inventory, for the audit log, where it is recorded as claimed (default: cli:<your OS user>)',
    )
    .action(async (file: string, options: { format?: string; as?: string }) => {
      exitCode = await handlers.inventoryImport({ file, format: options.format, as: options.as });
    });
  inventory
    .command('export')
    .description('Print the inventory as a file import reads back: YAML (everything) or CSV (one kind of record).')
    .option('--format <format>', 'yaml or csv', 'yaml')
    .option('--kind <kind>', 'for CSV: people, systems or patches')
    .action(async (options: { format: string; kind?: string }) => {
      exitCode = await handlers.inventoryExport({ format: options.format, kind: options.kind });
    });

  const audit = program
    .command('audit')
    .description(
      'The hash-chained audit log of every nag, escalation, decision, import, risk acceptance and refused attempt.',
    );
  audit
    .command('verify')
    .description(
      'Recompute the hash chain (MACs too, with MXOPS_AUDIT_KEY) and compare it with the checkpoints in MXOPS_AUDIT_CHECKPOINT_FILE and any given: exit 0 and the head if intact, 1 and the first entry that differs if not.',
    )
    .option(
      '--checkpoint <seq:hash>',
      'a checkpoint you kept, as audit verify or audit checkpoint printed it (repeatable)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .addHelpText(
      'after',
      '\nExit status: 0 intact, 1 broken (a changed, missing, cut or re-hashed entry), 2 bad input or configuration.\n\nExample:\n  mxops audit verify --checkpoint 1042:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    )
    .action(async (options: { checkpoint: string[] }) => {
      exitCode = await handlers.auditVerify({ checkpoints: options.checkpoint });
    });
  audit
    .command('checkpoint')
    .description(
      'Checkpoint the head (sequence number and hash) now: appended to MXOPS_AUDIT_CHECKPOINT_FILE, posted to MXOPS_AUDIT_CHANNEL, and printed to keep elsewhere.',
    )
    .action(async () => {
      exitCode = await handlers.auditCheckpoint();
    });
  audit
    .command('export')
    .description('Print the audit log as JSON or CSV, with the hashes, so it can be archived and re-checked.')
    .option('--format <format>', 'json or csv', 'json')
    .option(
      '--since <when>',
      'only entries at or after a date (2026-11-01), a time (2026-11-01T09:00:00Z) or a duration back from now (7d)',
    )
    .action(async (options: { format: string; since?: string }) => {
      exitCode = await handlers.auditExport({ format: options.format, since: options.since });
    });

  const outage = program
    .command('outage')
    .description('Outage windows: requested and decided in chat (outage request ...), shown in calendars here.');
  outage
    .command('calendar')
    .description(
      'Print the approved outage windows and freeze periods as an iCalendar file (import it, or serve it with MXOPS_CALENDAR_TOKEN).',
    )
    .option(
      '--since <when>',
      'windows and freezes that end at or after a date (2026-11-01) or a duration back from now (30d); default 30d',
    )
    .action(async (options: { since?: string }) => {
      exitCode = await handlers.outageCalendar({ since: options.since });
    });

  program
    .command('start')
    .description(
      'Run the bot: the configured chat surfaces (Slack, Teams), the workers (SMTP probes, escalation sweep and nags; MXOPS_START_WORKERS) and /healthz and /metrics on MXOPS_HTTP_PORT, until SIGTERM.',
    )
    .action(async () => {
      exitCode = await handlers.start();
    });

  program
    .command('worker')
    .description(
      'Run the workers (SMTP probes, the escalation sweep and nags) against the Redis in MXOPS_REDIS_URL until SIGTERM or SIGINT; run more of them on more machines to scale out.',
    )
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

interface ProbeFlags {
  readonly dnsOnly: boolean;
  readonly queue: boolean;
  readonly allowPrivate: boolean;
  readonly resolver?: string;
  readonly timeout?: string;
}

/** The options of every command that runs checks: how DNS is asked and whether SMTP is probed. */
function withProbeOptions(command: Command): Command {
  return command
    .option('--dns-only', 'skip the SMTP probes (no connection to the mail servers)', false)
    .option('--queue', 'run the SMTP probes in `mxops worker` processes that share the Redis (MXOPS_REDIS_URL)', false)
    .option(
      '--allow-private',
      "also ask nameservers and probe mail servers at loopback, private and reserved addresses (a test bed; queued probes follow the workers' own MXOPS_ALLOW_PRIVATE_TARGETS)",
      false,
    )
    .option(
      '--resolver <host[:port]>',
      'recursive resolver to start from (default: MXOPS_RESOLVER, else the system resolver)',
    )
    .addOption(
      new Option('--timeout <ms>', 'time-out per DNS query in milliseconds (default: MXOPS_DNS_TIMEOUT_MS, else 2000)'),
    );
}

function probeOptions(flags: ProbeFlags): ProbeOptions {
  return {
    dnsOnly: flags.dnsOnly,
    queue: flags.queue,
    allowPrivate: flags.allowPrivate,
    resolver: flags.resolver,
    timeout: flags.timeout,
  };
}

const defaultWriters = {
  out: (text: string) => void process.stdout.write(text),
  err: (text: string) => void process.stderr.write(text),
};
