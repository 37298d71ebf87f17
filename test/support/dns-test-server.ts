/**
 * An authoritative DNS server on loopback, on dns-packet, for integration tests and benchmarks.
 * It serves fixture zones and can misbehave the ways real servers do: truncate and refuse TCP,
 * mishandle EDNS, answer slowly, answer lamely, or not at all.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import * as packet from 'dns-packet';

export interface ZoneRecord {
  /** Relative to the zone ('@' for the apex) or absolute with a trailing dot. */
  readonly name: string;
  readonly type: string;
  readonly data: unknown;
  readonly ttl?: number;
}

export interface Zone {
  readonly origin: string;
  readonly records: readonly ZoneRecord[];
}

export interface Behaviour {
  /**
   * false: no TCP listener, connections are refused. 'reset': connections are accepted, then reset
   * on the first data (a firewall or load balancer that kills DNS over TCP, DOMAIN.md §2b).
   */
  readonly tcp?: false | 'reset';
  /** 'drop': EDNS queries get no answer. 'formerr': FORMERR without OPT. 'sloppy': version 1 answered as 0, unknown options and flags echoed. */
  readonly edns?: 'compliant' | 'drop' | 'formerr' | 'sloppy';
  /** Sends whole replies over UDP whatever their size (no truncation). */
  readonly ignoreUdpLimit?: boolean;
  /** Every answer waits this long. */
  readonly delayMs?: number;
  /** Not authoritative for anything: REFUSED, AA clear (a lame server). */
  readonly lame?: boolean;
  /** Never answers at all. */
  readonly silent?: boolean;
  /** Answers every query with this rcode, AA clear and no records (a server that cannot load the zone: lame, DOMAIN.md §2b). */
  readonly rcode?: 'SERVFAIL';
  /** Answers from its zones but with AA clear (a stale copy or a forwarder listed as a nameserver: lame, RFC 1912 §2.8). */
  readonly noAuthority?: boolean;
  /** Truncates any UDP reply over this many bytes, whatever EDNS size was asked (a server or middlebox capped at 512). */
  readonly udpLimit?: number;
  /**
   * `silent` and `rcode` apply only to names at or below these zones; other names are answered
   * normally. A recursive resolver fails for one broken zone, yet still answers for the root.
   */
  readonly onlyFor?: readonly string[];
  /** Answers ANY with one HINFO (RFC 8482). */
  readonly minimalAny?: boolean;
  /** Sets AD in replies to queries that carry DO or AD, as a validating resolver does for a signed zone (RFC 6840 §5.7). */
  readonly authenticData?: boolean;
}

export interface LoggedQuery {
  readonly name: string;
  readonly type: string;
  readonly transport: 'udp' | 'tcp';
  readonly edns: boolean;
  /** Recursion desired: a resolver's question (RD) and an iterative one (no RD) are different queries. */
  readonly rd: boolean;
}

export interface TestDnsServer {
  readonly address: string;
  readonly port: number;
  readonly queries: LoggedQuery[];
  close(): Promise<void>;
}

export interface ServerSpec {
  readonly address: string;
  readonly zones: readonly Zone[];
  readonly behaviour?: Behaviour;
}

const QUERY_UDP_LIMIT = 512;

/** Starts every server on the same free port (each on its own 127.0.0.x), so NS records can point at them. */
export async function startDnsServers(
  specs: readonly ServerSpec[],
): Promise<{ port: number; servers: TestDnsServer[]; close(): Promise<void> }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 40_000);
    const started: TestDnsServer[] = [];
    try {
      for (const spec of specs) started.push(await startDnsServer(spec, port));
      return { port, servers: started, close: async () => void (await Promise.all(started.map((s) => s.close()))) };
    } catch (error) {
      await Promise.all(started.map((s) => s.close()));
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    }
  }
  throw new Error('no free port for the test DNS servers after 20 tries');
}

export async function startDnsServer(spec: ServerSpec, port: number): Promise<TestDnsServer> {
  const behaviour = spec.behaviour ?? {};
  const queries: LoggedQuery[] = [];
  const udp = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(port, spec.address, () => resolve());
  });
  let closed = false;
  udp.on('message', (message, peer) => {
    // A delayed answer may come due after close(): sending then would throw in a timer, killing the process.
    void respond(message, 'udp').then((reply) => reply && !closed && udp.send(reply, peer.port, peer.address));
  });

  let tcp: net.Server | undefined;
  const sockets = new Set<net.Socket>();
  if (behaviour.tcp !== false) {
    tcp = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      if (behaviour.tcp === 'reset') {
        socket.once('data', () => socket.resetAndDestroy());
        return;
      }
      let buffered = Buffer.alloc(0);
      socket.on('data', (chunk) => {
        buffered = Buffer.concat([buffered, chunk]);
        while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
          const message = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
          buffered = buffered.subarray(2 + message.length);
          void respond(message, 'tcp').then((reply) => {
            if (!reply || socket.destroyed) return;
            const prefix = Buffer.alloc(2);
            prefix.writeUInt16BE(reply.length);
            socket.write(Buffer.concat([prefix, reply]));
          });
        }
      });
    });
    const server = tcp;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) => {
        udp.close();
        reject(error);
      });
      server.listen(port, spec.address, () => resolve());
    });
  }

  async function respond(message: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer | undefined> {
    const reply = replyTo(message, transport, spec.zones, behaviour, queries);
    if (reply && behaviour.delayMs) await new Promise((resolve) => setTimeout(resolve, behaviour.delayMs));
    return reply;
  }

  return {
    address: spec.address,
    port,
    queries,
    async close() {
      closed = true;
      for (const socket of sockets) socket.destroy();
      await Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        tcp ? new Promise<void>((resolve) => tcp.close(() => resolve())) : undefined,
      ]);
    },
  };
}

