import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SessionClient } from '../clients/session-client.js';
import { archiveToFile, type ArchiveResult } from '../revisor/revisor-client.js';
import { ensureDirectory } from '../storage/ensure-directory.js';

export interface ShelvedArchive extends ArchiveResult {
  file: string;
  /** The earlier year's file the mark was checked against, when this year's starts after it. */
  previous: string | undefined;
}

const YEAR_FILE = (deviceId: string): RegExp => new RegExp(`^${deviceId.replace(/[.]/g, '\\.')}-(\\d{4})\\.arc$`);

/**
 * The centre's protocol-log archives (issue 13): per PBX one `.arc` file per
 * year (`<device>/<device>-<year>.arc`), filled by the revisor's rules
 * (src/revisor/revisor-client.ts: the file checked against the PBX's mark
 * before anything is deleted, appended durably, then committed), so nothing
 * is archived twice or lost however a run is interrupted. The first run of a
 * year starts that year's file and checks the mark against last year's.
 */
export class ArchiveShelf {
  constructor(readonly dir: string) {}

  fileFor(deviceId: string, year: number): string {
    return join(this.dir, deviceId, `${deviceId}-${year}.arc`);
  }

  /** The years that have a file for the device, oldest first. */
  years(deviceId: string): number[] {
    const dir = join(this.dir, deviceId);
    if (!existsSync(dir)) return [];
    const pattern = YEAR_FILE(deviceId);
    return readdirSync(dir).map((n) => pattern.exec(n)).filter((m): m is RegExpExecArray => m !== null).map((m) => Number(m[1])).sort((a, b) => a - b);
  }

  /** Archive the PBX's protocol log into the file of `at`'s year (UTC). */
  async archive(client: SessionClient, deviceId: string, at: number, options: { beforeCommit?: () => void | Promise<void> } = {}): Promise<ShelvedArchive> {
    if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(deviceId)) throw new Error(`${JSON.stringify(deviceId)} is not a device id`);
    ensureDirectory(join(this.dir, deviceId), 0o755);
    const year = new Date(at).getUTCFullYear();
    const file = this.fileFor(deviceId, year);
    const earlier = this.years(deviceId).filter((y) => y < year).at(-1);
    const previous = earlier === undefined ? undefined : this.fileFor(deviceId, earlier);
    const r = await archiveToFile(client, file, { create: !existsSync(file), now: () => new Date(at), ...(previous ? { previous } : {}), ...options });
    return { ...r, file, previous };
  }
}
