import t from 'tap';
import { DIAL_TONE_DETECT_MS, parseDialString } from '../../modem/dial-string.js';

const TONE = { dialMode: 'T' as const, dtmfMs: 95, commaPauseMs: 2000 };

t.test('digits the network sees: 0-9, * and #; A-D are dialled but route nowhere; punctuation ignored', async (t) => {
  t.equal(parseDialString('0(30) 123-45*#', TONE).digits, '03012345*#', 'punctuation and spaces dropped');
  t.equal(parseDialString('12AB3', TONE).digits, '123', 'A-D do not reach the network');
  t.equal(parseDialString('12AB3', TONE).dialMs, 5 * 2 * 95, 'but A-D are keyed like any tone');
  t.equal(parseDialString('T1,W!2;', TONE).digits, '12', 'modifiers are not digits');
});

t.test('timing: tone 2×S11 per digit, pulse 100 ms per pulse + 700 ms, comma S8, W, flash', async (t) => {
  t.equal(parseDialString('22', TONE).dialMs, 2 * 190, 'two tones');
  t.equal(parseDialString('20', { ...TONE, dialMode: 'P' }).dialMs, 2 * 100 + 700 + 10 * 100 + 700, 'pulse: 0 is ten pulses');
  t.equal(parseDialString('T2P2', TONE).dialMs, 190 + 900, 'T and P switch the mode inside the string');
  t.equal(parseDialString('P*', TONE).dialMs, 190, 'a * in pulse mode is still a tone (it has no pulses)');
  t.equal(parseDialString('2,2', TONE).dialMs, 2 * 190 + 2000, 'comma waits S8');
  t.equal(parseDialString('2W2', TONE).dialMs, 2 * 190 + DIAL_TONE_DETECT_MS, 'W waits for dial tone');
  t.equal(parseDialString('!2', TONE).dialMs, 500 + 190, 'hook flash');
});

t.test('a trailing semicolon makes a voice call; one elsewhere does not', async (t) => {
  t.equal(parseDialString('123;', TONE).voice, true, 'trailing ;');
  t.equal(parseDialString('12;3', TONE).voice, false, 'not at the end');
  t.equal(parseDialString('', TONE).voice, false, 'empty string');
  t.same(parseDialString('', TONE), { digits: '', dialMs: 0, voice: false }, 'empty string dials nothing');
});

t.test('internet addresses (bridge mode): a dot, a colon, or a name no number could be', async (t) => {
  const plan = (s: string) => parseDialString(s, TONE);
  t.same(plan('TBBS.EXAMPLE.ORG:2323'), { digits: 'bbs.example.org:2323', address: 'bbs.example.org:2323', dialMs: 0, voice: false }, 'host:port after T, lower case, no dialling time');
  t.equal(plan('127.0.0.1').address, '127.0.0.1', 'an IPv4 address');
  t.equal(plan('[::1]:23').address, '[::1]:23', 'an IPv6 address in brackets');
  t.equal(plan('THOME').address, 'home', 'a phone-book name');
  t.equal(plan('BBS;').address, 'bbs', 'a trailing semicolon does not make it a voice call');
  t.equal(plan('BBS;').voice, false, 'addresses are data');
  t.equal(plan('T0800100').address, undefined, 'a number');
  t.equal(plan('TW123').address, undefined, 'W is a modifier, not a name');
  t.equal(plan('ABCD').address, undefined, 'DTMF letters A–D are a number');
  t.equal(plan('T(2)-2X').address, undefined, 'stray characters in a number are still ignored');
});
