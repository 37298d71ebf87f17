/**
 * Whether a suite that needs a real server (Knot, Exim, Unbound, BIND's signing tools) may be
 * skipped: on a developer's machine without it, yes; under CI=true never, since .ci/run installs
 * them all, and a suite that passes by skipping would make green mean untested.
 */
export function skipWithout(tool: string, available: boolean): boolean {
  if (available) return false;
  if (process.env.CI === 'true')
    throw new Error(
      `${tool} is not available here: .ci/run installs it, and under CI=true this suite must run, not skip`,
    );
  return true;
}
