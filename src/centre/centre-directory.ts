import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isValidSystemId } from '../../firmware-sim/error-report.js';
import { ioReason } from '../io-reason.js';
import { CENTRE_RECORD_OVERHEAD, parseCentreFile, type CentreFileContents } from './centre-file.js';

/**
 * The read-only view of a centre's directory of per-PBX files
 * (`<system id>.hcs`, docs/error-report.md §4), which centres before the
 * database kept: what `centre import` reads them with. Nothing here
 * creates, truncates or writes anything.
 */

export const CENTRE_FILE_SUFFIX = '.hcs';

/** One PBX's file as read. */
export interface CentreFileRead extends CentreFileContents {
  systemId: string;
  /** Path of the file. */
  file: string;
  /** Size in bytes when read. */
  size: number;
}

/** A directory or file that cannot be read at all (missing, not a directory, no permission). */
export class CentreReadError extends Error {
  override name = 'CentreReadError';
}

/** Where a problem of one file is, in the words the CLI prints. */
export function describeProblem(read: CentreFileRead): string | undefined {
  const d = read.damage[0];
  if (d) return `${read.file}: damaged at byte ${d.offset} (${d.reason}, ${d.bytes} bytes)${read.damage.length > 1 ? ` and ${read.damage.length - 1} more place(s)` : ''}; kept as it is`;
  const t = read.tornTail;
  if (t) return `${read.file}: torn last record at byte ${t.offset} (${t.reason}), left as it is; the whole records before it are read`;
  return undefined;
}

/**
 * Read one centre file (opened read-only). Records of another PBX than
 * `systemId` (when given) count as damage: they cannot have been appended
 * to this file by the centre.
 */
export function readCentreFile(file: string, systemId?: string): CentreFileRead {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new CentreReadError(`cannot read ${file}: ${ioReason(err)}`);
  }
  const contents = parseCentreFile(bytes);
  const id = systemId ?? contents.reports[0]?.report.systemId ?? '';
  const foreign = contents.reports.filter((r) => r.report.systemId !== id);
  for (const r of foreign) {
    contents.damage.push({ offset: r.offset, bytes: CENTRE_RECORD_OVERHEAD + r.bytes.length, reason: `record belongs to ${r.report.systemId}, not ${id}` });
  }
  contents.damage.sort((a, b) => a.offset - b.offset);
  return { ...contents, reports: contents.reports.filter((r) => r.report.systemId === id), systemId: id, file, size: bytes.length };
}

/** Every `<system id>.hcs` file of `dir`, by system id; the directory must exist. */
export function readCentreDirectory(dir: string): CentreFileRead[] {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new CentreReadError(`${dir} is not a directory`);
    names = readdirSync(dir);
  } catch (err) {
    if (err instanceof CentreReadError) throw err;
    throw new CentreReadError(`cannot read centre directory ${dir}: ${ioReason(err)}`);
  }
  return names
    .filter((name) => name.endsWith(CENTRE_FILE_SUFFIX) && isValidSystemId(name.slice(0, -CENTRE_FILE_SUFFIX.length)))
    .sort()
    .map((name) => readCentreFile(join(dir, name), name.slice(0, -CENTRE_FILE_SUFFIX.length)));
}
