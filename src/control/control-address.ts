import ipaddr from 'ipaddr.js';
import { parseLineSpec } from '../adapters/line-spec.js';

/** Where `lab --control` listens: a TCP port or a unix socket. */
export type ControlAddress = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

export class ControlAddressError extends Error {
  override name = 'ControlAddressError';
}

/** `tcp:[HOST:]PORT` (HOST defaults to 127.0.0.1; IPv6 in brackets) or `unix:PATH`. */
export function parseControlAddress(spec: string): ControlAddress {
  if (spec.startsWith('unix:')) {
    const path = spec.slice('unix:'.length);
    if (path === '') throw new ControlAddressError(`--control ${spec}: no socket path after "unix:"`);
    return { kind: 'unix', path };
  }
  if (!spec.startsWith('tcp:')) throw new ControlAddressError(`--control ${spec}: expected tcp:[HOST:]PORT or unix:PATH`);
  try {
    const line = parseLineSpec(spec);
    if (line.kind !== 'tcp') throw new ControlAddressError(`--control ${spec}: expected tcp:[HOST:]PORT or unix:PATH`);
    return { kind: 'tcp', host: line.host, port: line.port };
  } catch (err) {
    throw new ControlAddressError(`--control ${spec}: ${(err as Error).message}`);
  }
}

/**
 * Whether only this machine can reach the address: a unix socket, or TCP
 * on a loopback address (127.0.0.0/8, ::1, localhost). Anything else needs
 * the control token (docs/control.md, "Authentication").
 */
export function isLocalOnly(address: ControlAddress): boolean {
  if (address.kind === 'unix') return true;
  if (address.host === 'localhost') return true;
  if (!ipaddr.isValid(address.host)) return false;
  const ip = ipaddr.process(address.host);
  return ip.range() === 'loopback';
}

export function describeAddress(address: ControlAddress): string {
  return address.kind === 'unix' ? `unix:${address.path}` : `tcp:${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
}
