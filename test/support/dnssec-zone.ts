/**
 * Zones signed by BIND's dnssec-keygen and dnssec-signzone at test time, with the inception and
 * expiration a case needs (dates relative to now, so nothing rots), and the signed zone read back
 * as records: for the unit tests as wire records (through the real decoder), for Knot as text.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as packet from 'dns-packet';
import type { DnsRecord } from '../../src/diagnosis/dns-port.js';
import { decodeReply } from '../../src/net/dns-wire.js';
import type { ZoneRecord } from './dns-test-server.js';

export const DNSSEC_SIGNZONE = '/usr/bin/dnssec-signzone';
export const DNSSEC_KEYGEN = '/usr/bin/dnssec-keygen';

export function bindToolsAvailable(): boolean {
  try {
    execFileSync(DNSSEC_KEYGEN, ['-h'], { stdio: 'ignore' });
  } catch (error) {
    // dnssec-keygen -h exits non-zero after printing its usage: it ran.
    return (error as { status?: number }).status !== undefined && (error as { code?: string }).code !== 'ENOENT';
  }
  return true;
}

const dir = mkdtempSync(path.join(tmpdir(), 'mxops-dnssec-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

export interface SignOptions {
  readonly origin: string;
  /** Zone-file text without SOA/NS or with them: `$ORIGIN` and `$TTL` are added. */
  readonly body: string;
  /** dnssec-keygen's algorithm name: ECDSAP256SHA256, ECDSAP384SHA384, RSASHA256, ED25519, RSASHA1... */
  readonly algorithm?: string;
  /** Seconds from now: negative is in the past. */
  readonly inception?: number;
  readonly expiration?: number;
  readonly nsec3?: boolean;
  /** NSEC3 opt-out (unsigned delegations need no NSEC3 of their own). */
  readonly optOut?: boolean;
  /** Child DS records (dsset text) to include before signing. */
  readonly childDs?: string;
  /** Keep these RRSIG-covered types unsigned afterwards: drop their RRSIGs from the output (a missing signature). */
  readonly dropSignaturesOver?: readonly string[];
}

export interface SignedZone {
  readonly origin: string;
  /** The signed zone, one record per line (dnssec-signzone -O full). */
  readonly text: string;
  /** The DS records the parent should publish (dsset), SHA-256. */
  readonly ds: string;
  /** The KSK's DNSKEY line, usable as a trust anchor. */
  readonly kskLine: string;
  readonly kskTag: number;
  readonly zskTag: number;
}

let counter = 0;
/** Keys published and active well before any inception a case uses, or dnssec-signzone will not sign with them. */
const ACTIVE_LONG_AGO = ['-P', '-60d', '-A', '-60d'];

function stamp(offsetSeconds: number): string {
  return new Date(Date.now() + offsetSeconds * 1000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

// -P: no post-signing verification, which would refuse an expired or not-yet-valid zone, the very cases wanted.
export function signZone(options: SignOptions): SignedZone {
  const work = path.join(dir, `${options.origin.replace(/\.$/, '') || 'root'}-${counter++}`);
  execFileSync('mkdir', ['-p', work]);
  const origin = options.origin.endsWith('.') ? options.origin : `${options.origin}.`;
  const algorithm = options.algorithm ?? 'ECDSAP256SHA256';
  const size = algorithm.startsWith('RSA') ? ['-b', '2048'] : [];
  const ksk = execFileSync(
    DNSSEC_KEYGEN,
    ['-q', '-K', work, '-a', algorithm, ...size, ...ACTIVE_LONG_AGO, '-f', 'KSK', '-n', 'ZONE', origin],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  )
    .toString()
    .trim();
  const zsk = execFileSync(
    DNSSEC_KEYGEN,
    ['-q', '-K', work, '-a', algorithm, ...size, ...ACTIVE_LONG_AGO, '-n', 'ZONE', origin],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  )
    .toString()
    .trim();
  const keyText = (name: string): string =>
    readFileSync(path.join(work, `${name}.key`), 'utf8')
      .split('\n')
      .filter((l) => !l.startsWith(';') && l.trim() !== '')
      .join('\n');
  const zoneFile = path.join(work, 'zone');
  writeFileSync(
    zoneFile,
    [`$ORIGIN ${origin}`, '$TTL 300', options.body, options.childDs ?? '', keyText(ksk), keyText(zsk), ''].join('\n'),
  );
  const nsec3 = options.nsec3 ? ['-3', '-', '-H', '0', ...(options.optOut ? ['-A'] : [])] : [];
  execFileSync(
    DNSSEC_SIGNZONE,
    [
      '-P',
      '-K',
      work,
      '-d',
      work,
      ...nsec3,
      '-O',
      'full',
      '-s',
      stamp(options.inception ?? -3600),
      '-e',
      stamp(options.expiration ?? 30 * 86400),
      '-o',
      origin,
      '-N',
      'keep',
      '-x',
      '-f',
      `${zoneFile}.signed`,
      zoneFile,
    ],
    { stdio: 'pipe' },
  );
  let text = readFileSync(`${zoneFile}.signed`, 'utf8')
    .split('\n')
    .filter((l) => !l.startsWith(';') && l.trim() !== '')
    .join('\n');
  if (options.dropSignaturesOver) {
    const dropped = new Set(options.dropSignaturesOver.map((t) => t.toUpperCase()));
    text = text
      .split('\n')
      .filter((l) => !(/\sRRSIG\s/.test(l) && dropped.has(l.split(/\s+/)[4]?.toUpperCase() ?? '')))
      .join('\n');
  }
  const dsset = readdirSync(work).find((f) => f.startsWith('dsset-'));
  const ds = dsset ? readFileSync(path.join(work, dsset), 'utf8') : '';
  const tag = (name: string): number => Number(/\+(\d+)$/.exec(name)?.[1]);
  return { origin, text, ds, kskLine: keyText(ksk), kskTag: tag(ksk), zskTag: tag(zsk) };
}

/** A DS set for a zone made from another key: what a botched rollover leaves at the parent. */
export function unrelatedDs(origin: string, algorithm = 'ECDSAP256SHA256'): string {
  return signZone({ origin, body: `@ SOA ns1 hostmaster 1 3600 600 604800 300\n@ NS ns1\nns1 A 127.0.0.1`, algorithm })
    .ds;
}

/** `-O full` lines as fixture records for the dns-packet server. */
export function zoneRecords(text: string): ZoneRecord[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith(';'))
    .map((line) => {
      const [owner, ttl, , type, ...rest] = line.trim().split(/\s+/) as [string, string, string, string, ...string[]];
      return { name: owner === '.' ? '.' : owner, type, ttl: Number(ttl), data: rdataOf(type, rest) };
    });
}

function seconds(stampText: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(stampText);
  if (!m) return Number(stampText);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) / 1000;
}

