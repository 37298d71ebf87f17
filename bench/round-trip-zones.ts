/** bench.test as round-trips.ts serves it: its two MX hosts on loopback, where real SMTP servers listen. */
import { benchZones, DOMAIN } from './bench-zones.js';

export const MX_HOSTS = [
  { name: `mx1.${DOMAIN}`, address: '127.0.0.34' },
  { name: `mx2.${DOMAIN}`, address: '127.0.0.35' },
] as const;

export const ROUND_TRIP_ZONES = benchZones([MX_HOSTS[0].address, MX_HOSTS[1].address]);