/**
 * The whole server minus sockets: decodes a query message and encodes the reply this server
 * would send over `transport`, or undefined when it would stay silent. Shared by the loopback
 * server and the in-memory client (zone-dns-client.ts), so both behave exactly alike.
 */
export function replyTo(
  message: Buffer,
  transport: 'udp' | 'tcp',
  zones: readonly Zone[],
  behaviour: Behaviour = {},
  log?: LoggedQuery[],
): Buffer | undefined {
  let request: packet.Packet;
  try {
    request = packet.decode(message);
  } catch {
    return undefined;
  }
  const question = request.questions?.[0];
  const opt = request.additionals?.find((r) => r.type === 'OPT') as packet.OptAnswer | undefined;
  if (!question) return undefined;
  log?.push({
    name: question.name.toLowerCase(),
    type: question.type,
    transport,
    edns: opt !== undefined,
    rd: ((request.flags ?? 0) & packet.RECURSION_DESIRED) !== 0,
  });
  const qname = question.name.toLowerCase().replace(/\.$/, '');
  const scoped = !behaviour.onlyFor || behaviour.onlyFor.some((zone) => qname === zone || qname.endsWith(`.${zone}`));
  const acting: Behaviour = scoped ? behaviour : { ...behaviour, silent: undefined, rcode: undefined };
  if (acting.silent || (opt && acting.edns === 'drop')) return undefined;
  return encodeAnswer(request, question, opt, transport, zones, acting);
}

function encodeAnswer(
  request: packet.Packet,
  question: packet.Question,
  opt: packet.OptAnswer | undefined,
  transport: 'udp' | 'tcp',
  zones: readonly Zone[],
  behaviour: Behaviour,
): Buffer {
  const reply: ZoneAnswer = behaviour.rcode
    ? { rcode: behaviour.rcode, authoritative: false, answers: [], authorities: [], additionals: [] }
    : answerFrom(zones, question, behaviour);
  const base = { id: request.id, type: 'response' as const, questions: [question] };
  const rd = (request.flags ?? 0) & packet.RECURSION_DESIRED;

  if (opt && behaviour.edns === 'formerr') return packet.encode({ ...base, flags: rd | rcodeFlag('FORMERR') });

  const additionals: packet.Answer[] = [...reply.additionals];
  let extendedRcode = 0;
  if (opt) {
    const raw = opt as unknown as { ednsVersion?: number; flags?: number; options?: { code: number }[] };
    const sloppy = behaviour.edns === 'sloppy';
    // RFC 6891 §6.1.3: a version we do not speak draws BADVERS (16: extended rcode 1, header 0).
    if ((raw.ednsVersion ?? 0) > 0 && !sloppy) extendedRcode = 1;
    additionals.push({
      type: 'OPT',
      name: '.',
      udpPayloadSize: 1232,
      extendedRcode,
      ednsVersion: 0,
      flags: sloppy ? (raw.flags ?? 0) : (raw.flags ?? 0) & 0x8000,
      options: sloppy ? (raw.options ?? []).map((o) => ({ code: o.code, data: Buffer.alloc(0) })) : [],
    } as unknown as packet.Answer);
  }
  if (extendedRcode) return packet.encode({ ...base, flags: rd, additionals });

  const askedForDnssec =
    (((opt as unknown as { flags?: number } | undefined)?.flags ?? 0) & 0x8000) !== 0 ||
    ((request.flags ?? 0) & packet.AUTHENTIC_DATA) !== 0;
  const ad = behaviour.authenticData && askedForDnssec ? packet.AUTHENTIC_DATA : 0;
  const flags =
    rd |
    ad |
    (reply.authoritative && !behaviour.noAuthority ? packet.AUTHORITATIVE_ANSWER : 0) |
    rcodeFlag(reply.rcode);
  const full = packet.encode({ ...base, flags, answers: reply.answers, authorities: reply.authorities, additionals });
  const asked = opt
    ? Math.max(QUERY_UDP_LIMIT, (opt as unknown as { udpPayloadSize: number }).udpPayloadSize)
    : QUERY_UDP_LIMIT;
  const limit = behaviour.udpLimit === undefined ? asked : Math.min(asked, behaviour.udpLimit);
  if (transport === 'tcp' || behaviour.ignoreUdpLimit || full.length <= limit) return full;
  // Like Knot and NSD: a reply that does not fit is sent with TC set and its sections empty.
  return packet.encode({
    ...base,
    flags: flags | packet.TRUNCATED_RESPONSE,
    additionals: additionals.filter((r) => r.type === 'OPT'),
  });
}

