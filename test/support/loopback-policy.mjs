/**
 * What the loopback guard lets out of a test process (DESIGN.md, Testing: no test depends on the
 * internet): TCP and UDP to loopback only, and system DNS look-ups only of names in the zones
 * reserved for tests. Plain JavaScript, not TypeScript: a child process loads it through
 * NODE_OPTIONS `--import`, which runs before the command line's `--import tsx`.
 */
import dgram from 'node:dgram';
import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import process from 'node:process';
import { promisify } from 'node:util';

/**
 * RFC 2606 §2 and RFC 6761 §6: names under these never exist on the internet, so asking the system
 * resolver about them tells nobody anything. Fixtures use partner.test, mx1.start.test and the like.
 */
const TEST_ZONES = ['test', 'example', 'invalid', 'localhost'];

const RESOLVE_METHODS = [
  'resolve',
  'resolve4',
  'resolve6',
  'resolveAny',
  'resolveCaa',
  'resolveCname',
  'resolveMx',
  'resolveNaptr',
  'resolveNs',
  'resolvePtr',
  'resolveSoa',
  'resolveSrv',
  'resolveTxt',
  'reverse',
];

/** @param {unknown} host */
export function isLoopbackAddress(host) {
  const text = String(host);
  return text === 'localhost' || text === '::1' || text === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(text);
}

/** @param {unknown} name */
export function isTestName(name) {
  const host = String(name).toLowerCase().replace(/\.$/, '');
  return isLoopbackAddress(host) || TEST_ZONES.some((zone) => host === zone || host.endsWith(`.${zone}`));
}

/**
 * Patches sockets and the system resolver in this process. `refused` hears each refusal's message
 * before the caller gets it as an error: code under test turns such errors into findings (as it
 * must), so whoever installs the guard needs its own record to fail the test.
 *
 * @param {(message: string) => void} refused
 */
export function guardLoopback(refused) {
  /** @param {string} message */
  const refusal = (message) => {
    refused(message);
    return Object.assign(new Error(message), { code: 'ELOOPBACKGUARD' });
  };
  /** @param {unknown} host @param {string} what */
  const assertLoopback = (host, what) => {
    const text = String(host ?? 'localhost');
    if (!isLoopbackAddress(text))
      throw refusal(`test tried to reach ${text} over ${what}: tests may only talk to loopback`);
  };
  /** @param {unknown} name @param {string} how @param {readonly string[]} servers */
  const lookupRefusal = (name, how, servers) => {
    // A look-up sent only to loopback servers (a test's own DNS server) stays on this machine.
    const loopbackServers = servers.length > 0 && servers.every((server) => isLoopbackAddress(serverHost(server)));
    if (name === undefined || name === null || name === '' || isTestName(name) || loopbackServers) return undefined;
    return refusal(
      `test tried to look up ${String(name)} through the system resolver (${how}): tests may only look up names under .${TEST_ZONES.join(', .')}, or loopback addresses`,
    );
  };

  guardSockets(assertLoopback);
  guardResolver(lookupRefusal);
  // Named imports (`import { lookup } from 'node:dns'`) see the patched functions too.
  syncBuiltinESMExports();
}

/** @param {(host: unknown, what: string) => void} assertLoopback */
function guardSockets(assertLoopback) {
  const originalConnect = net.Socket.prototype.connect;
  /** @this {net.Socket} @param {unknown[]} args */
  net.Socket.prototype.connect = function guardedConnect(...args) {
    // net.connect() hands over its arguments already normalised, as an array [options, callback].
    const first = Array.isArray(args[0]) ? args[0][0] : args[0];
    if (typeof first === 'object' && first !== null && !('path' in first && first.path)) {
      const options = /** @type {{ host?: unknown, lookup?: unknown }} */ (first);
      // A name with the caller's own look-up (addresses a DNS client found) goes where that look-up says.
      if (typeof options.lookup === 'function' && net.isIP(String(options.host)) === 0)
        options.lookup = checkedLookup(options.lookup, assertLoopback);
      else assertLoopback(options.host, 'TCP');
    } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
      assertLoopback(typeof args[1] === 'string' ? args[1] : undefined, 'TCP');
    }
    return Reflect.apply(originalConnect, this, args);
  };

  const originalSend = dgram.Socket.prototype.send;
  /** @this {dgram.Socket} @param {unknown[]} args */
  dgram.Socket.prototype.send = function guardedSend(...args) {
    const address = args.find((a, i) => i > 0 && typeof a === 'string');
    if (address !== undefined) assertLoopback(address, 'UDP');
    return Reflect.apply(originalSend, this, args);
  };

  const originalUdpConnect = dgram.Socket.prototype.connect;
  /** @this {dgram.Socket} @param {unknown[]} args */
  dgram.Socket.prototype.connect = function guardedUdpConnect(...args) {
    assertLoopback(typeof args[1] === 'string' ? args[1] : undefined, 'UDP');
    return Reflect.apply(originalUdpConnect, this, args);
  };
}

