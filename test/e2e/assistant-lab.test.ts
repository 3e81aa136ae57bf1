import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { firstLoginOverTcp, freePort, runCli, startLab, tempDir, type LabFiles } from '../support/lab-child.js';
import { EXIT } from '../../src/exit-codes.js';
import { openKdsFile, saveKdsFile } from '../../src/storage/kds-file.js';

/**
 * `hicom-sim assistant` against a `hicom-sim lab` child: every maintenance
 * action, an APS load and a KDS read-modify-write — directly on the TCP
 * admin port, through the technician's TCP modem (dial the IMOD, PIN), and
 * through a modem bound to a socat pty — plus the script exit codes.
 */
const PBX = 'HSIM-AST1';
const IMOD = '0301234791';
const ENV = { HICOM_USER: 'tech', HICOM_PASSWORD: 'techpw1' };

async function labFiles(dir: string): Promise<LabFiles & { modemPort: number; modemPty: string }> {
  const port = await freePort();
  const modemPort = await freePort();
  const modemPty = join(dir, 'tech-modem');
  const stateDir = join(dir, 'state');
  const config = {
    stateDir,
    pacing: false,
    pbxs: [{ id: PBX, type: 'OfficePro', trunks: ['0301234'], adminPorts: [{ bind: `tcp:127.0.0.1:${port}` }] }],
    modems: [
      { name: 'tech', number: '0897000', bind: `tcp:127.0.0.1:${modemPort}`, profile: 'analog' },
      { name: 'tech-pty', number: '0897002', bind: `pty:${modemPty}`, profile: 'analog' },
    ],
    testLines: { echo: '0800100', busy: '0800200', noAnswer: '0800300' },
  };
  const configPath = join(dir, 'lab.yaml');
  writeFileSync(configPath, stringify(config));
  return { dir, configPath, stateDir, statePath: join(stateDir, PBX, 'pbx.json'), port, modemPort, modemPty };
}

const MAINTENANCE = [
  'trunk service 2 out',
  'trunk test 2 x',
  'station service 101 out',
  'trunk loopback 1 on',
  'trunk test 1 hello-loop',
  'trunk rolling 1 on',
  'dma write 0x10000 c0ffee',
  'dma read 0x10000 3',
  'bs clear-overload all',
  'bs clear-restart 1',
  'trunk clear all',
  'trunk status 1',
  'trunk service 2 in',
  'errors show',
  'errors delete',
];

