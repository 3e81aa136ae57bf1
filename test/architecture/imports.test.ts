import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

/**
 * The layer rule of docs/architecture.md, checked on the TypeScript sources:
 * every import runs downward, peers never import each other, and there is no
 * cycle anywhere (type-only imports included, so a cycle cannot hide behind
 * `import type`).
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Layers from the bottom; a folder may import only from layers below its own. */
const LAYERS: readonly (readonly string[])[] = [
  ['core'],
  ['dsp'],
  ['firmware-sim', 'modem'],
  ['src/logger.ts', 'src/exit-codes.ts', 'src/io-reason.ts'],
  ['src/adapters', 'src/network', 'src/storage', 'src/clients'],
  ['src/database'],
  ['src/revisor', 'src/centre', 'src/assistant'],
  ['src/service', 'src/maintenance'],
  ['src/portal'],
  ['src/lab', 'src/fleet'],
  ['src/control', 'src/timeline'],
  ['src/scenario'],
  ['src/cli'],
  ['bin'],
];
/** Outside the product: may import any layer, but no product file imports them. */
const HARNESS = ['test', 'bench', 'scripts'];

function layerOf(file: string): { rank: number; unit: string } | undefined {
  for (let rank = 0; rank < LAYERS.length; rank++) {
    for (const unit of LAYERS[rank]) if (file === unit || file.startsWith(unit + '/')) return { rank, unit };
  }
  return undefined;
}

function sources(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.posix.join(dir, e.name);
    if (e.isDirectory()) sources(rel, out);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g;

function importsOf(file: string): string[] {
  const text = readFileSync(path.join(root, file), 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = (m[1] ?? m[2]).replace(/\.js$/, '.ts');
    out.push(path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)));
  }
  return out;
}

const topFolders = [...LAYERS.flat().filter((u) => !u.includes('/')), 'src', ...HARNESS];
const files = [...new Set(topFolders)].flatMap((d) => {
  try {
    return sources(d);
  } catch {
    return [];
  }
});
const graph = new Map(files.map((f) => [f, importsOf(f)]));

t.test('every product file belongs to a layer', async (t) => {
  const loose = files.filter((f) => !HARNESS.some((h) => f.startsWith(h + '/')) && !layerOf(f));
  t.same(loose, [], 'files outside every layer of docs/architecture.md (add the folder to a layer)');
});

t.test('imports run downward only', async (t) => {
  const wrong: string[] = [];
  for (const [file, deps] of graph) {
    const from = layerOf(file);
    if (!from) continue;
    for (const dep of deps) {
      const to = layerOf(dep);
      if (!to) wrong.push(`${file} -> ${dep} (outside the product)`);
      else if (to.unit === from.unit) continue;
      else if (to.rank >= from.rank) wrong.push(`${file} -> ${dep} (${from.unit} may not import ${to.unit})`);
    }
  }
  t.same(wrong, [], 'upward or sideways imports');
});

t.test('no import cycles', async (t) => {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string): void => {
    state.set(f, 'open');
    stack.push(f);
    for (const d of graph.get(f) ?? []) {
      if (!graph.has(d)) continue;
      if (state.get(d) === 'open') {
        cycles.push([...stack.slice(stack.indexOf(d)), d].join(' -> '));
      }
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  t.same(cycles, [], 'import cycles');
});

t.test('the checker sees the tree', async (t) => {
  t.ok(graph.size > 150, `read ${graph.size} files`);
  t.ok(graph.get('src/cli/program.ts')?.length, 'program.ts has imports');
});
