import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import t from 'tap';
import { startLab, tempDir } from '../support/lab-child.js';
import { writeModemLabConfig } from '../support/modem-lab.js';

/** socat processes whose parent is `pid`. */
function socatChildren(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid), 'socat'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

t.test('a lab killed with SIGKILL leaves no socat and no pty link behind', async (t) => {
  const files = await writeModemLabConfig(tempDir(t), [
    { name: 'tech', number: '0897000', bind: 'pty' },
    { name: 'other', number: '0897001', bind: 'pty' },
  ]);
  const lab = await startLab(t, files);
  const socats = socatChildren(lab.child.proc.pid!);
  t.equal(socats.length, 2, 'one socat per pty modem while the lab runs');
  t.ok(existsSync(files.modems.tech.pty!) && existsSync(files.modems.other.pty!), 'both pty links exist');
  lab.child.proc.kill('SIGKILL');
  await lab.child.exited;
  const deadline = Date.now() + 5000;
  while (socats.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  t.same(socats.filter(alive), [], 'every socat ended with the lab (its stdin closed)');
  t.notOk(existsSync(files.modems.tech.pty!) || existsSync(files.modems.other.pty!), 'socat removed its links');
});
