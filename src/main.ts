#!/usr/bin/env node
/**
 * The entry point: parses the command line and loads only the module of the command that runs
 * (DESIGN.md, "Pay only for what runs"): `mxops --help` never loads Bolt, botbuilder, BullMQ or
 * the database drivers. The per-command modules in cli/ (run-*.ts) are the composition root:
 * they read the configuration from the environment this file hands them, create the clients, and
 * give each to the one Lifecycle made here, which closes them all, last opened first, when the
 * command ends, fails, or fails half-way through its start-up.
 * Keep this file's imports to the parser and what its error boundary needs (bench/startup.ts).
 */
import { existsSync } from 'node:fs';
import { Lifecycle } from './cli/lifecycle.js';
import { buildProgram, EXIT_BAD_INPUT } from './cli/program.js';
import { isAppError } from './errors.js';

async function main(argv: readonly string[]): Promise<number> {
  // `mxops audit export | head` closes the pipe early: that is the reader's choice, not a failure.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  // A .env beside the working directory is a convenience for local runs; real deployments set variables.
  if (existsSync('.env')) process.loadEnvFile('.env');
  const env = process.env;
  const lifecycle = new Lifecycle((line) => void process.stderr.write(`mxops: ${line}\n`));
  const program = buildProgram({
    check: async (input) => (await import('./cli/run-check.js')).runCheck(input, env, lifecycle),
    bounce: async (input) => (await import('./cli/run-bounce.js')).runBounce(input, env, lifecycle),
    worker: async () => (await import('./cli/run-worker.js')).runWorker(env, lifecycle),
    chat: async (options) => (await import('./cli/run-chat.js')).runChat(options, env, lifecycle),
    start: async () => (await import('./cli/run-start.js')).runStart(env, lifecycle),
    inventoryImport: async (input) => (await import('./cli/run-inventory.js')).runImport(input, env, lifecycle),
    inventoryExport: async (input) => (await import('./cli/run-inventory.js')).runExport(input, env, lifecycle),
    auditVerify: async (input) => (await import('./cli/run-audit.js')).runVerify(input, env, lifecycle),
    auditCheckpoint: async () => (await import('./cli/run-audit.js')).runCheckpoint(env, lifecycle),
    auditExport: async (input) => (await import('./cli/run-audit.js')).runExport(input, env, lifecycle),
    outageCalendar: async (input) => (await import('./cli/run-outage-calendar.js')).runCalendar(input, env, lifecycle),
    history: async (input) => (await import('./cli/run-history.js')).runHistory(input, env, lifecycle),
    followUp: async (input) => (await import('./cli/run-follow-up.js')).runFollowUp(input, env, lifecycle),
  });
  try {
    return await program.run(argv);
  } finally {
    // Also after a failure, before the cause is printed: whatever the command opened is closed.
    await lifecycle.closeAll();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `mxops: ${isAppError(error) ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode =
      isAppError(error, 'BAD_INPUT') || isAppError(error, 'BAD_CONFIG') || isAppError(error, 'QUEUE_UNAVAILABLE')
        ? EXIT_BAD_INPUT
        : 70;
  },
);
