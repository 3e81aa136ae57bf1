import t from 'tap';
import { createRig } from '../support/modem-rig.js';
import { MemoryProfileStore } from '../../modem/profile-store.js';

t.test('V0 numeric results are digits + CR; information text is text + CR LF', async (t) => {
  const { term } = createRig().addModem('01', { echo: false });
  term.send('ATV0\r');
  t.equal(term.take(), '0\r', 'OK as 0<CR>');
  term.send('ATX9\r');
  t.equal(term.take(), '4\r', 'ERROR as 4<CR>');
  term.send('ATS0?\r');
  t.equal(term.take(), '000\r\n0\r', 'info without header, then 0<CR>');
  term.send('ATV1\r');
  t.equal(term.take(), '\r\nOK\r\n', 'back to verbose');
});

t.test('Q1 suppresses result codes, Q0 brings them back', async (t) => {
  const { term } = createRig().addModem('01', { echo: false });
  term.send('ATQ1\r');
  t.equal(term.take(), '', 'no OK in quiet mode');
  term.send('ATX7\r');
  t.equal(term.take(), '', 'no ERROR either');
  term.send('ATQ0\r');
  t.equal(term.take(), '\r\nOK\r\n', 'Q0 answers OK');
});

t.test('S-registers: defaults, set, range', async (t) => {
  const { term, modem } = createRig().addModem('01', { echo: false });
  const defaults: Record<number, string> = { 0: '000', 2: '043', 3: '013', 4: '010', 5: '008', 6: '002', 7: '050', 8: '002', 9: '006', 10: '014', 11: '095', 12: '050', 25: '005' };
  for (const [n, v] of Object.entries(defaults)) {
    term.send(`ATS${n}?\r`);
    t.equal(term.take(), `\r\n${v}\r\n\r\nOK\r\n`, `S${n} default ${v}`);
  }
  term.send('ATS7=30S8=4\r');
  t.equal(term.take(), '\r\nOK\r\n', 'two sets on one line');
  t.equal(modem.sRegisters.get(7), 30, 'S7 set');
  t.equal(modem.sRegisters.get(8), 4, 'S8 set');
  term.send('ATS7=256\r');
  t.equal(term.take(), '\r\nERROR\r\n', 'value above 255');
  term.send('ATS100=1\r');
  t.equal(term.take(), '\r\nERROR\r\n', 'no register 100');
});

t.test('&F restores factory settings, &W + ATZ restore the stored profile', async (t) => {
  const store = new MemoryProfileStore();
  const rig = createRig();
  const { term, modem } = rig.addModem('01', { echo: false, store });
  term.send('ATS0=3X3&D1&W\r');
  t.equal(term.take(), '\r\nOK\r\n', 'stored');
  term.send('ATS0=0X4&D2\r');
  term.take();
  term.send('ATZ\r');
  t.equal(term.take(), '\r\nOK\r\n', 'ATZ answers OK');
  t.equal(modem.sRegisters.get(0), 3, 'S0 back from the profile');
  t.equal(modem.settings.xLevel, 3, 'X3 back');
  t.equal(modem.settings.dtrMode, 1, '&D1 back');
  t.equal(modem.settings.echo, false, 'E0 was stored too');
  term.send('AT&F\r');
  term.take();
  t.equal(modem.sRegisters.get(0), 0, 'S0 factory');
  t.equal(modem.settings.echo, true, 'E1 factory');
  const again = rig.addModem('02', { store });
  t.equal(again.modem.sRegisters.get(0), 3, 'a new modem on the same store powers up with profile 0');
  term.send('ATZ2\r');
  t.match(term.take(), /ERROR/, 'no profile slot 2');
});

t.test('ATI0-6, +GMI/+GMM/+GMR/+GCAP, &V', async (t) => {
  const { term } = createRig().addModem('01', { echo: false });
  for (let i = 0; i <= 6; i++) {
    term.send(`ATI${i}\r`);
    t.match(term.take(), /^\r\n.+\r\n\r\nOK\r\n$/, `ATI${i} gives one info line and OK`);
  }
  term.send('ATI7\r');
  t.equal(term.take(), '\r\nERROR\r\n', 'ATI7 does not exist');
  term.send('AT+GMI;+GCAP\r');
  t.equal(term.take(), '\r\nhicom-sim\r\n\r\n+GCAP: +MS,+ES,+DS,+FCLASS\r\n\r\nOK\r\n', 'identification');
  term.send('AT&V\r');
  const v = term.take();
  t.match(v, /E0 .*Q0 V1 X4 &C1 &D2/, '&V shows the basic settings');
  t.match(v, /S07:050/, '&V shows S-registers');
  t.match(v, /\+MS=V32B,1,300,14400/, '&V shows +MS');
});

