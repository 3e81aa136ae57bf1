import t from 'tap';
import { startLab, tempDir } from '../support/lab-child.js';
import { IMOD_NUMBER, modemTerminal, openModemAccess, writeModemLabConfig, X75_NUMBER } from '../support/modem-lab.js';

/**
 * Every result code a real call outcome produces, from `hicom-sim lab` in
 * real time over TCP, one modem per row, all rows at once. Faults come in
 * both ways the lab takes them: `--fault` on the command line and
 * `faults:` in the configuration.
 */
interface Row {
  outcome: string;
  modem: string;
  number: string;
  profile?: 'isdn-ta';
  /** AT commands before dialling. */
  setup?: string;
  /** Wait for this row's CONNECT before dialling (all-channels-busy needs the channel taken). */
  after?: string;
  /** What the terminal sees, in order. */
  expect: RegExp[];
}

const ROWS: Row[] = [
  { outcome: 'busy subscriber', modem: 'm-busy', number: '0800200', expect: [/^BUSY$/] },
  { outcome: 'no answer within S7', modem: 'm-noans', number: '0800300', setup: 'S7=4', expect: [/^NO ANSWER$/] },
  { outcome: 'unobtainable number', modem: 'm-unob', number: '0999999', expect: [/^NO CARRIER$/] },
  { outcome: 'DID removed (X.75 modem, internal only)', modem: 'm-did', number: X75_NUMBER, profile: 'isdn-ta', setup: '+BX75', expect: [/^NO CARRIER$/] },
  { outcome: 'modem channel taken', modem: 'm-chan1', number: IMOD_NUMBER, expect: [/^CONNECT 14400\/V42BIS$/] },
  { outcome: 'all modem channels busy', modem: 'm-chan2', number: IMOD_NUMBER, after: 'm-chan1', expect: [/^BUSY$/] },
  { outcome: 'line dropped (config fault drop-after=2s)', modem: 'm-drop', number: '0800100', expect: [/^CONNECT 14400\/V42BIS$/, /^NO CARRIER$/] },
  { outcome: 'no dial tone (CLI --fault no-dialtone)', modem: 'm-nodial', number: '0800100', expect: [/^NO DIALTONE$/] },
];

t.test('result codes from real call outcomes', async (t) => {
  const numbers = new Map(ROWS.map((r, i) => [r.modem, `08970${String(10 + i)}`]));
  const files = await writeModemLabConfig(tempDir(t), ROWS.map((r) => ({ name: r.modem, number: numbers.get(r.modem)!, bind: 'tcp' as const, profile: r.profile })), {
    faults: { '0800100': 'drop-after=2s' },
  });
  const lab = await startLab(t, files, ['--fault', `${numbers.get('m-nodial')}=no-dialtone`]);
  const admin = await openModemAccess(lab.connect);
  t.teardown(() => admin.close());
  const removed = await admin.command('set modem.x75.did ""');
  t.ok(removed.ok, 'the X.75 modem\'s DID is removed over the admin port');

  const connected = new Map<string, () => void>();
  const waits = new Map(ROWS.map((r) => [r.modem, new Promise<void>((resolve) => connected.set(r.modem, resolve))]));
  const results = await Promise.all(ROWS.map(async (row) => {
    const term = await modemTerminal(files.modems[row.modem].port!, 25_000);
    t.teardown(() => term.close());
    term.write(`ATZE0${row.setup ? row.setup : ''}\r`);
    await term.expect(/OK\r\n/);
    if (row.after) await waits.get(row.after);
    term.write(`ATDT${row.number}\r`);
    const seen: string[] = [];
    for (const _ of row.expect) {
      let line = '';
      while (!line) line = (await term.expect(/\r\n/)).trim();
      seen.push(line);
      if (/^CONNECT/.test(line)) connected.get(row.modem)!();
    }
    return seen;
  }));
  ROWS.forEach((row, i) => {
    t.ok(row.expect.every((re, j) => re.test(results[i][j] ?? '')), `${row.outcome}: ${results[i].join(' → ')}`);
  });
});
