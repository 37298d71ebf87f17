/**
 * The loopback guard in a child process a test spawned: loopback-guard.ts puts this module in
 * NODE_OPTIONS (`--import`), so every Node.js process below the test runner loads it first. A
 * refusal reaches the child's code as an error and is also appended to the file the test process
 * named, whose guard fails the test with it: the child may well turn the error into a finding.
 */
import { appendFileSync } from 'node:fs';
import process from 'node:process';
import { guardLoopback } from './loopback-policy.mjs';

const reportTo = process.env.MXOPS_TEST_LOOPBACK_REFUSALS;
const who = `child process ${process.pid} (${process.argv.slice(1, 3).join(' ')})`;

guardLoopback((message) => {
  if (reportTo) appendFileSync(reportTo, `${JSON.stringify(`${who}: ${message}`)}\n`);
});