t.test('extended settings: +MS, +ES, +DS, +FCLASS read/test/set and range errors', async (t) => {
  const { term, modem } = createRig().addModem('01', { echo: false });
  term.send('AT+MS?\r');
  t.equal(term.take(), '\r\n+MS: V32B,1,300,14400\r\n\r\nOK\r\n', '+MS read');
  term.send('AT+MS=?\r');
  t.match(term.take(), /\+MS: \(V21,V22,V22B,V32,V32B\)/, '+MS test');
  term.send('AT+MS=V22B\r');
  t.equal(term.take(), '\r\nOK\r\n', '+MS=V22B');
  t.same(modem.settings.ms, { carrier: 'V22B', automode: true, minRate: 300, maxRate: 2400 }, 'max rate follows the carrier');
  term.send('AT+MS=V34\r');
  t.equal(term.take(), '\r\nERROR\r\n', 'unknown carrier');
  term.send('AT+ES=3,0,2;+DS=0\r');
  t.equal(term.take(), '\r\nOK\r\n', '+ES and +DS set');
  t.same(modem.settings.ds, [0, 0, 2048, 32], 'omitted sub-parameters kept');
  term.send('AT+ES=9\r');
  t.equal(term.take(), '\r\nERROR\r\n', '+ES out of range');
  term.send('AT+FCLASS=0\r');
  t.equal(term.take(), '\r\nOK\r\n', 'data class');
  term.send('AT+FCLASS=1\r');
  t.equal(term.take(), '\r\nERROR\r\n', 'fax class not offered');
  term.send('AT+BX75\r');
  t.equal(term.take(), '\r\nERROR\r\n', 'X.75 selection only in the isdn-ta profile');
  term.send('ATL2M0B1&K3&S0T P\r');
  t.equal(term.take(), '\r\nOK\r\n', 'compatibility commands accepted');
  t.equal(modem.settings.dialMode, 'P', 'P set pulse dialing');
  term.send('ATY\r');
  t.equal(term.take(), '\r\nERROR\r\n', 'unknown command');
});

t.test('S-register ranges of V.250 §6.2.1–§6.2.3 and §6.3: out of range is ERROR and the value stays', async (t) => {
  const { term, modem } = createRig().addModem('01', { echo: false });
  const refused: Array<[number, number]> = [[3, 128], [4, 128], [5, 128], [6, 1], [6, 11], [7, 0], [10, 0], [10, 255]];
  for (const [n, v] of refused) {
    const before = modem.sRegisters.get(n);
    term.send(`ATS${n}=${v}\r`);
    t.equal(term.take(), '\r\nERROR\r\n', `S${n}=${v} is out of range`);
    t.equal(modem.sRegisters.get(n), before, `S${n} keeps ${before}`);
  }
  const accepted: Array<[number, number]> = [[3, 127], [4, 127], [5, 127], [6, 2], [6, 10], [7, 1], [10, 1], [10, 254], [0, 255], [8, 0], [2, 255]];
  for (const [n, v] of accepted) {
    term.send(`ATS${n}=${v}\r`);
    // S3=127 changes the framing of this line's own result (V.250 §6.2.1), so look at the register.
    term.take();
    t.equal(modem.sRegisters.get(n), v, `S${n}=${v} is at an edge of the range and accepted`);
    // Back to factory settings, ending the line with whatever S3 now is.
    term.send(`AT&F${String.fromCharCode(modem.sRegisters.get(3))}`);
    term.take();
    t.equal(modem.sRegisters.get(3), 13, '&F brought S3 back');
  }
});

t.test('DTE-DCE interface +IPR, +ICF, +IFC, +ILRR (V.250 §6.2.10–§6.2.13): read, test, set, range, profile', async (t) => {
  const { term, modem } = createRig().addModem('01', { echo: false, store: new MemoryProfileStore() });
  const reads: Array<[string, string]> = [['+IPR?', '+IPR: 0'], ['+ICF?', '+ICF: 3,3'], ['+IFC?', '+IFC: 2,2'], ['+ILRR?', '+ILRR: 0']];
  for (const [cmd, text] of reads) {
    term.send(`AT${cmd}\r`);
    t.equal(term.take(), `\r\n${text}\r\n\r\nOK\r\n`, `${cmd} reads the V.250 default ${text}`);
  }
  term.send('AT+IFC=?;+ICF=?;+ILRR=?\r');
  t.equal(term.take(), '\r\n+IFC: (0-3),(0-2)\r\n\r\n+ICF: (0-6),(0-3)\r\n\r\n+ILRR: (0)\r\n\r\nOK\r\n', 'test commands list the ranges');
  term.send('AT+IPR=?\r');
  t.match(term.take(), /^\r\n\+IPR: \(0,300,.*,115200\)\r\n\r\nOK\r\n$/, '+IPR=? lists 0 and the fixed rates');
  term.send('AT&FE0V1&D2&C1+IFC=2,2;+ICF=3,3;+IPR=0;S0=0\r');
  t.equal(term.take(), '\r\nOK\r\n', 'an init line of a real client with extended commands separated by ; answers OK');
  term.send('AT+IFC=0,0\r');
  t.equal(term.take(), '\r\nOK\r\n', '+IFC=0,0 set');
  term.send('AT+IFC=,1;+IFC?\r');
  t.equal(term.take(), '\r\n+IFC: 0,1\r\n\r\nOK\r\n', 'an omitted sub-parameter keeps its value');
  for (const refused of ['+IFC=4,0', '+IFC=0,3', '+ICF=7', '+ICF=,4', '+IPR=12345', '+IPR=x', '+ILRR=1']) {
    term.send(`AT${refused}\r`);
    t.equal(term.take(), '\r\nERROR\r\n', `${refused} is out of range: ERROR`);
  }
  t.same([modem.settings.ifc, modem.settings.icf, modem.settings.ipr], [[0, 1], [3, 3], 0], 'and nothing changed');
  term.send('AT+IPR=115200;+ICF=5,1;&W\r');
  t.equal(term.take(), '\r\nOK\r\n', 'set and stored');
  term.send('AT&F\r');
  term.take();
  t.equal(modem.settings.ipr, 0, '&F brings +IPR back to 0');
  term.send('ATZ\r');
  term.take();
  t.equal(modem.settings.ipr, 115200, 'ATZ loads +IPR from the stored profile');
  t.same(modem.settings.icf, [5, 1], 'and +ICF');
});
