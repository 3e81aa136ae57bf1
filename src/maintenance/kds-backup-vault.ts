import { readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { KdsImage } from '../../firmware-sim/kds.js';
import type { UserRecord } from '../../firmware-sim/user-table.js';
import { createFileAtomic } from '../storage/atomic-file.js';
import { ensureDirectory } from '../storage/ensure-directory.js';
import type { MasterKey } from '../storage/master-key.js';

/** What one backup holds: the whole KDS and the user table, as `kds read` and `kds users` gave them. */
export interface KdsBackup {
  format: 'hicom-kds-backup';
  deviceId: string;
  version: number;
  takenAt: number;
  image: KdsImage;
  users: UserRecord[];
}

export interface StoredBackup {
  version: number;
  file: string;
  /** Size of the sealed file. */
  bytes: number;
  /** Versions kept after pruning, oldest first. */
  kept: number[];
  pruned: number[];
  /** Temp files of an interrupted earlier backup that were removed. */
  cleaned: number;
}

export class KdsBackupError extends Error {
  override name = 'KdsBackupError';
}

const FILE = /^kds-(\d{6})\.sealed$/;
/** What `createFileAtomic` leaves behind when the process dies between writing and linking. */
const TEMP = /^kds-\d{6}\.sealed\.tmp-(\d+)$/;
const fileName = (version: number): string => `kds-${String(version).padStart(6, '0')}.sealed`;
const sealContext = (deviceId: string, version: number): string => `kds backup ${deviceId} v${version}`;

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The centre's versioned, encrypted KDS backups (issue 13): one directory per
 * device, one file per version, each AES-256-GCM-sealed under the master key
 * with device and version as context (a file copied to another name does not
 * open). A version appears whole or not at all (temp file, fsync, hard link);
 * after each new one only the newest `retention` are kept.
 */
export class KdsBackupVault {
  constructor(readonly dir: string, private readonly master: MasterKey) {}

  #deviceDir(deviceId: string): string {
    if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(deviceId)) throw new KdsBackupError(`${JSON.stringify(deviceId)} is not a device id`);
    return join(this.dir, deviceId);
  }

  /** The versions kept for a device, oldest first. */
  versions(deviceId: string): number[] {
    let names: string[];
    try {
      names = readdirSync(this.#deviceDir(deviceId));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return names.map((n) => FILE.exec(n)).filter((m): m is RegExpExecArray => m !== null).map((m) => Number(m[1])).sort((a, b) => a - b);
  }

  /** Store a new version and prune to `retention`. */
  store(deviceId: string, content: { takenAt: number; image: KdsImage; users: UserRecord[] }, retention: number): StoredBackup {
    if (!Number.isInteger(retention) || retention < 1) throw new KdsBackupError(`retention ${retention}: keep at least one backup`);
    const dir = this.#deviceDir(deviceId);
    ensureDirectory(dir, 0o700);
    const cleaned = this.#removeStaleTemps(dir);
    for (let version = (this.versions(deviceId).at(-1) ?? 0) + 1; ; version++) {
      const backup: KdsBackup = { format: 'hicom-kds-backup', deviceId, version, ...content };
      const sealed = this.master.seal(Buffer.from(JSON.stringify(backup), 'utf8'), sealContext(deviceId, version));
      const file = join(dir, fileName(version));
      try {
        createFileAtomic(file, sealed);
      } catch (err) {
        // Another centre process took this version first: take the next.
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw err;
      }
      const all = this.versions(deviceId);
      const pruned = all.slice(0, Math.max(0, all.length - retention));
      for (const v of pruned) unlinkSync(join(dir, fileName(v)));
      return { version, file, bytes: statSync(file).size, kept: all.slice(pruned.length), pruned, cleaned };
    }
  }

  /** Open one version; KdsBackupError when it is missing, damaged or sealed under another key. */
  open(deviceId: string, version: number): KdsBackup {
    const file = join(this.#deviceDir(deviceId), fileName(version));
    let sealed: Buffer;
    try {
      sealed = readFileSync(file);
    } catch {
      throw new KdsBackupError(`no backup version ${version} of ${deviceId} (kept: ${this.versions(deviceId).join(', ') || 'none'})`);
    }
    try {
      return JSON.parse(this.master.open(sealed, sealContext(deviceId, version)).toString('utf8')) as KdsBackup;
    } catch (err) {
      throw new KdsBackupError(`${file}: ${(err as Error).message}`);
    }
  }

  /** An interrupted backup's temp file is no version: remove those of processes that are gone. */
  #removeStaleTemps(dir: string): number {
    let n = 0;
    for (const name of readdirSync(dir)) {
      const m = TEMP.exec(name);
      if (!m || alive(Number(m[1]))) continue;
      unlinkSync(join(dir, name));
      n++;
    }
    return n;
  }
}
