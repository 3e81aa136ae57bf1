import { readFileSync } from 'node:fs';

/**
 * The version in package.json, read at run time (one file, no other module),
 * so that `hicom-sim --version` can answer before commander or any command
 * module loads.
 */
export function packageVersion(): string {
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      return (JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { version: string }).version;
    } catch {
      // try the next level: src/cli/ in the sources, dist/src/cli/ when built
    }
  }
  return '0.0.0';
}