function base32hexDecode(text: string): Buffer {
  const alphabet = '0123456789abcdefghijklmnopqrstuv';
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const c of text.toLowerCase()) {
    value = ((value << 5) | alphabet.indexOf(c)) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

function rdataOf(type: string, f: string[]): unknown {
  switch (type) {
    case 'A':
    case 'AAAA':
    case 'NS':
    case 'CNAME':
    case 'PTR':
      return f[0];
    case 'MX':
      return { preference: Number(f[0]), exchange: f[1] };
    case 'SOA':
      return {
        mname: f[0],
        rname: f[1],
        serial: Number(f[2]),
        refresh: Number(f[3]),
        retry: Number(f[4]),
        expire: Number(f[5]),
        minimum: Number(f[6]),
      };
    case 'TXT':
      return (f.join(' ').match(/"((?:[^"\\]|\\.)*)"/g) ?? []).map((s) => s.slice(1, -1));
    case 'TLSA':
      return {
        usage: Number(f[0]),
        selector: Number(f[1]),
        matchingType: Number(f[2]),
        certificate: Buffer.from(f.slice(3).join(''), 'hex'),
      };
    case 'DNSKEY':
      return { flags: Number(f[0]), algorithm: Number(f[2]), key: Buffer.from(f.slice(3).join(''), 'base64') };
    case 'DS':
      return {
        keyTag: Number(f[0]),
        algorithm: Number(f[1]),
        digestType: Number(f[2]),
        digest: Buffer.from(f.slice(3).join(''), 'hex'),
      };
    case 'RRSIG':
      return {
        typeCovered: f[0],
        algorithm: Number(f[1]),
        labels: Number(f[2]),
        originalTTL: Number(f[3]),
        expiration: seconds(f[4] as string),
        inception: seconds(f[5] as string),
        keyTag: Number(f[6]),
        signersName: f[7],
        signature: Buffer.from(f.slice(8).join(''), 'base64'),
      };
    case 'NSEC':
      return { nextDomain: f[0], rrtypes: f.slice(1) };
    case 'NSEC3':
      return {
        algorithm: Number(f[0]),
        flags: Number(f[1]),
        iterations: Number(f[2]),
        salt: f[3] === '-' ? Buffer.alloc(0) : Buffer.from(f[3] as string, 'hex'),
        nextDomain: base32hexDecode(f[4] as string),
        rrtypes: f.slice(5),
      };
    case 'NSEC3PARAM': {
      const salt = f[3] === '-' ? Buffer.alloc(0) : Buffer.from(f[3] as string, 'hex');
      const head = Buffer.alloc(5);
      head.writeUInt8(Number(f[0]), 0);
      head.writeUInt8(Number(f[1]), 1);
      head.writeUInt16BE(Number(f[2]), 2);
      head.writeUInt8(salt.length, 4);
      return Buffer.concat([head, salt]);
    }
    default:
      throw new Error(`no fixture encoding for ${type}`);
  }
}

/** The records as the DNS adapter hands them over: encoded by dns-packet, decoded by our decoder (so each carries its wire form). */
export function wireRecordsOf(records: readonly ZoneRecord[]): DnsRecord[] {
  const answers = records.map(
    (r) =>
      ({
        name: r.name.replace(/\.$/, '') || '.',
        type: r.type,
        ttl: r.ttl ?? 300,
        class: 'IN',
        data: r.data,
      }) as packet.Answer,
  );
  const message = packet.encode({
    type: 'response',
    id: 1,
    flags: packet.AUTHORITATIVE_ANSWER,
    questions: [{ name: 'example', type: 'A' }],
    answers,
  });
  return decodeReply(message).answers;
}
