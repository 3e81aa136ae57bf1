import type { Command } from 'commander';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { APS_VERSION_PATTERN, buildApsImage, verifyApsImage } from '../../firmware-sim/aps-image.js';
import { parsePbxType, PbxType } from '../../firmware-sim/pbx-type.js';
import { CliError } from './cli-error.js';

/** Default body size of a test image. */
const DEFAULT_SIZE = 64 * 1024;
const MAX_SIZE = 4 * 1024 * 1024 - 64 * 1024 - 128;

/** Deterministic filler so two builds of the same version are byte-identical. */
function filler(version: string, size: number): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash('sha256').update(version).digest();
  for (let i = 0; i < size; i += block.length) {
    block.copy(out, i);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

export function register(program: Command): void {
  const aps = program.command('aps').description('APS (system software) images for remote software load (docs/aps-image.md)');
  aps
    .command('build')
    .description('make a signed test APS image (lab signature)')
    .requiredOption('--aps-version <version>', 'APS version, e.g. HE300M.00.002.01 (not --version: that is the program\'s own option)')
    .requiredOption('--type <type>', `target PBX type: ${Object.values(PbxType).join(', ')}`)
    .requiredOption('-o, --output <file>', 'image file to write')
    .option('--size <bytes>', 'body size in bytes', String(DEFAULT_SIZE))
    .action((o: { apsVersion: string; type: string; output: string; size: string }) => {
      const type = parsePbxType(o.type);
      if (!type) throw new CliError(`unknown PBX type "${o.type}"; use ${Object.values(PbxType).join(', ')}`, 2);
      if (!APS_VERSION_PATTERN.test(o.apsVersion)) throw new CliError(`"${o.apsVersion}" is not an APS version like HE300M.00.001.01`, 2);
      const size = Number(o.size);
      if (!Number.isInteger(size) || size < 0 || size > MAX_SIZE) throw new CliError(`--size must be 0–${MAX_SIZE} bytes`, 2);
      const image = buildApsImage({ version: o.apsVersion, type, body: filler(o.apsVersion, size) });
      writeFileSync(o.output, image);
      process.stdout.write(`${o.output}: APS ${o.apsVersion} for ${type}, ${image.length} bytes\n`);
    });
  aps
    .command('check')
    .argument('<file>', 'APS image')
    .description('verify an image offline: format, signature, length, checksum')
    .action((file: string) => {
      let data: Buffer;
      try {
        data = readFileSync(file);
      } catch (err) {
        throw new CliError(`${file}: ${(err as Error).message}`);
      }
      const r = verifyApsImage(data);
      if (!r.ok) throw new CliError(`${file}: ${r.error}`);
      process.stdout.write(`${file}: APS ${r.header.version} for ${r.header.type}, body ${r.header.bodyLength} bytes, checksum and lab signature valid\n`);
    });
}
