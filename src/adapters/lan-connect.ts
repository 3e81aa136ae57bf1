import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { Duplex } from 'node:stream';
import ipaddr from 'ipaddr.js';
import type { LineEndpoint } from '../../core/line-endpoint.js';
import { StreamLine } from './stream-line.js';

/**
 * How the provider's side reaches a customer LAN (docs/lan-teleservice.md):
 * - `direct`: an ordinary TCP connection from this host;
 * - `bind:ADDR`: from this host's address ADDR (the lab's loopback stand-in
 *   for the provider network, 127.0.0.x);
 * - `netns:NAME`: from inside the network namespace NAME — the lab's
 *   provider network, joined to the customer LAN by a veth pair.
 */
export type ProviderRoute = { kind: 'direct' } | { kind: 'bind'; address: string } | { kind: 'netns'; namespace: string };

export class LanConnectError extends Error {
  override name = 'LanConnectError';
}

const NAMESPACE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export function parseProviderRoute(text: string): ProviderRoute {
  if (text === '' || text === 'direct') return { kind: 'direct' };
  const [kind, value = ''] = [text.slice(0, text.indexOf(':')), text.slice(text.indexOf(':') + 1)];
  if (kind === 'bind' && ipaddr.isValid(value)) return { kind: 'bind', address: ipaddr.process(value).toString() };
  if (kind === 'netns' && NAMESPACE_NAME.test(value)) return { kind: 'netns', namespace: value };
  throw new LanConnectError(`"${text}" is not a provider route: direct, bind:ADDRESS or netns:NAME`);
}

export function providerRouteText(route: ProviderRoute): string {
  return route.kind === 'direct' ? 'direct' : route.kind === 'bind' ? `bind:${route.address}` : `netns:${route.namespace}`;
}

/** socat and ping take an IPv6 host in brackets. */
function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * Open a TCP connection to `host:port` on the customer LAN, the way `route`
 * says, as a LineEndpoint. LanConnectError with the network's own reason
 * (refused, unreachable, timed out) when it cannot be opened.
 */
export function connectLan(host: string, port: number, route: ProviderRoute, timeoutMs = 5_000): Promise<LineEndpoint> {
  const where = hostPort(host, port);
  if (route.kind === 'netns') return connectInNamespace(route.namespace, host, port, timeoutMs);
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, ...(route.kind === 'bind' ? { localAddress: route.address } : {}), timeout: timeoutMs });
    socket.once('connect', () => {
      socket.setTimeout(0);
      socket.removeAllListeners('error');
      resolve(new StreamLine(socket, `lan ${where}`));
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new LanConnectError(`${where}: timed out after ${timeoutMs} ms`));
    });
    socket.once('error', (err: NodeJS.ErrnoException) => reject(new LanConnectError(`${where}: ${reason(err)}`)));
  });
}

function reason(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNREFUSED': return 'connection refused';
    case 'EHOSTUNREACH': return 'no route to host';
    case 'ENETUNREACH': return 'network is unreachable';
    case 'EADDRNOTAVAIL': return 'the provider address is not on this host';
    default: return err.message;
  }
}

/** socat -d -d says this on stderr once the connection is open. */
const SOCAT_CONNECTED = /starting data transfer loop/;

/** The connection from inside a namespace: socat there, its stdin and stdout our two directions. */
function connectInNamespace(namespace: string, host: string, port: number, timeoutMs: number): Promise<LineEndpoint> {
  const where = hostPort(host, port);
  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
  const child = spawn('ip', ['netns', 'exec', namespace, 'socat', '-d', '-d', 'STDIO', `TCP:${where},connect-timeout=${seconds}`], { stdio: ['pipe', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    let open = false;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      if (open) return;
      err += text;
      if (!SOCAT_CONNECTED.test(err)) return;
      open = true;
      const duplex = Duplex.from({ readable: child.stdout, writable: child.stdin });
      const line = new StreamLine(duplex, `lan ${where} from netns ${namespace}`);
      const close = line.close.bind(line);
      line.close = () => {
        close();
        child.kill();
      };
      child.once('exit', () => line.close());
      resolve(line);
    });
    child.once('error', (e: NodeJS.ErrnoException) => reject(new LanConnectError(`${where}: ${e.code === 'ENOENT' ? 'iproute2 is not installed' : e.message}`)));
    child.once('exit', () => {
      if (open) return;
      const why = err.split('\n').map((l) => / E (.*)$/.exec(l)?.[1]).find((m) => m !== undefined) ?? (err.trim().split('\n').pop() || 'socat ended');
      reject(new LanConnectError(`${where} from netns ${namespace}: ${why.replace(/^connect\(.*?\): /, '').toLowerCase()}`));
    });
  });
}

/**
 * One ICMP echo from the provider's side (`ping -c 1`): whether the host
 * answers, with ping's summary. Undefined on a route where a ping proves
 * nothing (loopback addresses always answer, a direct route is not the
 * provider network).
 */
export function pingFrom(route: ProviderRoute, host: string, timeoutMs = 2_000): Promise<{ ok: boolean; output: string } | undefined> {
  if (route.kind !== 'netns') return Promise.resolve(undefined);
  const seconds = String(Math.max(1, Math.ceil(timeoutMs / 1000)));
  const child = spawn('ip', ['netns', 'exec', route.namespace, 'ping', '-n', '-c', '1', '-W', seconds, host], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (t: string) => (output += t));
  child.stderr.on('data', (t: string) => (output += t));
  return new Promise((resolve) => {
    child.once('error', (e) => resolve({ ok: false, output: e.message }));
    child.once('exit', (code) => resolve({ ok: code === 0, output: output.trim().split('\n').filter((l) => /packets transmitted|unreachable|bytes from|connect:/i.test(l)).join('; ') || output.trim() }));
  });
}
