import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { echoPump, expectText } from '../support/echo-pump.js';
import { runCli, startLab, tempDir } from '../support/lab-child.js';
import { writeModemLabConfig } from '../support/modem-lab.js';

/**
 * `--trace FILE.pcap` read back by tshark, as a CI rig would look at a
 * link (docs/traces.md): an X.75 call over a corrupting line shows its
 * LAPB frames — SABM, UA, I with N(S)/N(R), RR, REJ — each in its
 * direction; an analog call shows its bytes; a scenario writes the same in
 * virtual time.
 */

/** tshark's fields, one row a frame. */
function tshark(file: string, fields: string[], filter?: string): string[][] {
  const args = ['-r', file, '-T', 'fields', '-E', 'separator=|', ...fields.flatMap((f) => ['-e', f]), ...(filter ? ['-Y', filter] : [])];
  return execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').filter(Boolean).map((l) => l.split('|'));
}

/** A terminal on a modem's TCP port that has dialled the echo line (`init`: the AT command before ATD) and seen `connected`. */
async function dialEcho(t: { teardown(fn: () => void): void }, port: number, init: string, connected: string): Promise<Socket> {
  const s = await new Promise<Socket>((resolve, reject) => {
    const c = connect({ host: '127.0.0.1', port }, () => resolve(c));
    c.once('error', reject);
  });
  t.teardown(() => s.destroy());
  s.write(`${init}\r`);
  await expectText(s, 'OK\r\n', 5_000);
  s.write('ATDT0800100\r');
  await expectText(s, `${connected}\r\n`, 10_000);
  return s;
}

/** LAPB control octets (ISO 7776 §4.3; P/F bit masked): what each frame is. */
function kind(control: number): string {
  if ((control & 0x01) === 0) return 'I';
  if ((control & 0x03) === 0x01) return ['RR', 'RNR', 'REJ', 'S?'][(control >> 2) & 0x03];
  return { 0x2f: 'SABM', 0x63: 'UA', 0x43: 'DISC', 0x0f: 'DM', 0x87: 'FRMR' }[control & 0xef] ?? 'U?';
}

