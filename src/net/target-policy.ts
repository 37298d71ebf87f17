import net from 'node:net';
import { nonPublicRange } from '../diagnosis/address-scope.js';

/**
 * The safety policy for every connection a check opens to an address learned from the partner's
 * DNS (SMTP probes, the MTA-STS policy fetch): the range that forbids it ('loopback', 'private',
 * ..., 'invalid' for a host name), or undefined when it may be connected to. It is applied to the
 * address actually connected to, so a DNS answer that changes between checks cannot steer us
 * inward; a host name is never connected to, since resolving it there would reach an address
 * nobody checked.
 */
export function refusedRange(address: string, allowPrivateTargets: boolean): string | undefined {
  if (net.isIP(address) === 0) return 'invalid';
  return allowPrivateTargets ? undefined : nonPublicRange(address);
}
