import * as packet from 'dns-packet';
import type { Answer, Question } from 'dns-packet';
import type { DnsQuery, DnsRecord, RecordWire, ReplyEdns, ReplyFlags } from '../diagnosis/dns-port.js';
import { tlsaFromRdata, type TlsaRdata } from '../diagnosis/tlsa-record.js';

const HEADER_BYTES = 12;

/** dns-packet exports its per-section codecs at run time; its type definitions omit them. */
interface SectionCodec<T> {
  decode: ((buf: Buffer, offset: number) => T) & { bytes: number };
}
const sections = packet as unknown as { question: SectionCodec<Question>; answer: SectionCodec<Answer> };
const DO_BIT = 0x8000;

/** Encodes a query message; the OPT record is built by hand so version, flags and options are exact. */
export function encodeQuery(query: DnsQuery, id: number): Buffer {
  const additionals: packet.Answer[] = [];
  if (query.edns) {
    const opt = {
      type: 'OPT',
      name: '.',
      udpPayloadSize: query.edns.udpSize,
      extendedRcode: 0,
      ednsVersion: query.edns.version ?? 0,
      flags: (query.edns.flags ?? 0) | (query.edns.dnssecOk ? DO_BIT : 0),
      options: (query.edns.optionCodes ?? []).map((code) => ({ code, data: Buffer.alloc(0) })),
    };
    additionals.push(opt as unknown as packet.Answer);
  }
  return packet.encode({
    type: 'query',
    id,
    flags: query.recursionDesired === false ? 0 : packet.RECURSION_DESIRED,
    // dns-packet's types leave out ANY, which it encodes as 255 all the same.
    questions: [{ type: query.type as packet.RecordType, name: query.name, class: 'IN' }],
    additionals,
  });
}

export interface DecodedReply {
  readonly id: number;
  readonly questions: readonly { name: string; type: string }[];
  readonly rcode: string;
  readonly flags: ReplyFlags;
  readonly answers: DnsRecord[];
  readonly authorities: DnsRecord[];
  readonly additionals: DnsRecord[];
  readonly edns: ReplyEdns | undefined;
  readonly size: number;
  readonly answerEnd: number;
  readonly complete: boolean;
}

/**
 * Decodes a reply section by section, keeping the byte offset where the answer section ends.
 * A message that promises more records than it holds (a reply clipped by a 512-byte reader, or
 * a sloppy truncation) decodes as far as it goes and is marked incomplete rather than rejected.
 * Throws only when the header or question cannot be read.
 */
export function decodeReply(buf: Buffer): DecodedReply {
  if (buf.length < HEADER_BYTES) throw new Error(`reply is ${buf.length} bytes, shorter than a DNS header`);
  const id = buf.readUInt16BE(0);
  const flagWord = buf.readUInt16BE(2);
  const counts = [4, 6, 8, 10].map((at) => buf.readUInt16BE(at)) as [number, number, number, number];

  let offset = HEADER_BYTES;
  const questions: Question[] = [];
  for (let i = 0; i < counts[0]; i++) {
    questions.push(sections.question.decode(buf, offset));
    offset += sections.question.decode.bytes;
  }

  let complete = true;
  const found: { opt?: OptRecord } = {};
  const readSection = (count: number): DnsRecord[] => {
    const records: DnsRecord[] = [];
    for (let i = 0; i < count && complete; i++) {
      try {
        const at = offset;
        const answer = sections.answer.decode(buf, offset);
        offset += sections.answer.decode.bytes;
        if (offset > buf.length) throw new RangeError('record runs past the end of the message');
        if (answer.type === 'OPT') found.opt = answer as unknown as OptRecord;
        else records.push(withWire(toRecord(answer), buf, at));
      } catch {
        complete = false;
      }
    }
    return records;
  };
  const answers = readSection(counts[1]);
  const answerEnd = Math.min(offset, buf.length);
  const authorities = readSection(counts[2]);
  const additionals = readSection(counts[3]);

  const { opt } = found;
  const baseRcode = flagWord & 0xf;
  const fullRcode = opt ? (opt.extendedRcode << 4) | baseRcode : baseRcode;

  return {
    id,
    questions: questions.map((q) => ({ name: q.name, type: q.type })),
    rcode: rcodeName(fullRcode),
    flags: {
      aa: (flagWord & packet.AUTHORITATIVE_ANSWER) !== 0,
      tc: (flagWord & packet.TRUNCATED_RESPONSE) !== 0,
      rd: (flagWord & packet.RECURSION_DESIRED) !== 0,
      ra: (flagWord & packet.RECURSION_AVAILABLE) !== 0,
      ad: (flagWord & packet.AUTHENTIC_DATA) !== 0,
      cd: (flagWord & packet.CHECKING_DISABLED) !== 0,
    },
    answers,
    authorities,
    additionals,
    edns: opt
      ? {
          udpSize: opt.udpPayloadSize,
          version: opt.ednsVersion,
          dnssecOk: (opt.flags & DO_BIT) !== 0,
          flags: opt.flags,
          optionCodes: opt.options.map((o) => o.code),
        }
      : undefined,
    size: buf.length,
    answerEnd,
    complete,
  };
}

interface OptRecord {
  udpPayloadSize: number;
  extendedRcode: number;
  ednsVersion: number;
  flags: number;
  options: { code: number }[];
}