/**
 * A socket's own look-up whose every address must be loopback; one that is not fails the look-up.
 * @param {Function} lookup @param {(host: unknown, what: string) => void} assertLoopback
 */
function checkedLookup(lookup, assertLoopback) {
  /** @param {unknown} hostname @param {unknown} options @param {Function} callback */
  return (hostname, options, callback) =>
    lookup(
      hostname,
      options,
      (/** @type {unknown} */ error, /** @type {unknown} */ address, /** @type {unknown} */ family) => {
        if (error) return callback(error, address, family);
        const addresses = Array.isArray(address) ? address.map((entry) => entry.address) : [address];
        try {
          for (const each of addresses) assertLoopback(each, 'TCP');
        } catch (refused) {
          return callback(refused);
        }
        return callback(null, address, family);
      },
    );
}

/**
 * @typedef {(name: unknown, how: string, servers: readonly string[]) => Error | undefined} LookupRefusal
 * @typedef {(self: any) => readonly string[]} ServersOf
 */

/** @param {LookupRefusal} lookupRefusal */
function guardResolver(lookupRefusal) {
  // getaddrinfo and getnameinfo read the system's configuration: no server of ours can stand in.
  /** @type {ServersOf} */
  const system = () => [];
  /** @param {any} owner @param {string} method @param {ServersOf} serversOf @param {LookupRefusal} refusal */
  const guardCallbacks = (owner, method, serversOf, refusal = lookupRefusal) =>
    (owner[method] = callbackGuard(owner[method], `dns.${method}`, serversOf, refusal));
  /** @param {any} owner @param {string} method @param {ServersOf} serversOf @param {LookupRefusal} refusal */
  const guardPromises = (owner, method, serversOf, refusal = lookupRefusal) =>
    (owner[method] = promiseGuard(owner[method], `dns.promises.${method}`, serversOf, refusal));
  // getaddrinfo answers an address literal itself, asking nobody (dgram's bind() looks up 0.0.0.0).
  /** @type {LookupRefusal} */
  const nameRefusal = (name, how, servers) => (net.isIP(String(name)) ? undefined : lookupRefusal(name, how, servers));

  guardCallbacks(dns, 'lookup', system, nameRefusal);
  guardPromises(dns.promises, 'lookup', system, nameRefusal);
  // getnameinfo asks the system resolver for the address's name (PTR): loopback addresses only.
  guardCallbacks(dns, 'lookupService', system);
  guardPromises(dns.promises, 'lookupService', system);
  for (const method of RESOLVE_METHODS) {
    // The module's functions ask the default resolver; a Resolver of the test's own asks its servers.
    guardCallbacks(dns, method, () => dns.getServers());
    guardCallbacks(dns.Resolver.prototype, method, (resolver) => resolver.getServers());
    guardPromises(dns.promises, method, () => dns.promises.getServers());
    guardPromises(dns.promises.Resolver.prototype, method, (resolver) => resolver.getServers());
  }
}

/**
 * A refused callback-style look-up calls back with the refusal, as a failed look-up would.
 * @param {Function} original @param {string} how @param {ServersOf} serversOf @param {LookupRefusal} lookupRefusal
 */
function callbackGuard(original, how, serversOf, lookupRefusal) {
  /** @this {unknown} @param {unknown[]} args */
  function guarded(...args) {
    const error = lookupRefusal(args[0], how, serversOf(this));
    const callback = args.findLast((arg) => typeof arg === 'function');
    if (error === undefined || typeof callback !== 'function') return Reflect.apply(original, this, args);
    process.nextTick(callback, error);
    return undefined;
  }
  // util.promisify(dns.lookup) resolves { address, family } by what Node knows of the original
  // function, which the wrapper lacks: promisify the original, behind the same guard.
  return Object.assign(guarded, {
    [promisify.custom]: promiseGuard(promisify(original), how, serversOf, lookupRefusal),
  });
}

/**
 * A refused promise-style look-up rejects with the refusal.
 * @param {Function} original @param {string} how @param {ServersOf} serversOf @param {LookupRefusal} lookupRefusal
 */
function promiseGuard(original, how, serversOf, lookupRefusal) {
  /** @this {unknown} @param {unknown[]} args */
  return function guarded(...args) {
    const error = lookupRefusal(args[0], how, serversOf(this));
    return error === undefined ? Reflect.apply(original, this, args) : Promise.reject(error);
  };
}

/** "127.0.0.1", "127.0.0.1:5353", "::1", "[::1]:5353" → the host part. */
function serverHost(/** @type {string} */ server) {
  const bracketed = /^\[([^\]]+)\]/.exec(server);
  if (bracketed) return bracketed[1];
  return /^[^:]+:\d+$/.test(server) ? server.slice(0, server.lastIndexOf(':')) : server;
}
