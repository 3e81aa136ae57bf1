import { closeSync, openSync, writeSync } from 'node:fs';

/**
 * A capture file in pcapng (the format of Wireshark and tshark; IETF draft
 * "PCAP Next Generation Dump File Format"), written block by block as
 * packets come, so a file cut short by a crash still reads up to its last
 * packet. pcapng, not classic pcap, because one file holds interfaces of
 * different link types (LAPB for X.75 calls, user data for analog ones).
 * Little-endian; timestamps in microseconds (the default `if_tsresol`).
 */

/** Block types (pcapng §4). */
const SECTION_HEADER = 0x0a0d0d0a;
const INTERFACE_DESCRIPTION = 0x00000001;
const ENHANCED_PACKET = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
/** Option codes. */
const OPT_END = 0;
const OPT_COMMENT = 1;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const SHB_USERAPPL = 4;

function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** Options as pcapng lays them out: code, length, value padded to 4, then the end marker. */
function options(list: Array<[number, string]>): Buffer {
  const parts: Buffer[] = [];
  for (const [code, text] of list) {
    const value = Buffer.from(text, 'utf8');
    const head = Buffer.alloc(4);
    head.writeUInt16LE(code, 0);
    head.writeUInt16LE(value.length, 2);
    parts.push(head, value, Buffer.alloc(pad4(value.length) - value.length));
  }
  if (parts.length) parts.push(Buffer.from([OPT_END, 0, 0, 0]));
  return Buffer.concat(parts);
}

function block(type: number, body: Buffer): Buffer {
  const total = 12 + body.length;
  const out = Buffer.alloc(total);
  out.writeUInt32LE(type, 0);
  out.writeUInt32LE(total, 4);
  body.copy(out, 8);
  out.writeUInt32LE(total, total - 4);
  return out;
}

export class PcapngFile {
  readonly path: string;
  #fd: number | undefined;
  #interfaces = 0;

  /** Create (or truncate) `path` and write the section header, naming the program that wrote it. */
  constructor(path: string, application: string) {
    this.path = path;
    this.#fd = openSync(path, 'w');
    const head = Buffer.alloc(16);
    head.writeUInt32LE(BYTE_ORDER_MAGIC, 0);
    head.writeUInt16LE(1, 4); // major version
    head.writeUInt16LE(0, 6); // minor version
    head.writeBigInt64LE(-1n, 8); // section length: not given
    this.#write(block(SECTION_HEADER, Buffer.concat([head, options([[SHB_USERAPPL, application]])])));
  }

  /** Describe a new interface; returns its id for `packet`. */
  addInterface(linkType: number, name: string, description?: string): number {
    const head = Buffer.alloc(8);
    head.writeUInt16LE(linkType, 0);
    head.writeUInt32LE(0, 4); // snaplen: no limit
    const opts: Array<[number, string]> = [[IF_NAME, name]];
    if (description) opts.push([IF_DESCRIPTION, description]);
    this.#write(block(INTERFACE_DESCRIPTION, Buffer.concat([head, options(opts)])));
    return this.#interfaces++;
  }

  /** One packet on interface `id` at `atMs` (ms since 1970, virtual or real), with an optional comment. */
  packet(id: number, atMs: number, data: Uint8Array, comment?: string): void {
    const us = BigInt(Math.round(atMs * 1000));
    const head = Buffer.alloc(20);
    head.writeUInt32LE(id, 0);
    head.writeUInt32LE(Number(us >> 32n), 4);
    head.writeUInt32LE(Number(us & 0xffffffffn), 8);
    head.writeUInt32LE(data.length, 12);
    head.writeUInt32LE(data.length, 16);
    const padding = Buffer.alloc(pad4(data.length) - data.length);
    this.#write(block(ENHANCED_PACKET, Buffer.concat([head, data, padding, options(comment ? [[OPT_COMMENT, comment]] : [])])));
  }

  close(): void {
    if (this.#fd === undefined) return;
    closeSync(this.#fd);
    this.#fd = undefined;
  }

  #write(bytes: Buffer): void {
    if (this.#fd !== undefined) writeSync(this.#fd, bytes);
  }
}
