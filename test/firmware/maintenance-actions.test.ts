import t from 'tap';
import { BS_OVERLOAD, BS_RESTART, MEMORY_MAP } from '../../firmware-sim/maintenance-state.js';
import { firstLogin, makePbx, AdminTerminal } from '../support/pbx-harness.js';

/** Each maintenance action has a visible effect and is logged (format 6) before it runs. */
function setup(): { term: AdminTerminal; last: () => string; pbx: ReturnType<typeof makePbx>['pbx'] } {
  const { pbx, log } = makePbx();
  const term = new AdminTerminal(pbx);
  firstLogin(term);
  const last = (): string => {
    const e = log.read(log.lastSeq(), 1)[0];
    return e ? `(${e.format}) ${e.command}` : '';
  };
  return { term, last, pbx };
}

t.test('B2-1: a trunk out of service refuses traffic, counts the error, and comes back', (t) => {
  const { term, last } = setup();
  t.match(term.cmd('trunk test 2 hello').text, /sent \(no echo/, 'a trunk in service sends a test frame');
  t.match(term.cmd('trunk service 2 out').text, /trunk 2: out-of-service in-service=no/, 'the reply shows trunk 2 out of service');
  t.equal(last(), '(6) B2-1 trunk 2 out of service', 'B2-1 with trunk and direction is logged');
  t.match(term.cmd('trunk test 2 hello').status, /^ERROR 503 trunk 2 is out of service/, 'traffic over an out-of-service trunk fails');
  t.match(term.cmd('trunk status 2').text, /errors=1/, 'the refused frame counts as an error');
  t.match(term.cmd('trunk service 2 in').text, /trunk 2: in-service in-service=yes/, 'the trunk comes back into service');
  t.end();
});

t.test('B2-1: a station out of service', (t) => {
  const { term, last, pbx } = setup();
  t.equal(term.cmd('station service 101 out').status, 'OK', 'station 101 goes out of service');
  t.equal(last(), '(6) B2-1 station 101 out of service', 'logged as B2-1');
  t.equal(pbx.maintenance.stationInService('101'), false, 'the running state has the station out of service');
  t.match(term.cmd('station service 999 out').status, /^ERROR 404 no station 999/, 'an unknown station is refused');
  t.end();
});

t.test('B5-1: a trunk in loopback echoes; B6-1 switches rolling; B7-1 shows both', (t) => {
  const { term, last } = setup();
  term.cmd('trunk loopback 1 on');
  t.equal(last(), '(6) B5-1 trunk 1 loopback on', 'loopback change is logged as B5-1');
  t.match(term.cmd('trunk test 1 ping-42').text, /echo: ping-42/, 'the trunk in loopback echoes the frame');
  term.cmd('trunk rolling 1 on');
  t.equal(last(), '(6) B6-1 trunk 1 rolling on', 'rolling change is logged as B6-1');
  const status = term.cmd('trunk status 1');
  t.equal(last(), '(6) B7-1 trunk 1', 'reading the trunk status is logged as B7-1');
  t.match(status.text, /trunk 1: loopback in-service=yes loopback=on rolling=on errors=0 frames=1/, 'status shows state, loopback, rolling and counters');
  term.cmd('trunk loopback 1 off');
  t.match(term.cmd('trunk test 1 ping').text, /no echo/, 'without loopback nothing comes back');
  t.end();
});

t.test('B8-1: clearing trunk error counters', (t) => {
  const { term, last, pbx } = setup();
  pbx.maintenance.countError(3);
  pbx.maintenance.countError(3);
  pbx.maintenance.countError(4);
  t.match(term.cmd('trunk clear 3').text, /2 errors cleared/, 'trunk 3 had two errors');
  t.equal(last(), '(6) B8-1 trunk 3', 'logged as B8-1');
  t.match(term.cmd('trunk status 4').text, /errors=1/, 'other trunks keep their counters');
  t.match(term.cmd('trunk clear all').text, /1 errors cleared/, 'all clears the rest');
  t.match(term.cmd('trunk clear 99').status, /^ERROR 404 no trunk 99/, 'an unknown trunk is refused');
  t.end();
});

t.test('B3-1/B3-2: DMA on the memory map', (t) => {
  const { term, last } = setup();
  const rom = term.cmd('dma read 0x0 16');
  t.match(rom.text, /000000: 48 45 33 30 30 4d .*HE300M\.00\.001\.0/, 'the ROM ident holds the APS version');
  t.equal(last(), '(6) B3-1 0x0 16', 'the read is logged as B3-1');
  t.equal(term.cmd('dma write 0x10010 cafe01').status, 'OK', 'scratch RAM is writable');
  t.equal(last(), '(6) B3-2 0x10010 cafe01', 'the write is logged as B3-2 with address and data');
  t.match(term.cmd('dma read 0x10010 3').text, /010010: ca fe 01/, 'the written bytes read back');
  t.match(term.cmd('dma write 0x0 00').status, /^ERROR 403 .*read-only apsVersion/, 'the ROM ident is read-only');
  t.match(term.cmd('dma read 0x5000 4').status, /^ERROR 422 .*not inside one mapped region/, 'unmapped addresses are refused');
  t.match(term.cmd('dma read 0x10000 999').status, /^ERROR 422 length must be/, 'oversized reads are refused');
  t.match(term.cmd('dma write 0x10000 xyz').status, /^ERROR 422 data must be hex/, 'non-hex data is refused');
  t.match(term.cmd(`dma read ${MEMORY_MAP.trunkStatus.start} 16`).text, /001000: 00 01 00 00 00 00 00 00/, 'trunk 1 record: in service, flags in-service');
  t.end();
});

t.test('B4-1/B4-2: base-station overload and restart status', (t) => {
  const { term, last, pbx } = setup();
  t.match(term.cmd('bs show').text, /bs 1: overload=no restart=yes/, 'after startup every base station reports a restart');
  pbx.maintenance.setOverload(2);
  t.equal(term.cmd(`dma write 0x${(MEMORY_MAP.baseStationStatus.start + 2).toString(16)} ${(BS_OVERLOAD | BS_RESTART).toString(16).padStart(2, '0')}`).status, 'OK', 'DMA sets the overload bit of base station 3');
  t.match(term.cmd('bs clear-overload 2').text, /1 base stations cleared/, 'B4-1 clears base station 2');
  t.equal(last(), '(6) B4-1 bs 2', 'logged as B4-1');
  t.match(term.cmd('bs show').text, /bs 2: overload=no.*\r\nbs 3: overload=yes/, 'base station 3 is still overloaded');
  t.match(term.cmd('bs clear-restart all').text, /8 base stations cleared/, 'B4-2 clears all restart flags');
  t.equal(last(), '(6) B4-2 bs all', 'logged as B4-2');
  t.notMatch(term.cmd('bs show').text, /restart=yes/, 'no base station reports a restart any more');
  t.match(term.cmd('bs clear-overload 9').status, /^ERROR 404/, 'an unknown base station is refused');
  t.end();
});

t.test('bad arguments are refused before anything is logged', (t) => {
  const { term, pbx } = setup();
  const before = pbx.log.lastSeq();
  for (const line of ['trunk service x out', 'trunk service 1 sideways', 'trunk loopback 1', 'dma read zz', 'bs clear-restart -1', 'trunk status 77']) {
    t.match(term.cmd(line).status, /^ERROR 4\d\d /, `"${line}" is refused with a clear error`);
  }
  t.equal(pbx.log.lastSeq(), before, 'nothing was logged for refused arguments');
  t.end();
});

t.test('the running state follows the configured KDS and resets on restart', (t) => {
  const { term, pbx } = setup();
  t.equal(term.cmd('set trunk.5.in-service no').status, 'OK', 'the configured state of trunk 5 changes');
  t.match(term.cmd('trunk status 5').text, /out-of-service/, 'the running trunk follows the KDS');
  term.cmd('trunk loopback 1 on');
  pbx.restart();
  t.match(term.cmd('trunk status 1').text, /trunk 1: in-service .*loopback=off/, 'a restart returns trunks to their configured state');
  t.match(term.cmd('trunk status 5').text, /out-of-service/, 'trunk 5 stays out of service as configured');
  t.end();
});
