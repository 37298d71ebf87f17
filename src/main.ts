#!/usr/bin/env node
/**
 * The composition root: the only module that reads the environment and creates clients
 * (DESIGN.md). Everything below it takes what it needs as arguments.
 */
import { existsSync } from 'node:fs';
import { getServers } from 'node:dns';
import { performance } from 'node:perf_hooks';
import { runCheckCommand } from '../commands/check.js';
import { buildProgram, EXIT_BAD_INPUT } from './cli/program.js';
import { loadConfig } from './config.js';
import { isAppError } from './errors.js';
import { parseHostPort } from './host-port.js';
import { createDnsClient } from './net/dns-client.js';
import { formatServer } from './diagnosis/dns-port.js';

async function main(argv: readonly string[]): Promise<number> {
  // A .env beside the working directory is a convenience for local runs; real deployments set variables.
  if (existsSync('.env')) process.loadEnvFile('.env');
  const program = buildProgram({
    async check(input) {
      const config = loadConfig(process.env);
      const result = await runCheckCommand(input, {
        config,
        dns: createDnsClient(),
        now: () => performance.now(),
        onStart: (domain, resolver) => {
          // A check can take a few seconds when servers time out; say what is going on, on a terminal only.
          if (process.stderr.isTTY && !input.json) process.stderr.write(`Checking ${domain} from resolver ${formatServer(resolver)}...\n`);
        },
        systemResolver: () => {
          const first = getServers()[0];
          return first === undefined ? undefined : parseHostPort(first, 53, 'the system resolver');
        },
      });
      process.stdout.write(result.output);
      return result.exitCode;
    },
  });
  return program.run(argv);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`mxops: ${isAppError(error) ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = isAppError(error, 'BAD_INPUT') || isAppError(error, 'BAD_CONFIG') ? EXIT_BAD_INPUT : 70;
  },
);