t.test('lab --trace: an X.75 call over a corrupting line as LAPB frames in their directions, an analog call as bytes', async (t) => {
  const dir = tempDir(t);
  const trace = join(dir, 'lab.pcap');
  const files = await writeModemLabConfig(dir, [
    { name: 'ta', number: '0897001', bind: 'tcp', profile: 'isdn-ta' },
    { name: 'analog', number: '0897000', bind: 'tcp' },
  ]);
  const startedAt = Date.now();
  const lab = await startLab(t, files, ['--trace', trace, '--fault', '0800100=corrupt=0.0005,seed=5']);
  const ta = await dialEcho(t, files.modems.ta.port!, 'ATE0+BX75', 'CONNECT 64000/X75');
  const x75 = await echoPump(ta, { total: 8192, window: 4096, stallMs: 20_000, verify: true }).then(() => 'intact', (e: Error) => e.message);
  t.equal(x75, 'intact', '8 KiB echoed over X.75, corrected by LAPB');
  const analog = await dialEcho(t, files.modems.analog.port!, 'ATE0', 'CONNECT 14400/V42BIS');
  analog.write('hello, line');
  await new Promise((r) => setTimeout(r, 500));
  t.equal(await lab.stop(), 0, 'the lab stops cleanly and closes the trace');
  t.ok(existsSync(trace), 'the trace file is there');

  const stamps = tshark(trace, ['frame.time_epoch']).map((r) => Number(r[0]) * 1000);
  t.ok(stamps[0] > startedAt && stamps.at(-1)! < Date.now(), 'a real-time lab stamps packets with the wall clock, while the lab ran');
  const ifaces = [...new Set(tshark(trace, ['frame.interface_name']).map((r) => r[0]))];
  t.same(ifaces, ['call 1 0897001→0800100', 'call 2 0897000→0800100'], 'one interface per call, named after it');
  const frames = tshark(trace, ['frame.interface_name', 'lapb.address', 'lapb.control', 'lapb.control.n_s', 'lapb.control.n_r', '_ws.col.Source', '_ws.col.Destination'], 'lapb');
  const rows = frames.map(([, address, control, ns, nr, src, dst]) => ({ address: Number(address), kind: kind(Number(control)), ns, nr, from: src, to: dst }));
  const seen = new Set(rows.map((r) => r.kind));
  for (const k of ['SABM', 'UA', 'I', 'RR', 'REJ']) t.ok(seen.has(k), `tshark shows ${k} frames (${[...seen].join(', ')})`);
  const first = rows[0];
  t.same([first.kind, first.from, first.to], ['SABM', 'DTE', 'DCE'], 'the caller (DTE) opens the link with SABM');
  const ua = rows.find((r) => r.kind === 'UA');
  t.same([ua?.from, ua?.to], ['DCE', 'DTE'], 'UA comes back from the echo line (DCE)');
  // X.25 §2.4.2: DTE commands carry address B (0x01), DCE commands address A (0x03).
  t.equal(first.address, 0x01, 'SABM is a DTE command: address B');
  const iFrames = rows.filter((r) => r.kind === 'I' && r.from === 'DTE');
  t.ok(iFrames.length > 8, `the caller's I frames are there (${iFrames.length})`);
  t.equal(iFrames[0].ns, '0', 'the first I frame after the link is set up is N(S) 0');
  // ISO 7776 §4.2: N(S) counts modulo 8; it only goes back to the N(R) the far end last gave (REJ, or a poll answered in timer recovery).
  const wrongSteps: string[] = [];
  let prev: number | undefined;
  let lastNr: number | undefined;
  for (const r of rows) {
    if (r.from === 'DCE' && r.nr !== '') lastNr = Number(r.nr);
    if (r.kind !== 'I' || r.from !== 'DTE') continue;
    const ns = Number(r.ns);
    if (prev !== undefined && ns !== (prev + 1) % 8 && ns !== lastNr) wrongSteps.push(`${prev}→${ns} (last N(R) ${lastNr})`);
    prev = ns;
  }
  t.same(wrongSteps, [], 'N(S) steps by one modulo 8 and goes back only to the N(R) the DCE gave');
  t.ok(new Set(iFrames.map((r) => r.ns)).size === 8, 'N(S) takes all eight values 0…7');
  t.ok(rows.some((r) => r.kind === 'I' && r.from === 'DCE' && r.nr !== ''), 'the echo\'s I frames carry N(R) back');
  t.ok(rows.some((r) => r.kind === 'REJ'), 'the corrupting line shows REJ, the go-back-N of LAPB');

  const analogData = tshark(trace, ['frame.interface_name', 'frame.len', 'data.data'], 'frame.interface_name contains "0897000"');
  const payload = analogData.map((r) => r[2] ?? '').join('');
  t.ok(analogData.length > 0, 'the analog call has packets');
  t.ok(payload.includes(Buffer.from('hello, line').toString('hex')), 'its bytes are in the trace, as data');
});

/** The pcapng blocks of a file: type and body (pcapng §3.1, little-endian as hicom-sim writes it). */
function pcapngBlocks(file: string): Array<{ type: number; body: Buffer }> {
  const bytes = readFileSync(file);
  const blocks: Array<{ type: number; body: Buffer }> = [];
  for (let at = 0; at < bytes.length;) {
    const length = bytes.readUInt32LE(at + 4);
    blocks.push({ type: bytes.readUInt32LE(at), body: bytes.subarray(at + 8, at + length - 4) });
    at += length;
  }
  return blocks;
}

