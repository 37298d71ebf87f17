/**
 * TLSA records (RFC 6698 §2.1) and how one is matched against the certificate chain an SMTP
 * server served (RFC 7671, RFC 7672). Pure: the digests come from node:crypto, nothing here
 * touches the network.
 */
import { createHash } from 'node:crypto';
import type { DnsRecord } from './dns-port.js';
import type { CertificateInfo } from './smtp-port.js';

export interface TlsaRecord {
  /** 0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE (RFC 7218 §2.1). */
  readonly usage: number;
  /** 0 the whole certificate, 1 its SubjectPublicKeyInfo (RFC 6698 §2.1.2). */
  readonly selector: number;
  /** 0 exact, 1 SHA-256, 2 SHA-512 (RFC 6698 §2.1.3). */
  readonly matchingType: number;
  /** The certificate association data, lower-case hex. */
  readonly certificateData: string;
}

/** The TLSA variant of DnsRecord, as the DNS port carries it. */
export type TlsaDnsRecord = { readonly type: 'TLSA'; readonly name: string; readonly ttl: number } & TlsaRecord;

/** The fields dns-packet decodes a TLSA RDATA into. */
export interface TlsaRdata {
  readonly usage: number;
  readonly selector: number;
  readonly matchingType: number;
  readonly certificate: Uint8Array;
}

/** Turns decoded RDATA into a TlsaRecord; the DNS adapter calls it for every TLSA answer. */
export function tlsaFromRdata(rdata: TlsaRdata): TlsaRecord {
  return {
    usage: rdata.usage,
    selector: rdata.selector,
    matchingType: rdata.matchingType,
    certificateData: Buffer.from(rdata.certificate).toString('hex'),
  };
}

/** The TLSA records among `records` (an answer section; CNAMEs followed by the resolver are skipped). */
export function tlsaRecords(records: readonly DnsRecord[]): TlsaRecord[] {
  // Written against the TLSA variant so it works before and after dns-port.ts carries it.
  return (records as readonly (DnsRecord | TlsaDnsRecord)[]).flatMap((r) =>
    r.type === 'TLSA'
      ? [
          {
            usage: r.usage,
            selector: r.selector,
            matchingType: r.matchingType,
            certificateData: r.certificateData.toLowerCase(),
          },
        ]
      : [],
  );
}

/** Presentation format, as in a zone file and in `dig TLSA` output: "3 1 1 3eaef6...". */
export function formatTlsa(record: TlsaRecord): string {
  return `${record.usage} ${record.selector} ${record.matchingType} ${record.certificateData}`;
}

const USAGE_NAMES: Record<number, string> = { 0: 'PKIX-TA', 1: 'PKIX-EE', 2: 'DANE-TA', 3: 'DANE-EE' };
const DIGESTS: Record<number, { algorithm: string; bytes: number }> = {
  1: { algorithm: 'sha256', bytes: 32 },
  2: { algorithm: 'sha512', bytes: 64 },
};

export function usageName(usage: number): string {
  return USAGE_NAMES[usage] ?? `usage ${usage}`;
}

/**
 * Why an SMTP client ignores this record, or undefined when it uses it. SMTP clients use only
 * DANE-TA(2) and DANE-EE(3) (RFC 7672 §3.1.3) with the selectors and matching types RFC 6698
 * §2.1 defines; a digest of the wrong length can never match, so it is as good as absent.
 */
export function unusableReason(record: TlsaRecord): string | undefined {
  if (record.usage === 0 || record.usage === 1)
    return `${usageName(record.usage)} (${record.usage}) records are not used by SMTP clients (RFC 7672 §3.1.3)`;
  if (record.usage !== 2 && record.usage !== 3) return `certificate usage ${record.usage} is not defined`;
  if (record.selector !== 0 && record.selector !== 1) return `selector ${record.selector} is not defined`;
  if (record.matchingType === 0)
    return record.certificateData === '' ? 'the certificate association data is empty' : undefined;
  const digest = DIGESTS[record.matchingType];
  if (!digest) return `matching type ${record.matchingType} is not defined`;
  if (!/^[0-9a-f]*$/.test(record.certificateData) || record.certificateData.length !== digest.bytes * 2) {
    return `a ${digest.algorithm.toUpperCase()} digest is ${digest.bytes} bytes, but this record holds ${record.certificateData.length / 2}`;
  }
  return undefined;
}

/** What a certificate of the chain offers for a record's selector and matching type, lower-case hex. */
export function associationData(
  certificate: CertificateInfo,
  selector: number,
  matchingType: number,
): string | undefined {
  const selected = selector === 0 ? certificate.der : selector === 1 ? certificate.spki : undefined;
  if (selected === undefined) return undefined;
  const bytes = Buffer.from(selected, 'base64');
  if (matchingType === 0) return bytes.toString('hex');
  const digest = DIGESTS[matchingType];
  return digest ? createHash(digest.algorithm).update(bytes).digest('hex') : undefined;
}

export interface TlsaMatch {
  readonly record: TlsaRecord;
  /** Position in the served chain (0 = leaf) of the certificate that matched. */
  readonly position: number;
  readonly subject: string;
}

/**
 * The first usable record that matches the chain, or undefined. DANE-EE(3) is matched against
 * the leaf only; DANE-TA(2) against any certificate the server sent, since an SMTP server using
 * DANE-TA must include its trust anchor in the chain (RFC 7671 §5.2.2, RFC 7672 §3.1.2). Under
 * DANE-TA the leaf must also carry the MX host name (RFC 7672 §3.2.3); DANE-EE ignores names.
 */
export function matchChain(
  records: readonly TlsaRecord[],
  chain: readonly CertificateInfo[],
  leafNameMatches: boolean,
): TlsaMatch | undefined {
  for (const record of records) {
    if (unusableReason(record) !== undefined || (record.usage === 2 && !leafNameMatches)) continue;
    const candidates = record.usage === 3 ? chain.slice(0, 1) : chain;
    const position = candidates.findIndex(
      (certificate) => associationData(certificate, record.selector, record.matchingType) === record.certificateData,
    );
    const matched = chain[position];
    if (position !== -1 && matched) return { record, position, subject: matched.subject };
  }
  return undefined;
}

/** For evidence: what each served certificate offers for each distinct (usage, selector, matching type) asked for. */
export function servedAssociations(
  records: readonly TlsaRecord[],
  chain: readonly CertificateInfo[],
): { position: number; subject: string; parameters: string; data: string }[] {
  const seen = new Set<string>();
  const rows: { position: number; subject: string; parameters: string; data: string }[] = [];
  for (const record of records) {
    if (unusableReason(record) !== undefined) continue;
    const parameters = `${record.usage} ${record.selector} ${record.matchingType}`;
    if (seen.has(parameters)) continue;
    seen.add(parameters);
    (record.usage === 3 ? chain.slice(0, 1) : chain).forEach((certificate, position) => {
      rows.push({
        position,
        subject: certificate.subject,
        parameters,
        data: associationData(certificate, record.selector, record.matchingType) ?? '',
      });
    });
  }
  return rows;
}
