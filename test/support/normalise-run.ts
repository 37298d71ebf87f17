/**
 * What differs between two runs of the same diagnosis on loopback, replaced by placeholders so a
 * golden file holds only what the code decided: how long things took, how many DNS packets went
 * out (time-outs and races move it), the random ports the test servers got, and timestamps of
 * the run itself (a certificate's 2020 expiry date stays: it is part of the case).
 */
export interface RunFacts {
  /** The ports the test servers listen on. */
  readonly ports: readonly number[];
  /** When the run happened. */
  readonly at: Date;
}

const WEEK_MS = 7 * 24 * 3600 * 1000;

export function normaliseRun(text: string, run: RunFacts): string {
  let out = text
    .replace(/\b\d+(?:\.\d+)? (s|ms)\b/g, '‹t› $1')
    .replace(/\bwith \d+ DNS queries\b/g, 'with ‹n› DNS queries')
    .replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z/g, (stamp) =>
      Math.abs(Date.parse(stamp) - run.at.getTime()) < WEEK_MS ? '‹time›' : stamp,
    );
  for (const port of run.ports) out = out.replace(new RegExp(`(?<=[:\\s]|-p )${port}\\b`, 'g'), '‹port›');
  return out;
}