t.test('lab --trace-format lapb-with-dir: X.75 frames as link type 207, one direction octet before each frame', async (t) => {
  const dir = tempDir(t);
  const trace = join(dir, 'lapb.pcap');
  const files = await writeModemLabConfig(dir, [{ name: 'ta', number: '0897001', bind: 'tcp', profile: 'isdn-ta' }]);
  const lab = await startLab(t, files, ['--trace', trace, '--trace-format', 'lapb-with-dir']);
  const ta = await dialEcho(t, files.modems.ta.port!, 'ATE0+BX75', 'CONNECT 64000/X75');
  ta.write('ping');
  await expectText(ta, 'ping', 5_000);
  t.equal(await lab.stop(), 0, 'the lab stops cleanly');
  const blocks = pcapngBlocks(trace);
  const idb = blocks.filter((b) => b.type === 0x00000001);
  t.same(idb.map((b) => b.body.readUInt16LE(0)), [207], 'one interface, LINKTYPE_LAPB_WITH_DIR (207)');
  const packets = blocks.filter((b) => b.type === 0x00000006).map((b) => b.body.subarray(20, 20 + b.body.readUInt32LE(12)));
  const described = packets.map((p) => `${p[0] ? 'sent' : 'received'} ${kind(p[2])} address ${p[1]}`);
  t.same(described.slice(0, 2), ['sent SABM address 1', 'received UA address 1'], 'the DTE sends SABM (direction non-zero: sent by this host), the DCE answers UA (0: received)');
  const info = packets.find((p) => p[0] !== 0 && kind(p[2]) === 'I');
  t.equal(info?.subarray(3).toString(), 'ping', 'the caller\'s I frame carries its data after address and control, no FCS');
});

t.test('scenario run --trace writes the scenario\'s calls in virtual time', async (t) => {
  const dir = tempDir(t);
  const trace = join(dir, 'scenario.pcap');
  const run = runCli(['scenario', 'run', 'scenarios/callback-success.yaml', '--trace', trace]);
  t.equal(run.status, 0, `the scenario passes (${run.stdout.slice(-200)})`);
  t.match(run.stdout, `trace: ${trace}`, 'says where the trace is');
  const rows = tshark(trace, ['frame.interface_name', 'frame.time_epoch']);
  t.ok(rows.length > 0, 'packets are there');
  t.match(rows[0][0], /^callback-success call \d+ /, 'interfaces are named after the scenario and the call');
  // A scenario's virtual clock starts where core/clock.ts's VirtualClock does, 2026-01-05 08:00 UTC; its callback connects within minutes.
  const virtualStart = Date.UTC(2026, 0, 5, 8, 0, 0) / 1000;
  const first = Number(rows[0][1]);
  t.ok(first >= virtualStart && first < virtualStart + 600, `the first packet is stamped in the scenario's virtual time (${new Date(first * 1000).toISOString()}), not the wall clock`);
});

t.test('--trace-format without --trace, or a format that does not exist: one clear line, exit 2', async (t) => {
  const alone = runCli(['scenario', 'run', 'scenarios/callback-success.yaml', '--trace-format', 'wireshark']);
  t.equal(alone.status, 2, 'exit 2 without --trace');
  t.match(alone.stderr, /--trace-format needs --trace/, 'says what is missing');
  const unknown = runCli(['scenario', 'run', 'scenarios/callback-success.yaml', '--trace', '/tmp/never.pcap', '--trace-format', 'pcap']);
  t.equal(unknown.status, 2, 'exit 2 for an unknown format');
  t.match(unknown.stderr, /wireshark.*lapb-with-dir/, 'names the formats there are');
  t.notOk(existsSync('/tmp/never.pcap'), 'no trace file was made');
});

t.test('--trace into a directory that does not exist: one clear line, exit 2, nothing started', async (t) => {
  const run = runCli(['scenario', 'run', 'scenarios/callback-success.yaml', '--trace', '/nonexistent/dir/x.pcap']);
  t.equal(run.status, 2, 'exit 2');
  t.match(run.stderr, /cannot write \/nonexistent\/dir\/x\.pcap \(--trace\): /, 'names the file, the option and the reason');
});
