import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import type { LookupFunction } from 'node:net';
import { Agent, buildConnector } from 'undici';
import type { Dispatcher } from 'undici';

/**
 * Which addresses integrations may call. An admin types the address of a portal or an ERP, so
 * without a rule «Проверить подключение» would let anyone with the admin role probe the network
 * printsync runs in (the database, the cloud's metadata service at 169.254.169.254) and learn
 * from the answers what is there. By default only public addresses are called; the environment
 * variable ALLOW_PRIVATE_NETWORKS opens internal ones: `1` for every private and loopback address
 * (an ERP on the shop's LAN, the bundled emulators), or a comma-separated list of hosts and
 * networks. Link-local addresses and known cloud metadata endpoints are never opened by `1`:
 * only by listing them.
 *
 * The rule is applied when a connection is made, to the address it is made to (after DNS), so a
 * name that resolves to a public address when checked and to an internal one when used (DNS
 * rebinding) gets nowhere. HTTP redirects are not followed at all (`httpCall`), so they cannot
 * lead a call elsewhere either.
 */

/** What ALLOW_PRIVATE_NETWORKS allows, parsed. Plain data: it is part of the configuration. */
export interface OutboundPolicy {
  /** `1`: every internal address except link-local and cloud metadata. */
  readonly internal: boolean;
  /** Listed addresses and networks: allowed whatever their kind. */
  readonly networks: readonly Network[];
  /** Listed host names (lower case, no trailing dot): allowed whatever they resolve to. */
  readonly hosts: readonly string[];
}

export interface Network {
  readonly version: 4 | 6;
  readonly base: bigint;
  readonly bits: number;
  /** As written, for messages. */
  readonly text: string;
}

/** No internal address at all: the default. */
export const PUBLIC_ONLY: OutboundPolicy = { internal: false, networks: [], hosts: [] };

/** The variable's name, as the admin has to write it. */
const ALLOW_PRIVATE_NETWORKS = 'ALLOW_PRIVATE_NETWORKS';

const EXAMPLE = '1, or a comma-separated list of hosts and networks such as 192.168.1.10,10.0.0.0/8,erp.lan';

/**
 * Parses the value of ALLOW_PRIVATE_NETWORKS: empty or `0` for none, `1` for all internal
 * addresses, or a list of `1`, addresses, CIDR networks and host names. Throws an Error naming
 * the entry that is none of these.
 */
export function parseOutboundPolicy(text: string | undefined): OutboundPolicy {
  const value = (text ?? '').trim();
  if (value === '' || value === '0') return PUBLIC_ONLY;
  let internal = false;
  const networks: Network[] = [];
  const hosts: string[] = [];
  for (const raw of value.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    if (entry === '1') {
      internal = true;
      continue;
    }
    const parsed = parseEntry(entry);
    if (!parsed) throw new Error(`"${entry}" is not a host, an address or a network (CIDR); expected ${EXAMPLE}`);
    if ('host' in parsed) hosts.push(parsed.host);
    else networks.push(parsed);
  }
  return { internal, networks, hosts };
}

/** The policy plus one more allowed host: the demo lets the integration reach its own emulator. */
export function allowHost(policy: OutboundPolicy, host: string): OutboundPolicy {
  const parsed = parseEntry(host);
  if (!parsed) throw new Error(`"${host}" is not a host or an address`);
  return 'host' in parsed ? { ...policy, hosts: [...policy.hosts, parsed.host] } : { ...policy, networks: [...policy.networks, parsed] };
}