t.test('assistant end to end', async (t) => {
  const dir = tempDir(t);
  const files = await labFiles(dir);
  const lab = await startLab(t, files);
  const setup = await lab.connect();
  await firstLoginOverTcp(setup, 'tech', 'techpw1');
  t.ok((await setup.dialogue('pin set', [{ prompt: 'PIN: ', answer: '12345' }, { prompt: 'Repeat pin: ', answer: '12345' }])).ok, 'the customer PIN is set');
  setup.close();

  const direct = ['--connect', `tcp:127.0.0.1:${files.port}`];
  const viaTcpModem = ['--modem', `tcp:127.0.0.1:${files.modemPort}`, '--dial', IMOD, '--pin', '12345'];
  const viaPtyModem = ['--modem', `pty:${files.modemPty}`, '--dial', IMOD, '--pin', '12345'];

  t.test('maintenance actions, directly and through both modems', async (t) => {
    for (const [name, how] of [['TCP admin port', direct], ['TCP modem', viaTcpModem], ['pty modem', viaPtyModem]] as const) {
      // The failing trunk test is the script's last command: it must stop there with exit 1.
      const script = join(dir, `maint-${name.replace(/ /g, '-')}.txt`);
      writeFileSync(script, `# maintenance via ${name}\n${MAINTENANCE.filter((l) => l !== 'trunk test 2 x').join('\n')}\n`);
      const r = runCli(['assistant', ...how, '--script', script], { env: ENV, timeoutMs: 60_000 });
      t.equal(r.status, EXIT.ok, `via ${name}: all maintenance actions answer OK (${r.stderr.trim()})`);
      t.match(r.stdout, /echo: hello-loop/, `via ${name}: the trunk in loopback echoes`);
      t.match(r.stdout, /010000: c0 ff ee/, `via ${name}: DMA reads back what it wrote`);
      t.match(r.stdout, /trunk 1: loopback in-service=yes loopback=on rolling=on errors=0/, `via ${name}: the trunk status shows loopback and rolling`);
      // Stop-at-first-ERROR is the client's own logic, the same on every path: once is enough (each dial-in costs a real handshake).
      if (how !== direct) continue;
      const oos = runCli(['assistant', ...how, '-e', 'trunk service 3 out', '-e', 'trunk test 3 x', '-e', 'trunk status 1'], { env: ENV, timeoutMs: 60_000 });
      t.equal(oos.status, EXIT.failed, `via ${name}: the script stops with exit 1 at the first ERROR`);
      t.match(oos.stdout, /ERROR 503 trunk 3 is out of service\n$/, `via ${name}: the refused test frame is the last reply printed`);
      t.notMatch(oos.stdout, /> trunk status 1/, `via ${name}: nothing after the first ERROR runs`);
      runCli(['assistant', ...how, '-e', 'trunk service 3 in'], { env: ENV, timeoutMs: 60_000 });
    }
    const log = runCli(['assistant', ...direct, '-e', 'log show'], { env: ENV });
    for (const code of ['B2-1 trunk 2 out of service', 'B2-1 station 101 out of service', 'B3-1 0x10000 3', 'B3-2 0x10000 c0ffee', 'B4-1 bs all', 'B4-2 bs 1', 'B5-1 trunk 1 loopback on', 'B6-1 trunk 1 rolling on', 'B7-1 trunk 1', 'B8-1 trunk all', 'B1-1', 'B1-2']) {
      t.match(log.stdout, new RegExp(`tech\\s+S \\(6\\) ${code.replace(/[.()]/g, '\\$&')}\\n`), `the protocol log has "${code}"`);
    }
  });

  t.test('APS load through the TCP modem; a wrong-type image is refused', async (t) => {
    const good = join(dir, 'new.aps');
    const other = join(dir, 'com.aps');
    t.equal(runCli(['aps', 'build', '--aps-version', 'HE300M.00.002.01', '--type', 'OfficePro', '-o', good, '--size', '20000']).status, 0, 'aps build makes an image');
    t.equal(runCli(['aps', 'build', '--aps-version', 'HE200M.00.002.01', '--type', 'OfficeCom', '-o', other]).status, 0, 'and one for another type');
    const refused = runCli(['assistant', ...direct, '-e', `aps load ${other}`], { env: ENV, timeoutMs: 60_000 });
    t.equal(refused.status, EXIT.failed, 'the wrong type is refused with exit 1');
    t.match(refused.stdout, /ERROR 422 the APS image is for OfficeCom; this PBX is OfficePro; APS HE300M\.00\.001\.01 keeps running/, 'the PBX says why');
    const loaded = runCli(['assistant', ...viaTcpModem, '-e', `aps load ${good}`, '-e', 'aps show'], { env: ENV, timeoutMs: 60_000 });
    t.equal(loaded.status, EXIT.ok, `the APS load succeeds (${loaded.stderr.trim()})`);
    t.match(loaded.stdout, /APS HE300M\.00\.002\.01 loaded \(was HE300M\.00\.001\.01\); system restarted/, 'the load is confirmed');
    t.match(loaded.stdout, /stored-image: HE300M\.00\.002\.01 OfficePro 20000 bytes/, 'aps show names the stored image');
    const log = runCli(['assistant', ...direct, '-e', 'log show'], { env: ENV }).stdout;
    t.match(log, /\(5\) A2-1 APSXF\n.*\(5\) A2-2 APSXF HE300M\.00\.002\.01\n.*\(5\) A2-3-"HE300M\.00\.002\.01"\n/, 'A2-1, A2-2 and A2-3 with the new version are logged in order');
  });

  t.test('KDS read, change offline, write back (read-modify-write), stale file, diff', async (t) => {
    const a = join(dir, 'a.kds');
    const b = join(dir, 'b.kds');
    const r1 = runCli(['assistant', ...direct, '-e', `kds read ${a}`], { env: ENV });
    t.equal(r1.status, EXIT.ok, `kds read saves the file (${r1.stderr.trim()})`);
    t.match(r1.stdout, /KDS of HSIM-AST1 \(\d+ items, generation [0-9a-f]{16}, \d+ users\) saved encrypted/, 'with KDS and user table');
    const r2 = runCli(['assistant', ...direct, '-e', 'set c2.ring-timeout 40', '-e', `kds read ${b}`, '-e', `kds write ${a}`], { env: ENV });
    t.equal(r2.status, EXIT.failed, 'a file read before the last change is refused');
    t.match(r2.stdout, /ERROR 409 the KDS in the PBX changed since this image was read; read it again\n$/, 'the PBX says to read it again');
    const diff = runCli(['assistant', '-e', `kds diff ${a} ${b}`], { env: ENV });
    t.equal(diff.status, EXIT.ok, 'kds diff works offline');
    t.match(diff.stdout, /c2\.ring-timeout: "30" → "40"\n1 items differ/, 'the diff names the changed item');

    // The technician edits the saved file on the PC (here through the file API).
    const opened = openKdsFile(b, 'tech', 'techpw1');
    opened.content.image.items['c2.ring-timeout'] = '50';
    opened.content.image.items['station.101.name'] = 'Meier';
    opened.content.users.push({ ...opened.content.users[0], name: 'INTRUDER' });
    saveKdsFile(b, opened.content, 'techpw1');
    const r3 = runCli(['assistant', ...viaTcpModem, '-e', `kds write ${b}`, '-e', 'user list'], { env: ENV, timeoutMs: 60_000 });
    t.equal(r3.status, EXIT.ok, `kds write through the modem (${r3.stderr.trim()})`);
    t.match(r3.stdout, /Datenbasis schreiben: 2 items changed/, 'a file from this PBX at the current generation is a read-modify-write');
    t.notMatch(r3.stdout, /INTRUDER/, 'the file\'s user table is never written into the PBX');
    t.match(r3.stdout, /tech\s+system-maintenance/, 'the PBX keeps its own users');
    const log = runCli(['assistant', ...direct, '-e', 'log show'], { env: ENV }).stdout;
    t.match(log, /\(7\) STN-NAME 101 "Meier"\n.*\(7\) C2-01 "50"\n.*\(4\) Datenbasis schreiben\n/, 'each change as a simulated T command (format 7), then Datenbasis schreiben');
    const bad = runCli(['assistant', '-e', `kds diff ${a} ${b}`], { env: { HICOM_USER: 'tech', HICOM_PASSWORD: 'wrong' } });
    t.equal(bad.status, EXIT.failed, 'a wrong password does not open the files');
  });

  t.test('exit codes of failures', async (t) => {
    const refusedPort = await freePort();
    const conn = runCli(['assistant', '--connect', `tcp:127.0.0.1:${refusedPort}`, '-e', 'show system'], { env: ENV });
    t.equal(conn.status, EXIT.connection, `nothing listening: exit ${EXIT.connection}`);
    t.match(conn.stderr, /connection refused/, 'the error names the refused connection');
    const busy = runCli(['assistant', '--modem', `tcp:127.0.0.1:${files.modemPort}`, '--dial', '0800200', '--pin', '12345', '-e', 'show system'], { env: ENV, timeoutMs: 60_000 });
    t.equal(busy.status, EXIT.dial, `the busy test line: exit ${EXIT.dial}`);
    t.match(busy.stderr, /BUSY — the number is busy/, 'BUSY is explained');
    const unob = runCli(['assistant', '--modem', `tcp:127.0.0.1:${files.modemPort}`, '--dial', '0309999999', '--pin', '12345', '-e', 'show system'], { env: ENV, timeoutMs: 60_000 });
    t.equal(unob.status, EXIT.dial, `an unassigned number: exit ${EXIT.dial} (${unob.stderr.trim()})`);
    const pin = runCli(['assistant', ...viaTcpModem.slice(0, -1), '99999', '-e', 'show system'], { env: ENV, timeoutMs: 60_000 });
    t.equal(pin.status, EXIT.access, `a wrong PIN: exit ${EXIT.access}`);
    t.match(pin.stderr, /PIN refused: ERROR 401 wrong PIN/, 'the wrong PIN is named');
    const login = runCli(['assistant', ...direct, '-e', 'show system'], { env: { HICOM_USER: 'tech', HICOM_PASSWORD: 'nope' } });
    t.equal(login.status, EXIT.access, `a wrong password: exit ${EXIT.access}`);
    const usage = runCli(['assistant', '--modem', `tcp:127.0.0.1:${files.modemPort}`, '-e', 'show system'], { env: ENV });
    t.equal(usage.status, EXIT.usage, `--modem without --dial: exit ${EXIT.usage}`);
  });
});
