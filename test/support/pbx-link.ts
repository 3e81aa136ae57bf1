import { Duplex } from 'node:stream';
import type { Pbx } from '../../firmware-sim/pbx.js';
import { AdminSession } from '../../firmware-sim/session.js';
import { createLinePair } from '../../src/adapters/line-pair.js';
import { SessionClient } from '../../src/clients/session-client.js';

export interface LinkFaults {
  /** Break the line when the client sends its n-th line (1-based, counting every CR). */
  cutAtLine?: number;
  /** 'before': the PBX never sees that line; 'reply-lost': the PBX runs it, its reply never arrives. */
  cutMode?: 'before' | 'reply-lost';
  /** Rewrite what the PBX sends before the client sees it (corruption). */
  output?: (text: string) => string;
}

/**
 * A SessionClient on an in-process admin port of `pbx`, with faults
 * injected on the line: a break at any client line (before or after the
 * PBX acts on it) or corrupted output. The PBX answers synchronously, so
 * a whole archiving run happens without real time passing.
 */
export class PbxLink {
  readonly client: SessionClient;
  readonly session: AdminSession;
  linesSent = 0;
  #broken = false;
  readonly #stream: Duplex;
  readonly #cut: () => void;

  constructor(pbx: Pbx, faults: LinkFaults = {}) {
    const pair = createLinePair('revisor-test');
    let muted = false;
    const stream = new Duplex({
      read() {},
      write: (chunk: Buffer, _enc, done) => {
        if (this.#broken) return done();
        const text = chunk.toString('utf8');
        for (let i = 0; i < text.length; i++) {
          if (text[i] !== '\r') continue;
          this.linesSent++;
          if (this.linesSent !== faults.cutAtLine) continue;
          if (faults.cutMode === 'reply-lost') {
            muted = true;
            pair.dte.write(Buffer.from(text.slice(0, i + 1), 'utf8'));
          }
          this.#cut();
          return done();
        }
        pair.dte.write(chunk);
        done();
      },
      final: (done) => {
        this.#cut();
        done();
      },
    });
    this.#stream = stream;
    this.#cut = () => {
      if (this.#broken) return;
      this.#broken = true;
      pair.dte.close();
      stream.push(null);
      stream.destroy();
    };
    pair.dte.onData((d) => {
      if (muted || this.#broken) return;
      const text = Buffer.from(d).toString('utf8');
      stream.push(Buffer.from(faults.output ? faults.output(text) : text, 'utf8'));
    });
    this.session = new AdminSession(pbx, pair.dce, { channel: 'local', port: 'V.24' });
    this.client = new SessionClient(stream, { timeoutMs: 2_000 });
  }

  get broken(): boolean {
    return this.#broken;
  }

  /** Break the line now. */
  cut(): void {
    this.#cut();
  }
}
