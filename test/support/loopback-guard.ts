/**
 * Fails any test that reaches beyond loopback (DESIGN.md, Testing): every outgoing UDP datagram,
 * TCP connection and system DNS look-up is checked before it leaves (loopback-policy.mjs), in the
 * test process and in every Node.js process it spawns.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach } from 'vitest';
import { guardLoopback } from './loopback-policy.mjs';

/**
 * Attempts are also remembered and fail the test afterwards: code under test turns socket errors
 * into findings (as it must), which would otherwise swallow the guard's refusal.
 */
const attempts: string[] = [];
guardLoopback((message) => attempts.push(message));

/**
 * Children inherit the guard through NODE_OPTIONS (read by every Node.js process at start, passed
 * on with the environment) and append their refusals to a file of this test process's own.
 */
const CHILD_GUARD = `--import=${pathToFileURL(join(import.meta.dirname, 'loopback-guard-child.mjs')).href}`;
const childRefusals = join(tmpdir(), `mxops-loopback-refusals-${process.pid}-${randomUUID().slice(0, 8)}`);
process.env.MXOPS_TEST_LOOPBACK_REFUSALS = childRefusals;
process.env.NODE_OPTIONS = withChildGuard(process.env.NODE_OPTIONS);

function withChildGuard(options: string | undefined): string {
  const current = options ?? '';
  return current.includes(CHILD_GUARD) ? current : `${current} ${CHILD_GUARD}`.trim();
}

/** The environment for a child that must meet the real network stack (the kernel's own refusals): no guard. */
export function unguardedEnv(): NodeJS.ProcessEnv {
  const options = (process.env.NODE_OPTIONS ?? '').replace(CHILD_GUARD, '').trim();
  return { ...process.env, NODE_OPTIONS: options };
}

/** Takes what children refused so far; renamed first, so a child appending meanwhile starts a new file. */
function takeChildRefusals(): string[] {
  const taken = `${childRefusals}.taken`;
  try {
    renameSync(childRefusals, taken);
  } catch {
    return [];
  }
  const lines = readFileSync(taken, 'utf8').split('\n').filter(Boolean);
  rmSync(taken, { force: true });
  return lines.map((line) => JSON.parse(line) as string);
}

afterEach(() => {
  const refused = takeRefusedAttempts();
  if (refused.length > 0) throw new Error(refused.join('\n'));
});

afterAll(() => rmSync(childRefusals, { force: true }));

/** For the tests that make the guard refuse on purpose: takes (and so forgives) the attempts it refused so far, children's included. */
export function takeRefusedAttempts(): string[] {
  return [...attempts.splice(0), ...takeChildRefusals()];
}
