import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyApsImage } from '../../firmware-sim/aps-image.js';

/**
 * The centre's APS images (docs/aps-image.md), one `.aps` file each in a
 * directory, found by the version their verified header names — so a file
 * named wrongly, or damaged, is never loaded into a PBX.
 */
export class ApsLibrary {
  constructor(readonly dir: string) {}

  /** The verified image of `version`, or undefined when the library has none (or the directory is missing). */
  image(version: string): Buffer | undefined {
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((n) => n.endsWith('.aps')).sort();
    } catch {
      return undefined;
    }
    for (const name of names) {
      const image = readFileSync(join(this.dir, name));
      const check = verifyApsImage(image);
      if (check.ok && check.header.version === version) return image;
    }
    return undefined;
  }
}
