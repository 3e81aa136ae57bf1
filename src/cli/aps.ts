import type { Command } from 'commander';
import { numberIn } from './option-values.js';

/** Default body size of a test image. */
export const DEFAULT_APS_SIZE = 64 * 1024;
/** The largest body that still fits the PBX's 4 MB APS area with header and slack. */
export const MAX_APS_SIZE = 4 * 1024 * 1024 - 64 * 1024 - 128;

export function register(program: Command): void {
  const aps = program.command('aps').description('APS (system software) images for remote software load (docs/aps-image.md)');
  aps
    .command('build')
    .description('make a signed test APS image (lab signature)')
    .requiredOption('--aps-version <version>', 'APS version, e.g. HE300M.00.002.01 (not --version: that is the program\'s own option)')
    .requiredOption('--type <type>', 'target PBX type: OfficePoint, OfficeCom, OfficePro')
    .requiredOption('-o, --output <file>', 'image file to write')
    .option('--size <bytes>', `body size in bytes (0–${MAX_APS_SIZE})`, numberIn(0, MAX_APS_SIZE), DEFAULT_APS_SIZE)
    .action(async (o: { apsVersion: string; type: string; output: string; size: number }) => (await import('./aps-run.js')).build(o));
  aps
    .command('check')
    .argument('<file>', 'APS image')
    .description('verify an image offline: format, signature, length, checksum')
    .action(async (file: string) => (await import('./aps-run.js')).check(file));
}
