import { createHash } from 'node:crypto';
import { APS_VERSION_PATTERN, buildApsImage, verifyApsImage } from '../../firmware-sim/aps-image.js';
import { parsePbxType, PbxType } from '../../firmware-sim/pbx-type.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { readInputFile, writeOutputFile } from './user-files.js';

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

/** `hicom-sim aps build`. */
export function build(o: { apsVersion: string; type: string; output: string; size: number }): void {
  const type = parsePbxType(o.type);
  if (!type) throw new ExitError(`unknown PBX type "${o.type}"; use ${Object.values(PbxType).join(', ')}`, EXIT.usage);
  if (!APS_VERSION_PATTERN.test(o.apsVersion)) throw new ExitError(`"${o.apsVersion}" is not an APS version like HE300M.00.001.01`, EXIT.usage);
  const image = buildApsImage({ version: o.apsVersion, type, body: filler(o.apsVersion, o.size) });
  writeOutputFile(o.output, image);
  process.stdout.write(`${o.output}: APS ${o.apsVersion} for ${type}, ${image.length} bytes\n`);
}

/** `hicom-sim aps check FILE`: a file that is not a sound image is bad input (exit 2). */
export function check(file: string): void {
  const r = verifyApsImage(readInputFile(file));
  if (!r.ok) throw new ExitError(`${file}: ${r.error}`, EXIT.usage);
  process.stdout.write(`${file}: APS ${r.header.version} for ${r.header.type}, body ${r.header.bodyLength} bytes, checksum and lab signature valid\n`);
}
