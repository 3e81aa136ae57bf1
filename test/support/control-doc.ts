import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The page whose examples the tests replay. */
export const CONTROL_DOC = resolve('docs/control.md');

export type DocLine = { dir: 'send'; text: string } | { dir: 'expect'; any: true } | { dir: 'expect'; any: false; value: unknown; text: string };

export interface DocBlock {
  /** `control` (the main session) or `control-auth` (a lab with a token). */
  kind: string;
  /** 1-based line of the opening fence, for messages. */
  line: number;
  lines: DocLine[];
}

/** The ```control… blocks of docs/control.md, in order, each line parsed. */
export function controlBlocks(text = readFileSync(CONTROL_DOC, 'utf8')): DocBlock[] {
  const blocks: DocBlock[] = [];
  let current: DocBlock | undefined;
  text.split('\n').forEach((raw, i) => {
    const fence = /^```(control(?:-[a-z]+)?)\s*$/.exec(raw);
    if (!current && fence) {
      current = { kind: fence[1], line: i + 1, lines: [] };
      return;
    }
    if (!current) return;
    if (raw.startsWith('```')) {
      blocks.push(current);
      current = undefined;
      return;
    }
    if (raw.startsWith('→ ')) current.lines.push({ dir: 'send', text: raw.slice(2) });
    else if (raw === '← …') current.lines.push({ dir: 'expect', any: true });
    else if (raw.startsWith('← ')) current.lines.push({ dir: 'expect', any: false, value: JSON.parse(raw.slice(2)), text: raw.slice(2) });
    else if (raw.trim() !== '') throw new Error(`docs/control.md:${i + 1}: a control block line starts with → or ←`);
  });
  return blocks;
}

const ANY = '…';

/** Where `actual` differs from the documented `expected` ("…" any value; an array ending in "…" any further elements), or undefined. */
export function docMismatch(actual: unknown, expected: unknown, path = '$'): string | undefined {
  if (expected === ANY) return undefined;
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected an array, got ${JSON.stringify(actual)}`;
    const open = expected.at(-1) === ANY;
    const fixed = open ? expected.slice(0, -1) : expected;
    if (open ? actual.length < fixed.length : actual.length !== fixed.length) return `${path}: ${actual.length} elements, documented ${fixed.length}${open ? ' or more' : ''}`;
    for (let i = 0; i < fixed.length; i++) {
      const m = docMismatch(actual[i], fixed[i], `${path}[${i}]`);
      if (m) return m;
    }
    return undefined;
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return `${path}: expected an object, got ${JSON.stringify(actual)}`;
    const a = actual as Record<string, unknown>;
    const e = expected as Record<string, unknown>;
    const extra = Object.keys(a).filter((k) => !(k in e));
    if (extra.length) return `${path}: undocumented field(s) ${extra.join(', ')} = ${JSON.stringify(extra.map((k) => a[k]))}`;
    for (const k of Object.keys(e)) {
      if (!(k in a)) return `${path}.${k}: missing`;
      const m = docMismatch(a[k], e[k], `${path}.${k}`);
      if (m) return m;
    }
    return undefined;
  }
  return actual === expected ? undefined : `${path}: got ${JSON.stringify(actual)}, documented ${JSON.stringify(expected)}`;
}
