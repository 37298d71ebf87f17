/**
 * The DNS port the diagnosis core talks through. The adapter in src/net/ implements it on
 * dns-packet; tests may implement it over fixture zones. Node's own resolver cannot send a
 * no-EDNS query to a chosen server or show the TC bit, which is why this port exists.
 */

export interface DnsServer {
  /** An IP address (v4 or v6). */
  readonly host: string;
  readonly port: number;
}

export type QueryType = 'A' | 'AAAA' | 'MX' | 'NS' | 'SOA' | 'TXT' | 'CNAME' | 'PTR' | 'ANY' | 'TLSA' | 'DS' | 'DNSKEY';

export interface EdnsSettings {
  /** Advertised UDP payload size (RFC 6891 §6.2.3). */
  readonly udpSize: number;
  readonly dnssecOk?: boolean;
  /** EDNS version; anything but 0 must draw BADVERS (RFC 6891 §6.1.3). */
  readonly version?: number;
  /** Extra OPT flag bits (the DO bit is set through dnssecOk). */
  readonly flags?: number;
  /** Option codes to send with empty data, to test that unknown options are ignored. */
  readonly optionCodes?: readonly number[];
}

export interface DnsQuery {
  readonly server: DnsServer;
  readonly name: string;
  readonly type: QueryType;
  readonly transport: 'udp' | 'tcp';
  /** `false` sends a plain RFC 1035 query with no OPT record, as qmail and old stubs do. */
  readonly edns: EdnsSettings | false;
  /** Defaults to true: recursion is what a stub asks its resolver for. */
  readonly recursionDesired?: boolean;
}

export interface DnsQueryOptions {
  readonly timeoutMs: number;
  /** Extra attempts after a timeout (UDP loss is normal; a refusal is not retried). */
  readonly retries: number;
}

/**
 * A record as it came on the wire, what DNSSEC signs (RFC 4034 §3.1.8.1) before canonical
 * lower-casing: owner and RDATA with compressed names expanded, in the case the server sent.
 * Absent on records a test builds by hand, and where the adapter could not rebuild it. Not
 * enumerable: a copy made by spreading (`{ ...record }`) drops it, and so cannot be verified.
 */
export interface RecordWire {
  /** The owner name in wire form (length-prefixed labels ending with the root's zero byte). */
  readonly owner: Uint8Array;
  readonly typeCode: number;
  readonly classCode: number;
  readonly rdata: Uint8Array;
}

export type DnsRecord = (
  | {
      readonly type: 'A' | 'AAAA' | 'NS' | 'CNAME' | 'PTR';
      readonly name: string;
      readonly ttl: number;
      readonly value: string;
    }
  | {
      readonly type: 'MX';
      readonly name: string;
      readonly ttl: number;
      readonly preference: number;
      readonly exchange: string;
    }
  | { readonly type: 'TXT'; readonly name: string; readonly ttl: number; readonly strings: readonly string[] }
  | {
      readonly type: 'TLSA';
      readonly name: string;
      readonly ttl: number;
      /** RFC 6698 §2.1: certificate usage, selector and matching type. */
      readonly usage: number;
      readonly selector: number;
      readonly matchingType: number;
      /** The certificate association data, lower-case hex. */
      readonly certificateData: string;
    }
  | {
      readonly type: 'SOA';
      readonly name: string;
      readonly ttl: number;
      readonly mname: string;
      readonly rname: string;
      readonly serial: number;
    }
  | { readonly type: 'OTHER'; readonly rrtype: string; readonly name: string; readonly ttl: number }
) & { readonly wire?: RecordWire };

export interface ReplyFlags {
  readonly aa: boolean;
  readonly tc: boolean;
  readonly rd: boolean;
  readonly ra: boolean;
  readonly ad: boolean;
  readonly cd: boolean;
}

export interface ReplyEdns {
  readonly udpSize: number;
  readonly version: number;
  readonly dnssecOk: boolean;
  readonly flags: number;
  readonly optionCodes: readonly number[];
}

/** A reply, whatever its rcode: an rcode is a result, not an exception. */
export interface DnsReply {
  readonly query: DnsQuery;
  /** 'NOERROR', 'NXDOMAIN', 'SERVFAIL', 'REFUSED', 'FORMERR', 'BADVERS', ... (extended rcode applied). */
  readonly rcode: string;
  readonly flags: ReplyFlags;
  readonly answers: readonly DnsRecord[];
  readonly authorities: readonly DnsRecord[];
  readonly additionals: readonly DnsRecord[];
  /** Present when the reply carried an OPT record. */
  readonly edns: ReplyEdns | undefined;
  /** Wire size of the DNS message in bytes (without the TCP length prefix). */
  readonly size: number;
  /**
   * Byte offset at which the answer section ends: what a 512-byte reader (qmail's dns.c) must
   * hold to see every answer record.
   */
  readonly answerEnd: number;
  /** False when the header promised more records than the message held (a clipped reply). */
  readonly complete: boolean;
  readonly rttMs: number;
}

export interface DnsClient {
  /**
   * Sends one query. Rejects only for transport failures, as an AppError with a DNS_* code
   * (time-out, refused, closed, malformed); every rcode resolves.
   */
  query(query: DnsQuery, options: DnsQueryOptions): Promise<DnsReply>;
}

export function formatServer(server: DnsServer): string {
  const host = server.host.includes(':') ? `[${server.host}]` : server.host;
  return server.port === 53 ? host : `${host}:${server.port}`;
}

export function formatRecord(record: DnsRecord): string {
  const head = `${record.name}. ${record.ttl} IN`;
  switch (record.type) {
    case 'MX':
      return `${head} MX ${record.preference} ${record.exchange}.`;
    case 'TXT':
      return `${head} TXT ${record.strings.map((s) => JSON.stringify(s)).join(' ')}`;
    case 'SOA':
      return `${head} SOA ${record.mname}. ${record.rname}. ${record.serial}`;
    case 'TLSA':
      return `${head} TLSA ${record.usage} ${record.selector} ${record.matchingType} ${record.certificateData}`;
    case 'OTHER':
      return `${head} ${record.rrtype}`;
    case 'NS':
    case 'CNAME':
    case 'PTR':
      return `${head} ${record.type} ${record.value}.`;
    default:
      return `${head} ${record.type} ${record.value}`;
  }
}
