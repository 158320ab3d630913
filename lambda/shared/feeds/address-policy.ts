import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Which addresses a server-side fetch may connect to (no SSRF). Only global unicast addresses pass:
 * private (RFC 1918, RFC 4193 unique-local), loopback, link-local (169.254.0.0/16 holds the cloud
 * metadata service 169.254.169.254; fd00:ec2::254 is unique-local), carrier-grade NAT, multicast,
 * reserved, documentation, and the IPv6 forms that embed an IPv4 address (mapped, NAT64, 6to4, Teredo)
 * are refused. ipaddr.js classifies; `allowLoopback` is the local run's explicit exception.
 */

/** Whether `address` (an IP literal) may be connected to. */
export function addressAllowed(address: string, allowLoopback = false): boolean {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (!ipaddr.isValid(bare)) return false;
  // process() turns ::ffff:10.0.0.1 into 10.0.0.1, so a mapped private address is judged as IPv4.
  const range = ipaddr.process(bare).range();
  return range === 'unicast' || (allowLoopback && range === 'loopback');
}

/** The DNS resolution capability: Node's dns.lookup by default; tests map names to chosen addresses. */
export type Resolve = (hostname: string) => Promise<LookupAddress[]>;

/** dns.lookup, every address. */
export const systemResolve: Resolve = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses)));
  });

/** A host that is an IP literal (`10.0.0.1`, `[::1]`), without brackets; undefined for a name. */
export function ipLiteral(hostname: string): string | undefined {
  const bare = hostname.replace(/^\[|\]$/g, '');
  return isIP(bare) ? bare : undefined;
}

/** The error a refused address becomes; made by the caller so it can name the URL. */
export type RefusalFactory = (hostname: string, address: string) => Error;

/**
 * A `lookup` for net/tls.connect that resolves with `resolve` and keeps only allowed addresses, so
 * the socket is only ever opened to an address that passed the policy (a name that also resolves to
 * a private address cannot be steered there). Handles `all: true` (Node's autoSelectFamily asks for it).
 */
export function guardedLookup(resolve: Resolve, allowLoopback: boolean, refuse: RefusalFactory): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (found) => {
        const family = typeof options.family === 'number' ? options.family : 0;
        const usable = found.filter((a) => (family === 0 || a.family === family) && addressAllowed(a.address, allowLoopback));
        const first = usable[0];
        if (first === undefined) {
          callback(refuse(hostname, found[0]?.address ?? 'no address') as NodeJS.ErrnoException, '', 0);
          return;
        }
        if (options.all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
        else callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}
