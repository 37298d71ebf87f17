import * as packet from 'dns-packet';
import type { Answer, Question } from 'dns-packet';
import type { DnsQuery, DnsRecord, ReplyEdns, ReplyFlags } from '../diagnosis/dns-port.js';
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
  const readSection = (count: number): Answer[] => {
    const records: Answer[] = [];
    for (let i = 0; i < count && complete; i++) {
      try {
        records.push(sections.answer.decode(buf, offset));
        offset += sections.answer.decode.bytes;
        if (offset > buf.length) throw new RangeError('record runs past the end of the message');
      } catch {
        complete = false;
        records.pop();
      }
    }
    return records;
  };
  const answers = readSection(counts[1]);
  const answerEnd = Math.min(offset, buf.length);
  const authorities = readSection(counts[2]);
  const additionals = readSection(counts[3]);

  const opt = additionals.find((r) => r.type === 'OPT') as unknown as
    | { udpPayloadSize: number; extendedRcode: number; ednsVersion: number; flags: number; options: { code: number }[] }
    | undefined;
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
    answers: answers.map(toRecord),
    authorities: authorities.map(toRecord),
    additionals: additionals.filter((r) => r.type !== 'OPT').map(toRecord),
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
      return { ...base, type: 'TXT', strings: chunks.map((c) => (Buffer.isBuffer(c) ? c.toString('latin1') : String(c))) };
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
