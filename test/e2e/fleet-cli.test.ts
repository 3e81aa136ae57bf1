import { spawn } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { EXIT } from '../../src/exit-codes.js';
import { cryptoRandom } from '../../src/adapters/crypto-random.js';
import { RealClock } from '../../src/adapters/real-clock.js';
import { UdpDatagramPort } from '../../src/adapters/udp-datagram-port.js';
import { readDeviceKeys } from '../../src/storage/device-keys-file.js';
import { CheckInResponder } from '../support/check-in-responder.js';
import { CLI, runCli, tempDir } from '../support/lab-child.js';

/** The CLI as a child; the responder in this process keeps answering meanwhile (runCli would block it). */
function fleet(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'fleet', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

t.test('hicom-sim fleet against a centre over real UDP: summary for people and for programs', async (t) => {
  const dir = tempDir(t);
  const keys = join(dir, 'keys.txt');
  // Made-up devices written as a keys file, which the test centre then knows.
  const made = runCli(['fleet', '--devices', '40', '--centre', 'udp:127.0.0.1:9', '--seed', '7', '--write-keys', keys, '--duration', '0.2']);
  t.equal(made.status, EXIT.connection, 'nobody answers on the discard port: exit 3, no connection (docs/exit-codes.md)');
  t.match(made.stderr, /no check-in was answered by udp:127\.0\.0\.1:9/, 'and it says so');
  const devices = readDeviceKeys(keys);
  t.equal(devices.length, 40, '40 devices written');
  t.same([...new Set(devices.map((d) => d.kind))].sort(), ['key-depot', 'pbx'], 'both kinds');
  const port = await UdpDatagramPort.open();
  const centre = new CheckInResponder({ clock: new RealClock(), random: cryptoRandom });
  for (const d of devices) centre.addDevice(d.id, d.key);
  centre.attach(port);
  t.teardown(() => centre.close());
  const r = await fleet(['--keys', keys, '--centre', `udp:127.0.0.1:${port.address.port}`, '--speed', '60', '--duration', '3', '--json']);
  t.equal(r.status, 0, `exit 0 (${r.stderr.trim()})`);
  const s = JSON.parse(r.stdout) as { devices: number; depots: number; pbxs: number; sent: number; acks: number; naks: Record<string, number>; timeouts: number; latencyMs: { n: number; p50: number; p99: number } };
  t.same([s.devices, s.depots, s.pbxs], [40, 20, 20], 'devices by kind');
  t.ok(s.sent >= 40 * 2, `at speed 60 every device checks in about once a second (${s.sent} in 3 s)`);
  t.ok(s.acks >= s.sent - 40, `nearly all acknowledged (${s.acks}; the last ones may be on their way at the end)`);
  t.same([s.naks.replay, s.naks['clock-skew']], [0, 0], 'no naks: counters fresh, clocks real');
  t.equal(s.latencyMs.n, s.acks, 'a latency per answer');
  t.ok(s.latencyMs.p50 > 0 && s.latencyMs.p99 >= s.latencyMs.p50, `p50 ${s.latencyMs.p50} ms ≤ p99 ${s.latencyMs.p99} ms`);
  t.equal([...centre.devices.values()].filter((d) => d.checkIns > 0).length, 40, 'the centre heard every device');
  const human = await fleet(['--keys', keys, '--devices', '4', '--centre', `udp:127.0.0.1:${port.address.port}`, '--speed', '120', '--duration', '1']);
  t.match(human.stdout, /^fleet: 4 devices \(2 key depots, 2 PBXs\) against udp:127\.0\.0\.1:\d+ for 1\.\d s at speed 120\ncheck-ins sent +\d+ \([\d.]+\/s\)\nacks +\d+\nnaks +0 \(replay 0, clock-skew 0\)\ntimeouts +0\nlatency +p50 [\d.]+ ms, p99 [\d.]+ ms, max [\d.]+ ms \(\d+ answers\)\nevents accepted \d+\n$/, 'the summary for people; a second run of the same devices gets no replay nak (counters start above the last run\'s)');
});

t.test('bad arguments: one clear line, exit 2', async (t) => {
  const dir = tempDir(t);
  const keys = join(dir, 'keys.txt');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(keys, 'D-1 key-depot AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\nD-2 toaster AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n');
  const cases: Array<[string[], RegExp]> = [
    [['--devices', '2', '--centre', 'tcp:127.0.0.1:4000'], /--centre tcp:127\.0\.0\.1:4000: expected udp:HOST:PORT/],
    [['--devices', '2', '--centre', 'udp:127.0.0.1'], /--centre udp:127\.0\.0\.1: "127\.0\.0\.1" is not HOST:PORT/],
    [['--centre', 'udp:127.0.0.1:4000'], /give --devices N \(or --keys FILE/],
    [['--devices', '0', '--centre', 'udp:127.0.0.1:4000'], /--devices.*a whole number 1–1000000/],
    [['--devices', '2', '--speed', '-3', '--centre', 'udp:127.0.0.1:4000'], /--speed.*a number above 0/],
    [['--keys', keys, '--centre', 'udp:127.0.0.1:4000'], /keys\.txt:2: kind "toaster" is not pbx or key-depot/],
    [['--keys', join(dir, 'none.txt'), '--centre', 'udp:127.0.0.1:4000'], /cannot read .*none\.txt: ENOENT/],
  ];
  for (const [args, want] of cases) {
    const r = runCli(['fleet', ...args]);
    // Option values commander refuses exit as its argument errors do; our own checks exit 2.
    if (/argument/.test(r.stderr)) t.not(r.status, 0, `${args.join(' ')}: exit non-zero`);
    else t.equal(r.status, 2, `${args.join(' ')}: exit 2`);
    t.match(r.stderr, want, `${args.join(' ')}: ${want.source}`);
  }
});
