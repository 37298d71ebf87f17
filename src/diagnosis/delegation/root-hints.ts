import { AppError } from '../../errors.js';
import { isIpAddress, sameName } from '../domain-name.js';

/** A root server (or, in a test bed, whatever stands in for the root) the delegation walk starts from. */
export interface RootHint {
  readonly host: string;
  readonly address: string;
}

/**
 * IANA's root hints (https://www.internic.net/domain/named.root), in the same zone-file format
 * MXOPS_ROOT_HINTS files use, so built-in and configured hints go through one parser. The
 * addresses change rarely (b.root moved in 2023); a resolver only needs one of them to answer.
 */
const IANA_ROOT_HINTS = `
.                 3600000  NS    A.ROOT-SERVERS.NET.
A.ROOT-SERVERS.NET. 3600000 A    198.41.0.4
A.ROOT-SERVERS.NET. 3600000 AAAA 2001:503:ba3e::2:30
.                 3600000  NS    B.ROOT-SERVERS.NET.
B.ROOT-SERVERS.NET. 3600000 A    170.247.170.2
B.ROOT-SERVERS.NET. 3600000 AAAA 2801:1b8:10::b
.                 3600000  NS    C.ROOT-SERVERS.NET.
C.ROOT-SERVERS.NET. 3600000 A    192.33.4.12
C.ROOT-SERVERS.NET. 3600000 AAAA 2001:500:2::c
.                 3600000  NS    D.ROOT-SERVERS.NET.
D.ROOT-SERVERS.NET. 3600000 A    199.7.91.13
D.ROOT-SERVERS.NET. 3600000 AAAA 2001:500:2d::d
.                 3600000  NS    E.ROOT-SERVERS.NET.
E.ROOT-SERVERS.NET. 3600000 A    192.203.230.10
E.ROOT-SERVERS.NET. 3600000 AAAA 2001:500:a8::e
.                 3600000  NS    F.ROOT-SERVERS.NET.
F.ROOT-SERVERS.NET. 3600000 A    192.5.5.241
F.ROOT-SERVERS.NET. 3600000 AAAA 2001:500:2f::f
.                 3600000  NS    G.ROOT-SERVERS.NET.
G.ROOT-SERVERS.NET. 3600000 A    192.112.36.4
G.ROOT-SERVERS.NET. 3600000 AAAA 2001:500:12::d0d
.                 3600000  NS    H.ROOT-SERVERS.NET.
H.ROOT-SERVERS.NET. 3600000 A    198.97.190.53
H.ROOT-SERVERS.NET. 3600000 AAAA 2001:500:1::53
.                 3600000  NS    I.ROOT-SERVERS.NET.
I.ROOT-SERVERS.NET. 3600000 A    192.36.148.17
I.ROOT-SERVERS.NET. 3600000 AAAA 2001:7fe::53
.                 3600000  NS    J.ROOT-SERVERS.NET.
J.ROOT-SERVERS.NET. 3600000 A    192.58.128.30
J.ROOT-SERVERS.NET. 3600000 AAAA 2001:503:c27::2:30
.                 3600000  NS    K.ROOT-SERVERS.NET.
K.ROOT-SERVERS.NET. 3600000 A    193.0.14.129
K.ROOT-SERVERS.NET. 3600000 AAAA 2001:7fd::1
.                 3600000  NS    L.ROOT-SERVERS.NET.
L.ROOT-SERVERS.NET. 3600000 A    199.7.83.42
L.ROOT-SERVERS.NET. 3600000 AAAA 2001:500:9f::42
.                 3600000  NS    M.ROOT-SERVERS.NET.
M.ROOT-SERVERS.NET. 3600000 A    202.12.27.33
M.ROOT-SERVERS.NET. 3600000 AAAA 2001:dc3::35
`;

const CLASSES = new Set(['IN']);

/**
 * Reads root hints in the usual zone-file format (BIND's named.root, unbound's root-hints):
 * `. NS host.` lines name the root servers, `host. A|AAAA address` lines give their addresses;
 * `;` starts a comment, the TTL and class are optional. Every problem names its line.
 */
export function parseRootHints(text: string, source = 'root hints'): RootHint[] {
  const rootHosts: string[] = [];
  const addresses = new Map<string, string[]>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/;.*/, '').trim();
    if (line === '') return;
    const fields = line
      .split(/\s+/)
      .filter((field, i) => !(i > 0 && (/^\d+$/.test(field) || CLASSES.has(field.toUpperCase()))));
    const [owner, type, value, ...extra] = fields;
    const where = `${source}:${index + 1}`;
    if (owner === undefined || type === undefined || value === undefined || extra.length > 0) {
      throw new AppError('BAD_INPUT', `${where}: expected "<name> [ttl] [IN] <NS|A|AAAA> <value>", got "${line}"`);
    }
    switch (type.toUpperCase()) {
      case 'NS':
        if (owner !== '.')
          throw new AppError('BAD_INPUT', `${where}: root hints list NS records of the root ("."), not of ${owner}`);
        rootHosts.push(value.replace(/\.$/, '').toLowerCase());
        return;
      case 'A':
      case 'AAAA': {
        if (!isIpAddress(value)) throw new AppError('BAD_INPUT', `${where}: "${value}" is not an IP address`);
        const host = owner.replace(/\.$/, '').toLowerCase();
        addresses.set(host, [...(addresses.get(host) ?? []), value]);
        return;
      }
      default:
        throw new AppError('BAD_INPUT', `${where}: root hints hold NS, A and AAAA records, not ${type}`);
    }
  });
  const hints = rootHosts.flatMap((host) =>
    [...addresses.entries()]
      .filter(([name]) => sameName(name, host))
      .flatMap(([, list]) => list.map((address) => ({ host, address }))),
  );
  if (hints.length === 0)
    throw new AppError(
      'BAD_INPUT',
      `${source}: no root server with an address (". NS host." and "host. A address" lines)`,
    );
  return hints;
}

export const BUILT_IN_ROOT_HINTS: readonly RootHint[] = parseRootHints(IANA_ROOT_HINTS, 'built-in root hints');