/** RDATA types whose names may be compressed (RFC 3597 §4): the only ones we must decompress. */
const COMPRESSIBLE: Readonly<Record<number, (buf: Buffer, start: number, end: number) => Buffer>> = {
  2: (buf, start) => readNameWire(buf, start), // NS
  5: (buf, start) => readNameWire(buf, start), // CNAME
  12: (buf, start) => readNameWire(buf, start), // PTR
  15: (buf, start) => Buffer.concat([buf.subarray(start, start + 2), readNameWire(buf, start + 2)]), // MX
  6: (buf, start, end) => {
    // SOA: two names, then five 32-bit numbers.
    const mname = readNameWire(buf, start);
    const rname = readNameWire(buf, start + nameLength(buf, start));
    return Buffer.concat([mname, rname, buf.subarray(end - 20, end)]);
  },
};

/**
 * The record as DNSSEC signs it (RFC 4034 §3.1.8.1), before canonical lower-casing: the owner
 * name and the names inside RDATA uncompressed, with the case the server sent. Names are copied
 * byte for byte, not decoded to text and back, so a label that is not UTF-8 still verifies.
 */
function recordWire(buf: Buffer, at: number): RecordWire {
  const owner = readNameWire(buf, at);
  const fixed = at + nameLength(buf, at);
  const typeCode = buf.readUInt16BE(fixed);
  const classCode = buf.readUInt16BE(fixed + 2);
  const start = fixed + 10;
  const end = start + buf.readUInt16BE(fixed + 8);
  const decompress = COMPRESSIBLE[typeCode];
  const rdata = decompress ? decompress(buf, start, end) : buf.subarray(start, end);
  return { owner: Uint8Array.from(owner), typeCode, classCode, rdata: Uint8Array.from(rdata) };
}

/**
 * Attaches the wire form, not enumerable: it is for the DNSSEC validator only, and stays out of
 * JSON, comparisons and logs. A record whose wire form cannot be rebuilt is still an answer; it
 * just cannot be verified.
 */
function withWire(record: DnsRecord, buf: Buffer, at: number): DnsRecord {
  try {
    return Object.defineProperty(record, 'wire', { value: recordWire(buf, at), enumerable: false });
  } catch {
    return record;
  }
}

/** Bytes a name takes where it is written (a compression pointer ends it after two bytes). */
function nameLength(buf: Buffer, at: number): number {
  let offset = at;
  for (;;) {
    const len = buf.readUInt8(offset);
    if (len === 0) return offset + 1 - at;
    if ((len & 0xc0) === 0xc0) return offset + 2 - at;
    offset += len + 1;
  }
}

/** A name in wire form with compression pointers followed (RFC 1035 §4.1.4); pointers must point backwards. */
function readNameWire(buf: Buffer, at: number): Buffer {
  const labels: Buffer[] = [];
  let offset = at;
  let limit = at;
  for (let total = 0; ;) {
    const len = buf.readUInt8(offset);
    if ((len & 0xc0) === 0xc0) {
      const target = buf.readUInt16BE(offset) & 0x3fff;
      if (target >= limit) throw new RangeError('compression pointer does not point backwards');
      offset = limit = target;
      continue;
    }
    if (len > 63) throw new RangeError('bad label length');
    labels.push(buf.subarray(offset, offset + 1 + len));
    if (offset + 1 + len > buf.length) throw new RangeError('name runs past the end of the message');
    total += len + 1;
    if (total > 255) throw new RangeError('name too long');
    if (len === 0) return Buffer.concat(labels);
    offset += len + 1;
  }
}

const RCODE_NAMES: Record<number, string> = {
  0: 'NOERROR',
  1: 'FORMERR',
  2: 'SERVFAIL',
  3: 'NXDOMAIN',
  4: 'NOTIMP',
  5: 'REFUSED',
  9: 'NOTAUTH',
  16: 'BADVERS',
  23: 'BADCOOKIE',
};

function rcodeName(code: number): string {
  return RCODE_NAMES[code] ?? `RCODE${code}`;
}

function toRecord(answer: Answer): DnsRecord {
  const base = { name: answer.name, ttl: 'ttl' in answer && answer.ttl !== undefined ? answer.ttl : 0 };
  const data: unknown = 'data' in answer ? answer.data : undefined;
  switch (answer.type) {
    case 'A':
    case 'AAAA':
    case 'NS':
    case 'CNAME':
    case 'PTR':
      return { ...base, type: answer.type, value: String(data) };
    case 'MX': {
      const mx = data as { preference?: number; exchange: string };
      return { ...base, type: 'MX', preference: mx.preference ?? 0, exchange: mx.exchange };
    }
    case 'TXT': {
      const chunks = Array.isArray(data) ? data : [data];
      return {
        ...base,
        type: 'TXT',
        strings: chunks.map((c) => (Buffer.isBuffer(c) ? c.toString('latin1') : String(c))),
      };
    }
    case 'SOA': {
      const soa = data as { mname: string; rname: string; serial: number };
      return { ...base, type: 'SOA', mname: soa.mname, rname: soa.rname, serial: soa.serial };
    }
    case 'TLSA':
      return { ...base, type: 'TLSA', ...tlsaFromRdata(data as TlsaRdata) };
    default:
      return { ...base, type: 'OTHER', rrtype: answer.type };
  }
}