function parseEntry(entry: string): Network | { host: string } | null {
  const slash = entry.indexOf('/');
  if (slash >= 0) {
    const address = parseIp(unbracket(entry.slice(0, slash)));
    const prefix = entry.slice(slash + 1);
    if (!address || !/^\d{1,3}$/.test(prefix)) return null;
    const bits = Number(prefix);
    const width = address.version === 4 ? 32 : 128;
    if (bits > width) return null;
    return { version: address.version, base: masked(address.value, bits, width), bits, text: entry };
  }
  const direct = parseIp(unbracket(entry));
  if (direct) return { version: direct.version, base: direct.value, bits: direct.version === 4 ? 32 : 128, text: entry };
  // Through the WHATWG URL parser, as the addresses integrations call are: `127.1` and
  // `2130706433` are 127.0.0.1 there too, and names are lower-cased and punycoded the same way.
  if (/[@?#\\\s]/.test(entry)) return null;
  let hostname: string;
  try {
    const url = new URL(`http://${entry}/`);
    if (url.port !== '' || url.host !== url.hostname || url.username) return null;
    hostname = url.hostname;
  } catch {
    return null;
  }
  const address = parseIp(unbracket(hostname));
  if (address) return { version: address.version, base: address.value, bits: address.version === 4 ? 32 : 128, text: entry };
  if (entry.includes(':')) return null;
  return { host: hostname.replace(/\.$/, '') };
}

// ---------------------------------------------------------------------------------------------
// Addresses and their kinds

interface Ip {
  version: 4 | 6;
  value: bigint;
}

/** An IPv4 or IPv6 address in canonical text (what DNS and `URL` give) as a number; null otherwise. */
export function parseIp(text: string): Ip | null {
  const bare = text.replace(/%.*$/, '');
  const version = isIP(bare);
  if (version === 4) return { version: 4, value: ipv4Value(bare) };
  if (version === 6) return { version: 6, value: ipv6Value(bare) };
  return null;
}

function ipv4Value(text: string): bigint {
  return text.split('.').reduce((value, part) => (value << 8n) | BigInt(Number(part)), 0n);
}

function ipv6Value(text: string): bigint {
  let body = text;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(body);
  if (dotted) {
    const v4 = ipv4Value(dotted[1]!);
    body = `${body.slice(0, dotted.index)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [left = '', right] = body.split('::');
  const head = left ? left.split(':') : [];
  const tail = right ? right.split(':') : [];
  const groups = right === undefined ? head : [...head, ...Array<string>(8 - head.length - tail.length).fill('0'), ...tail];
  return groups.reduce((value, group) => (value << 16n) | BigInt(parseInt(group, 16)), 0n);
}

function masked(value: bigint, bits: number, width: number): bigint {
  const hostBits = BigInt(width - bits);
  return (value >> hostBits) << hostBits;
}

function inNetwork(ip: Ip, network: { version: 4 | 6; base: bigint; bits: number }): boolean {
  if (ip.version !== network.version) return false;
  const width = ip.version === 4 ? 32 : 128;
  return masked(ip.value, network.bits, width) === network.base;
}

/** Why an address is not public. `link-local` and `metadata` are not opened by `1`. */
export type AddressKind = 'loopback' | 'private' | 'shared' | 'this-host' | 'reserved' | 'link-local' | 'metadata';

const KIND_LABEL: Record<AddressKind, string> = {
  loopback: 'этот же компьютер, loopback',
  private: 'частная сеть',
  shared: 'внутренняя сеть провайдера, 100.64.0.0/10',
  'this-host': 'адрес «этого компьютера», 0.0.0.0',
  reserved: 'зарезервированный диапазон',
  'link-local': 'link-local: здесь отвечает сервис метаданных облака',
  metadata: 'сервис метаданных облака',
};

const EXPLICIT_ONLY: ReadonlySet<AddressKind> = new Set(['link-local', 'metadata']);

function rule(cidr: string, kind: AddressKind): { network: Network; kind: AddressKind } {
  const network = parseEntry(cidr);
  if (!network || 'host' in network) throw new Error(`bad built-in network ${cidr}`);
  return { network, kind };
}

// Most specific first: the first match names the kind.
const RULES = [
  // Cloud metadata outside 169.254/16: Alibaba (inside 100.64/10) and AWS over IPv6 (inside fc00::/7).
  rule('100.100.100.200/32', 'metadata'),
  rule('fd00:ec2::254/128', 'metadata'),
  rule('0.0.0.0/8', 'this-host'),
  rule('10.0.0.0/8', 'private'),
  rule('100.64.0.0/10', 'shared'),
  rule('127.0.0.0/8', 'loopback'),
  rule('169.254.0.0/16', 'link-local'),
  rule('172.16.0.0/12', 'private'),
  rule('192.0.0.0/24', 'reserved'),
  rule('192.0.2.0/24', 'reserved'),
  rule('192.168.0.0/16', 'private'),
  rule('198.18.0.0/15', 'reserved'),
  rule('198.51.100.0/24', 'reserved'),
  rule('203.0.113.0/24', 'reserved'),
  rule('224.0.0.0/3', 'reserved'),
  rule('::/128', 'this-host'),
  rule('::1/128', 'loopback'),
  rule('::/96', 'reserved'),
  rule('64:ff9b:1::/48', 'reserved'),
  rule('100::/64', 'reserved'),
  rule('2001:db8::/32', 'reserved'),
  rule('fc00::/7', 'private'),
  rule('fe80::/10', 'link-local'),
  rule('fec0::/10', 'private'),
  rule('ff00::/8', 'reserved'),
];

/** IPv6 forms that carry an IPv4 address the packet ends up at: mapped, NAT64, 6to4. */
const EMBEDDING = [
  { network: rule('::ffff:0:0/96', 'reserved').network, shift: 0n },
  { network: rule('64:ff9b::/96', 'reserved').network, shift: 0n },
  { network: rule('2002::/16', 'reserved').network, shift: 80n },
];

/** The kind of an internal address, or null for a public one. */
export function addressKind(address: string): AddressKind | null {
  const ip = parseIp(address);
  if (!ip) return 'reserved';
  return kindOf(ip);
}

function kindOf(ip: Ip): AddressKind | null {
  const carried = embedded(ip);
  if (carried !== ip) return kindOf(carried);
  return RULES.find(({ network }) => inNetwork(ip, network))?.kind ?? null;
}

// ---------------------------------------------------------------------------------------------
// The decision

/**
 * A call refused by the policy before any connection was made. Its message is for the admin, in
 * Russian, and depends only on the host and its address — never on the port — so it cannot tell
 * an open port from a closed one.
 */
export class OutboundAddressRefused extends Error {
  readonly code = 'ERR_PRINTSYNC_INTERNAL_ADDRESS';

  constructor(
    readonly hostname: string,
    readonly address: string,
    readonly kind: AddressKind,
  ) {
    super(refusalText(hostname, address, kind));
    this.name = 'OutboundAddressRefused';
  }
}

function refusalText(hostname: string, address: string, kind: AddressKind): string {
  const what =
    hostname === address
      ? `${display(address)} — внутренний адрес (${KIND_LABEL[kind]})`
      : `${hostname} указывает на внутренний адрес ${display(address)} (${KIND_LABEL[kind]})`;
  if (EXPLICIT_ONLY.has(kind)) {
    return (
      `${what}: такие адреса printsync вызывает, только если они явно перечислены в переменной окружения ${ALLOW_PRIVATE_NETWORKS} ` +
      `(например ${ALLOW_PRIVATE_NETWORKS}=${display(address)}); значение 1 их не открывает`
    );
  }
  return (
    `${what}: printsync не обращается к внутренним адресам, пока их не разрешит переменная окружения ${ALLOW_PRIVATE_NETWORKS} ` +
    `(1 — все внутренние адреса, или список адресов и сетей через запятую, например ${ALLOW_PRIVATE_NETWORKS}=192.168.1.10,10.0.0.0/8); ` +
    'задайте её и перезапустите printsync'
  );
}

function display(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

/**
 * Whether `address` may be connected to for a call to `hostname` (the name in the URL). Null
 * when allowed; otherwise the error to fail the connection with.
 */
export function refusalFor(policy: OutboundPolicy, address: string, hostname: string): OutboundAddressRefused | null {
  const host = unbracket(hostname).toLowerCase().replace(/\.$/, '');
  const ip = parseIp(address);
  const kind = ip ? kindOf(ip) : 'reserved';
  if (kind === null) return null;
  if (policy.hosts.includes(host)) return null;
  if (ip && policy.networks.some((network) => inNetwork(ip, network) || inNetwork(embedded(ip), network))) return null;
  if (policy.internal && !EXPLICIT_ONLY.has(kind)) return null;
  return new OutboundAddressRefused(host, address.replace(/%.*$/, ''), kind);
}

/** `::ffff:10.0.0.5` is matched by a listed `10.0.0.0/8` too. */
function embedded(ip: Ip): Ip {
  if (ip.version === 6) {
    for (const { network, shift } of EMBEDDING) {
      if (inNetwork(ip, network)) return { version: 4, value: (ip.value >> shift) & 0xffffffffn };
    }
  }
  return ip;
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

// ---------------------------------------------------------------------------------------------
// Enforcement at connection time

/** Name resolution as `dns.lookup(…, { all: true })` does it; tests pass a stub. */
export type Resolve = (hostname: string, options: Pick<LookupOptions, 'family' | 'hints'>) => Promise<readonly LookupAddress[]>;

const systemResolve: Resolve = (hostname, options) => dnsLookup(hostname, { ...options, all: true });

export interface OutboundDispatcherOptions {
  /** Name resolution; tests pass a stub, so no query leaves the machine. */
  resolve?: Resolve | undefined;
  /**
   * Builds what opens sockets once the policy allowed an address, given the guarded lookup it
   * must resolve names with. Tests pass one that also refuses anything off loopback: a safety
   * net, so a broken policy fails a test instead of sending packets into the network.
   */
  connector?: ((lookup: LookupFunction) => buildConnector.connector) | undefined;
}

/**
 * An undici dispatcher that refuses connections the policy does not allow. Names are resolved by
 * our `lookup`, which checks every address before the socket may use any (a name with one
 * internal address among public ones is refused: that is not an accident worth guessing about);
 * addresses written as such (`http://10.0.0.5/`) never reach a lookup, so they are checked
 * before the connector is called. Either way the refusal comes before a connection is attempted.
 */
export function createOutboundDispatcher(policy: OutboundPolicy, options: OutboundDispatcherOptions = {}): Agent {
  const resolve = options.resolve ?? systemResolve;
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    resolve(hostname, { family: lookupOptions.family, hints: lookupOptions.hints }).then(
      (addresses) => {
        const first = addresses[0];
        if (!first) {
          callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname }), '', 0);
          return;
        }
        for (const { address } of addresses) {
          const refusal = refusalFor(policy, address, hostname);
          if (refusal) {
            callback(refusal, '', 0);
            return;
          }
        }
        if (lookupOptions.all) callback(null, [...addresses]);
        else callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
  const connector = options.connector ? options.connector(lookup) : buildConnector({ lookup });
  const guarded: buildConnector.connector = (connectOptions, callback) => {
    const host = unbracket(connectOptions.hostname);
    if (isIP(host)) {
      const refusal = refusalFor(policy, host, host);
      if (refusal) {
        callback(refusal, null);
        return;
      }
    }
    connector(connectOptions, callback);
  };
  return new Agent({ connect: guarded });
}

// ---------------------------------------------------------------------------------------------
// The process-wide policy

/*
 * One policy per process, set by `createApp` from the configuration. Transports are built in many
 * places that have no app context (settings hooks, jobs, panel routes), and the policy is a
 * property of where the process runs, not of an integration; a module-level dispatcher reaches
 * them all without threading it through every call. Until something sets it, only public
 * addresses are called.
 */
let active: { dispatcher: Agent } | null = null;

export function setOutboundPolicy(policy: OutboundPolicy, options: OutboundDispatcherOptions = {}): void {
  const previous = active;
  active = { dispatcher: createOutboundDispatcher(policy, options) };
  // Calls already under way finish on the old dispatcher; nothing new goes through it.
  void previous?.dispatcher.close().catch(() => undefined);
}

/** What `httpCall` sends through. */
export function outboundDispatcher(): Dispatcher {
  active ??= { dispatcher: createOutboundDispatcher(PUBLIC_ONLY) };
  return active.dispatcher;
}
