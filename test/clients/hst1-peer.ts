/**
 * An HST1 peer (spec §5.2, the check-in telegram) written from the spec's
 * table alone, the way another team's test rig would: node:crypto for
 * AES-256-GCM and node:dgram for the socket, nothing of hicom-sim behind it
 * (it imports no module of src/, core/ or firmware-sim/; the contract tests
 * check that). Both sides: a device's check-in and a centre's ack/nak.
 *
 * Layout (integers big-endian): 0 magic `HST1` · 4 type · 5 n · 6 id (n) ·
 * 6+n counter u32 · 10+n time u32 · 14+n nonce (12) · 26+n ciphertext ·
 * last 16 the tag. AAD = bytes 0 … 25+n.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';

/** §5.2: "One UDP datagram (at most 1,200 bytes)". */
export const HST1_MAX_DATAGRAM = 1200;
/** §5.2 type byte. */
export const HST1_TYPE = { checkIn: 0x01, ack: 0x81, nak: 0x82 } as const;
/** §5.2: 4 magic + 1 type + 1 n + 4 counter + 4 time + 12 nonce = 26 clear bytes beside the id; then a 16-byte tag. */
export const HST1_FIXED = 26;
export const HST1_TAG = 16;

export interface Hst1Fields {
  type: number;
  /** The id's bytes as sent (a string is taken as latin1, so a test can send any byte). */
  id: string | Uint8Array;
  counter: number;
  time: number;
  /** Default: 12 fresh random bytes. */
  nonce?: Uint8Array;
  /** Default: the id's length (a test may lie). */
  n?: number;
}

export interface Hst1Opened {
  type: number;
  id: string;
  counter: number;
  time: number;
  nonce: Buffer;
  /** The decrypted body's bytes. */
  plain: Buffer;
}

export interface Hst1From {
  address: string;
  port: number;
}

const idBytes = (id: string | Uint8Array): Buffer => (typeof id === 'string' ? Buffer.from(id, 'latin1') : Buffer.from(id));

export class Hst1Peer {
  /** Everything that arrived and was not yet taken by `receive`. */
  readonly #inbox: Array<{ data: Buffer; from: Hst1From }> = [];
  #waiter: (() => void) | undefined;

  private constructor(readonly socket: Socket) {
    socket.on('message', (data, rinfo) => {
      this.#inbox.push({ data, from: { address: rinfo.address, port: rinfo.port } });
      this.#waiter?.();
    });
  }

  /** A socket on loopback: `127.0.0.1` or `::1`, port 0 unless given. */
  static async bind(host = '127.0.0.1', port = 0): Promise<Hst1Peer> {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new Hst1Peer(socket);
  }

  /** The clear header (26 + n bytes, the AAD) for these fields. */
  static header(f: Hst1Fields): Buffer {
    const id = idBytes(f.id);
    const h = Buffer.alloc(HST1_FIXED + id.length);
    h.write('HST1', 0, 'latin1');
    h[4] = f.type;
    h[5] = f.n ?? id.length;
    id.copy(h, 6);
    h.writeUInt32BE(f.counter >>> 0, 6 + id.length);
    h.writeUInt32BE(f.time >>> 0, 10 + id.length);
    (f.nonce ? Buffer.from(f.nonce) : randomBytes(12)).copy(h, 14 + id.length);
    return h;
  }

  /** A whole datagram: header, then the body sealed under `key` with the header as AAD, then the tag. */
  static seal(f: Hst1Fields, body: string | Uint8Array | object, key: Uint8Array): Buffer {
    const header = Hst1Peer.header(f);
    const id = idBytes(f.id);
    const nonce = header.subarray(14 + id.length, 26 + id.length);
    const plain = typeof body === 'string' ? Buffer.from(body, 'utf8') : body instanceof Uint8Array ? Buffer.from(body) : Buffer.from(JSON.stringify(body), 'utf8');
    const c = createCipheriv('aes-256-gcm', key, nonce);
    c.setAAD(header);
    const ct = Buffer.concat([c.update(plain), c.final()]);
    return Buffer.concat([header, ct, c.getAuthTag()]);
  }

  /**
   * Reads a datagram under `key` as §5.2 has it; `undefined` for anything
   * that is not a telegram, or whose tag does not verify.
   */
  static open(d: Uint8Array, key: Uint8Array): Hst1Opened | undefined {
    const b = Buffer.from(d);
    if (b.length > HST1_MAX_DATAGRAM || b.length < 6 || b.toString('latin1', 0, 4) !== 'HST1') return undefined;
    if (![HST1_TYPE.checkIn, HST1_TYPE.ack, HST1_TYPE.nak].includes(b[4] as 1)) return undefined;
    const n = b[5];
    if (n < 1 || n > 32 || b.length < HST1_FIXED + n + HST1_TAG) return undefined;
    const id = b.toString('latin1', 6, 6 + n);
    if (!/^[A-Za-z0-9._-]+$/.test(id)) return undefined;
    const nonce = b.subarray(14 + n, 26 + n);
    const dec = createDecipheriv('aes-256-gcm', key, nonce);
    dec.setAAD(b.subarray(0, 26 + n));
    dec.setAuthTag(b.subarray(b.length - HST1_TAG));
    try {
      const plain = Buffer.concat([dec.update(b.subarray(26 + n, b.length - HST1_TAG)), dec.final()]);
      return { type: b[4], id, counter: b.readUInt32BE(6 + n), time: b.readUInt32BE(10 + n), nonce: Buffer.from(nonce), plain };
    } catch {
      return undefined;
    }
  }

  get address(): Hst1From {
    const a = this.socket.address();
    return { address: a.address, port: a.port };
  }

  send(d: Uint8Array, to: Hst1From): void {
    this.socket.send(d, to.port, to.address);
  }

  /** The next datagram that arrives within `waitMs`, or `undefined`. */
  async receive(waitMs: number): Promise<{ data: Buffer; from: Hst1From } | undefined> {
    if (this.#inbox.length === 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#waiter = undefined;
    }
    return this.#inbox.shift();
  }

  /** Sends and waits for one answer. */
  async exchange(d: Uint8Array, to: Hst1From, waitMs = 2000): Promise<Buffer | undefined> {
    this.send(d, to);
    return (await this.receive(waitMs))?.data;
  }

  /** Datagrams that arrived and were not taken: an answer where none was due. */
  get unread(): number {
    return this.#inbox.length;
  }

  close(): void {
    this.socket.close();
  }
}
