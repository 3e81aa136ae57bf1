import t from 'tap';
import { ackLine, ackTimeoutMs, helloLine, nakLine, NakReason, parseExchangeLine, READY_LINE } from '../../firmware-sim/report-exchange.js';

const strip = (line: string) => line.replace(/\r\n$/, '');

t.test('every line the two sides send parses back to its message', async (t) => {
  t.same(parseExchangeLine(strip(helloLine('PBX0001'))), { type: 'hello', protocol: 'HCER/1', systemId: 'PBX0001' }, 'HELLO carries protocol and system id');
  t.same(parseExchangeLine(strip(READY_LINE)), { type: 'ready' }, 'READY');
  t.same(parseExchangeLine(strip(ackLine(4294967295))), { type: 'ack', seq: 4294967295 }, 'ACK with the largest seq');
  t.same(parseExchangeLine(strip(nakLine(NakReason.Crc))), { type: 'nak', reason: 'CRC' }, 'NAK CRC');
});

t.test('malformed lines come back as unknown, never throw', async (t) => {
  for (const line of ['', 'HELLO', 'HELLO HCER/1', 'HELLO HCER/x PBX1', 'HELLO HCER/1 ../x', 'ACK', 'ACK -1', 'ACK 4294967296', 'ACK 1 2', 'NAK', 'NAK crc', 'READY NOW', '\u0000\u00ff']) {
    t.equal(parseExchangeLine(line).type, 'unknown', `${JSON.stringify(line)} is unknown`);
  }
});

t.test('the ACK wait covers the frame at 2400 bit/s', async (t) => {
  t.ok(ackTimeoutMs(0) >= 30_000, 'an empty frame still gets the base margin');
  t.ok(ackTimeoutMs(240_000) >= 1000_000, '240 kB at 240 B/s needs at least 1000 s');
});
