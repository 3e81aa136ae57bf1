/**
 * The worked example of docs/check-in-telegram.md §8, read from the page
 * itself, so tests (and the independent clients they run) check the page,
 * not a copy of it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const CHECK_IN_DOC = join(process.cwd(), 'docs/check-in-telegram.md');

function block(doc: string, name: string): string {
  const m = new RegExp(`<!-- ${name} -->\\n\`\`\`[a-z]*\\n([\\s\\S]*?)\\n\`\`\``).exec(doc);
  if (!m) throw new Error(`docs/check-in-telegram.md has no ${name} block`);
  return m[1];
}

const fromHex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));

export interface DocExample {
  key: Uint8Array;
  keyBase64: string;
  checkInBody: string;
  checkIn: Uint8Array;
  ackBody: string;
  ack: Uint8Array;
}

export function docExample(): DocExample {
  const doc = readFileSync(CHECK_IN_DOC, 'utf8');
  const key = /Key \(hex; base64 `([A-Za-z0-9+/=]+)`\):\n\n```\n([0-9a-f]{64})\n```/.exec(doc);
  if (!key) throw new Error('docs/check-in-telegram.md: no example key');
  return {
    key: fromHex(key[2]),
    keyBase64: key[1],
    checkInBody: block(doc, 'check-in-body'),
    checkIn: fromHex(block(doc, 'check-in-datagram')),
    ackBody: block(doc, 'ack-body'),
    ack: fromHex(block(doc, 'ack-datagram')),
  };
}