function rcodeFlag(rcode: string): number {
  return { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 }[rcode] ?? 0;
}

interface ZoneAnswer {
  rcode: string;
  authoritative: boolean;
  answers: packet.Answer[];
  authorities: packet.Answer[];
  additionals: packet.Answer[];
}

function absolute(name: string, origin: string): string {
  if (name === '@') return origin;
  if (name.endsWith('.')) return name.slice(0, -1);
  return `${name}.${origin}`;
}

function toAnswer(record: ZoneRecord, origin: string): packet.Answer {
  const data =
    typeof record.data === 'string' && ['NS', 'CNAME', 'PTR'].includes(record.type)
      ? absolute(record.data, origin)
      : record.data;
  return {
    name: absolute(record.name, origin),
    type: record.type,
    ttl: record.ttl ?? 300,
    class: 'IN',
    data,
  } as packet.Answer;
}

/**
 * A zone cut inside the zone at or above `qname` (NS records below the apex) makes the server
 * answer as a parent does (RFC 1034 §4.3.2): no AA, the cut's NS records in the authority section
 * and their addresses from the zone as glue.
 */
function referralFrom(all: readonly packet.Answer[], origin: string, qname: string): ZoneAnswer | undefined {
  const cuts = all.filter(
    (r) =>
      r.type === 'NS' &&
      r.name.toLowerCase() !== origin &&
      (qname === r.name.toLowerCase() || qname.endsWith(`.${r.name.toLowerCase()}`)),
  );
  const deepest = cuts.sort((a, b) => b.name.length - a.name.length)[0]?.name.toLowerCase();
  if (deepest === undefined) return undefined;
  const ns = cuts.filter((r) => r.name.toLowerCase() === deepest);
  const hosts = new Set(ns.map((r) => String((r as { data: unknown }).data).toLowerCase()));
  const glue = all.filter((r) => (r.type === 'A' || r.type === 'AAAA') && hosts.has(r.name.toLowerCase()));
  return { rcode: 'NOERROR', authoritative: false, answers: [], authorities: ns, additionals: glue };
}

/** Looks the question up in the zones: answer, CNAME chain, NODATA or NXDOMAIN, with SOA where RFC 2308 wants it. */
export function answerFrom(zones: readonly Zone[], question: packet.Question, behaviour: Behaviour = {}): ZoneAnswer {
  const qname = question.name.toLowerCase().replace(/\.$/, '');
  const zone = zones
    .filter((z) => qname === z.origin || qname.endsWith(`.${z.origin}`))
    .sort((a, b) => b.origin.length - a.origin.length)[0];
  const empty = { answers: [], authorities: [], additionals: [] };
  if (!zone || behaviour.lame) return { rcode: 'REFUSED', authoritative: false, ...empty };

  const all = zone.records.map((r) => toAnswer(r, zone.origin));
  const soa = all.filter((r) => r.type === 'SOA');
  const referral = referralFrom(all, zone.origin, qname);
  if (referral) return referral;
  const answers: packet.Answer[] = [];
  let name = qname;
  for (let hops = 0; hops < 8; hops++) {
    const atName = all.filter((r) => r.name.toLowerCase() === name);
    if ((question.type as string) === 'ANY') {
      if (behaviour.minimalAny && atName.length > 0) {
        answers.push({
          name,
          type: 'HINFO',
          ttl: 3600,
          class: 'IN',
          data: { cpu: 'RFC8482', os: '' },
        } as packet.Answer);
      } else answers.push(...atName);
      break;
    }
    const matching = atName.filter((r) => r.type === question.type);
    if (matching.length > 0) {
      answers.push(...matching);
      break;
    }
    const cname = atName.find((r) => r.type === 'CNAME');
    if (!cname) {
      if (atName.length === 0 && answers.length === 0 && !all.some((r) => r.name.toLowerCase().endsWith(`.${name}`))) {
        return { rcode: 'NXDOMAIN', authoritative: true, answers: [], authorities: soa, additionals: [] };
      }
      break;
    }
    answers.push(cname);
    name = String((cname as { data: unknown }).data).toLowerCase();
    if (!(name === zone.origin || name.endsWith(`.${zone.origin}`))) break;
  }
  // Like Knot and BIND, an answer to NS carries the addresses of the nameservers the zone holds.
  const nsTargets = new Set(
    question.type === 'NS'
      ? answers.filter((r) => r.type === 'NS').map((r) => String((r as { data: unknown }).data).toLowerCase())
      : [],
  );
  const additionals = all.filter((r) => (r.type === 'A' || r.type === 'AAAA') && nsTargets.has(r.name.toLowerCase()));
  return { rcode: 'NOERROR', authoritative: true, answers, authorities: answers.length === 0 ? soa : [], additionals };
}
