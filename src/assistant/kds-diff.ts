import type { KdsImage } from '../../firmware-sim/kds.js';
import { resolveItem } from '../../firmware-sim/kds-schema.js';
import { quote } from '../../firmware-sim/command-tokens.js';

/** How a value is shown: secrets only as set/default, never their hash. */
function shown(path: string, value: string | undefined): string {
  if (value === undefined) return '(absent)';
  return resolveItem(path)?.spec.secret ? `<${value === '' ? 'default' : 'set'}>` : quote(value);
}

/** The items that differ between two KDS images, one line each: `path: A → B`. */
export function diffKds(a: KdsImage, b: KdsImage): string[] {
  const out: string[] = [];
  const paths = [...Object.keys(a.items), ...Object.keys(b.items).filter((p) => !(p in a.items))];
  for (const path of paths) {
    const va = a.items[path];
    const vb = b.items[path];
    if (va !== vb) out.push(`${path}: ${shown(path, va)} → ${shown(path, vb)}`);
  }
  return out;
}
