/**
 * RRSIG inception and expiration are 32-bit serial numbers of seconds (RFC 4034 §3.1.5, RFC 1982):
 * read relative to now, so a signature from 2106 and one from 1970 are told apart by their
 * distance, not by their bits.
 */
const WRAP = 2 ** 32;

/** The moment a serial-number time stands for: of the values it may mean, the one within 68 years of `now`. */
export function serialTime(serial: number, now: Date): Date {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const base = nowSeconds - (nowSeconds % WRAP);
  let seconds = base + serial;
  if (seconds - nowSeconds > WRAP / 2) seconds -= WRAP;
  else if (nowSeconds - seconds > WRAP / 2) seconds += WRAP;
  return new Date(seconds * 1000);
}

/** "20261207195030", as dig and dnssec-signzone print it. */
export function dnsTimestamp(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}
