import type { SmtpProbeResult, SmtpProber } from '../diagnosis/smtp-port.js';
import type { Metrics } from './metrics.js';

/** How a probe ended, in a few words fit for a metric label (never an address: unbounded labels). */
function outcome(result: SmtpProbeResult): string {
  if (result.refusedByPolicy) return 'refused-by-policy';
  if (result.connect && !result.connect.ok) return `connect-${result.connect.error}`;
  if (result.abort) return `aborted-${result.abort.reason}`;
  return result.rcpt ? `rcpt-${Math.floor(result.rcpt.code / 100)}xx` : 'incomplete';
}

/** Times every probe into the probe histogram. */
export function instrumentProber(prober: SmtpProber, metrics: Metrics): SmtpProber {
  return {
    async probe(request, options) {
      const result = await prober.probe(request, options);
      metrics.probeSeconds.observe({ outcome: outcome(result) }, result.totalMs / 1000);
      return result;
    },
  };
}
