import type { LineEndpoint } from '../core/line-endpoint.js';
import { PcmReader, samplesToBytes, VOICE_SAMPLE_RATE } from '../dsp/pcm.js';
import { DtmfDetector } from '../dsp/dtmf-detector.js';
import { dbm0ToAmplitude } from '../dsp/audio-level.js';
import { DEFAULT_LOW_TONE_DBM0, generateDtmf } from '../dsp/dtmf-generator.js';
import { parseDtmfDigits } from '../dsp/dtmf-tones.js';
import { alawToLinear, linearToAlaw, linearToUlaw, ulawToLinear } from '../dsp/g711.js';
import { addTones } from '../dsp/tone-generator.js';
import type { CommandContext, CommandDef, CommandOutcome } from './command-context.js';
import { S } from './s-registers.js';
import { VOICE_FCLASS } from './service-class.js';

/**
 * Voice mode after ITU-T V.253: +FCLASS=8, +VSM (sample format), +VTS (DTMF
 * and tones), +VTX (play samples from the DTE) and +VRX (record samples to
 * the DTE, with DTMF reported as DLE events). See docs/at-commands.md.
 */

/** V.253 §4.2 DLE shielding: DLE (0x10) starts a code; DLE DLE is a data 0x10; DLE ETX ends a stream. */
export const DLE = 0x10;
export const ETX = 0x03;
/** DTE → DCE during +VRX: DLE ! ends the recording (V.253 Table 17 "receive abort"). */
const VRX_ABORT = 0x21;
/** V.253 +VTS durations are in units of 10 ms. */
const VTS_UNIT_MS = 10;

/**
 * Sample formats for +VSM (compression method ids after the Rockwell/Conexant
 * family, which most V.253 software knows: 4 = G.711 µ-law, 5 = G.711 A-law;
 * 0 here is 16-bit signed linear little-endian).
 */
export interface VoiceFormat {
  id: number;
  name: string;
  bits: 8 | 16;
  encode(pcm: Int16Array): Uint8Array;
  decode(bytes: Uint8Array): Int16Array;
}

export const VOICE_FORMATS: readonly VoiceFormat[] = [
  {
    id: 0, name: 'SIGNED PCM', bits: 16,
    encode: (pcm) => samplesToBytes(pcm),
    decode: (bytes) => new PcmReader().push(bytes.length & 1 ? bytes.subarray(0, bytes.length - 1) : bytes),
  },
  { id: 4, name: 'G.711U', bits: 8, encode: (pcm) => Uint8Array.from(pcm, linearToUlaw), decode: (b) => Int16Array.from(b, ulawToLinear) },
  { id: 5, name: 'G.711A', bits: 8, encode: (pcm) => Uint8Array.from(pcm, linearToAlaw), decode: (b) => Int16Array.from(b, alawToLinear) },
];
/** Default +VSM: A-law, the European telephone network's own coding. */
export const DEFAULT_VOICE_FORMAT = 5;

interface VoiceState {
  format: VoiceFormat;
  /** What the path's audio is for right now (+VRX) — one listener per path, routed here. */
  onAudio: ((pcm: Int16Array) => void) | undefined;
  tapped: WeakSet<LineEndpoint>;
}

function pathOf(ctx: CommandContext, state: VoiceState): LineEndpoint | undefined {
  const path = ctx.voicePath;
  if (path && !state.tapped.has(path)) {
    state.tapped.add(path);
    const reader = new PcmReader();
    path.onData((bytes) => state.onAudio?.(reader.push(bytes)));
  }
  return path;
}

/** V.253 §9.5.x +VTS list: `1`, `{D,d}` (digit, duration) or `[f1,f2,d]` (two tones), d in 10 ms. */
export function parseVts(text: string, defaultMs: number): Array<{ digit?: string; freqs?: [number, number]; ms: number }> | undefined {
  const out: Array<{ digit?: string; freqs?: [number, number]; ms: number }> = [];
  const re = /\s*(?:\{([0-9A-D*#])(?:,(\d{0,4}))?\}|\[(\d{0,4}),(\d{0,4})(?:,(\d{0,4}))?\]|([0-9A-D*#]))\s*(?:,|$)/gy;
  let m: RegExpExecArray | null;
  while (re.lastIndex < text.length && (m = re.exec(text))) {
    if (m[1]) out.push({ digit: m[1], ms: m[2] ? Number(m[2]) * VTS_UNIT_MS : defaultMs });
    else if (m[6]) out.push({ digit: m[6], ms: defaultMs });
    else out.push({ freqs: [Number(m[3] || 0), Number(m[4] || 0)], ms: m[5] ? Number(m[5]) * VTS_UNIT_MS : defaultMs });
    if (m[0] === '') break;
  }
  return re.lastIndex === text.length && out.length > 0 ? out : undefined;
}

/** +VTS tones at −10 dBm0 each, like the DTMF generator's default. */
const VTS_TONE_AMPLITUDE = dbm0ToAmplitude(DEFAULT_LOW_TONE_DBM0);

function tones(freqs: [number, number], ms: number): Float32Array {
  const out = new Float32Array(Math.round((ms * VOICE_SAMPLE_RATE) / 1000));
  return addTones(out, freqs.filter((hz) => hz > 0).map((hz) => ({ hz, amplitude: VTS_TONE_AMPLITUDE })), VOICE_SAMPLE_RATE);
}

function vts(ctx: CommandContext, args: string[]): CommandOutcome {
  const path = ctx.voicePath;
  if (!path || ctx.settings.fclass !== VOICE_FCLASS) return 'error';
  const items = parseVts(args.join(','), ctx.sRegisters.get(S.dtmfDuration));
  if (!items || items.some((i) => i.freqs?.some((f) => f > 3400))) return 'error';
  let totalMs = 0;
  for (const item of items) {
    const audio = item.digit ? generateDtmf(parseDtmfDigits(item.digit), { onMs: item.ms, offMs: item.ms }).samples : tones(item.freqs!, item.ms);
    path.write(samplesToBytes(audio));
    totalMs += item.digit ? 2 * item.ms : item.ms;
  }
  // The DCE answers when the tones have been played, as a real modem does.
  ctx.after(totalMs, () => ctx.finalResult(true));
  return 'pending';
}

function vtx(ctx: CommandContext, state: VoiceState): CommandOutcome {
  const path = pathOf(ctx, state);
  if (!path) return 'error';
  const modem = ctx;
  let dle = false;
  const end = (): void => {
    modem.tapDte(undefined);
    modem.finalResult(true);
  };
  modem.writeResult('CONNECT');
  modem.tapDte((bytes) => {
    const data: number[] = [];
    for (const b of bytes) {
      if (dle) {
        dle = false;
        if (b === DLE) data.push(DLE);
        else if (b === ETX) {
          if (data.length) path.write(samplesToBytes(state.format.decode(Uint8Array.from(data))));
          return end();
        }
        // Other DLE codes (V.253 Table 17) carry no samples; they are ignored.
      } else if (b === DLE) dle = true;
      else data.push(b);
    }
    if (data.length) path.write(samplesToBytes(state.format.decode(Uint8Array.from(data))));
  });
  return 'pending';
}

function vrx(ctx: CommandContext, state: VoiceState): CommandOutcome {
  const path = pathOf(ctx, state);
  if (!path) return 'error';
  const modem = ctx;
  const detector = new DtmfDetector();
  let dle = false;
  const stop = (): void => {
    state.onAudio = undefined;
    modem.tapDte(undefined);
    modem.writeDte(Uint8Array.of(DLE, ETX));
    modem.finalResult(true);
  };
  modem.writeResult('CONNECT');
  state.onAudio = (pcm) => {
    const out: number[] = [];
    for (const b of state.format.encode(pcm)) {
      out.push(b);
      if (b === DLE) out.push(DLE);
    }
    // V.253 §9.3: a detected DTMF digit is reported in the stream as DLE + the digit.
    for (const d of detector.process(pcm)) out.push(DLE, d.digit.charCodeAt(0));
    modem.writeDte(Uint8Array.from(out));
  };
  path.onClose(() => {
    if (state.onAudio) stop();
  });
  modem.tapDte((bytes) => {
    for (const b of bytes) {
      if (dle && (b === VRX_ABORT || b === ETX)) return stop();
      dle = b === DLE && !dle;
    }
  });
  return 'pending';
}

/** The voice-mode (V.253) commands of one modem, with that modem's voice state; +FCLASS=8 (modem/service-class.ts) enables them. */
export function voiceCommands(): CommandDef[] {
  const state: VoiceState = { format: VOICE_FORMATS.find((f) => f.id === DEFAULT_VOICE_FORMAT)!, onAudio: undefined, tapped: new WeakSet() };
  return [
    {
      name: '+VSM',
      handler: (ctx, cmd) => {
        if (cmd.kind !== 'extended') return 'error';
        if (cmd.op === 'read') return ctx.info(`${state.format.id},${VOICE_SAMPLE_RATE},0,0`), 'ok';
        if (cmd.op === 'test') return ctx.info(VOICE_FORMATS.map((f) => `${f.id},"${f.name}",${f.bits},0,(${VOICE_SAMPLE_RATE}),(0),(0)`).join('\n')), 'ok';
        if (cmd.op !== 'set' || cmd.args.length > 4) return 'error';
        const format = VOICE_FORMATS.find((f) => String(f.id) === cmd.args[0]);
        if (!format || (cmd.args[1] !== undefined && cmd.args[1] !== '' && cmd.args[1] !== String(VOICE_SAMPLE_RATE))) return 'error';
        state.format = format;
        return 'ok';
      },
    },
    {
      name: '+VTS',
      handler: (ctx, cmd) => (cmd.kind === 'extended' && cmd.op === 'set' ? vts(ctx, cmd.args) : cmd.kind === 'extended' && cmd.op === 'test' ? (ctx.info('(200-3400),(200-3400),(0-255)'), 'ok') : 'error'),
    },
    {
      name: '+VTX',
      handler: (ctx, cmd) => (cmd.kind === 'extended' && cmd.op === 'action' && ctx.settings.fclass === VOICE_FCLASS ? vtx(ctx, state) : 'error'),
    },
    {
      name: '+VRX',
      handler: (ctx, cmd) => (cmd.kind === 'extended' && cmd.op === 'action' && ctx.settings.fclass === VOICE_FCLASS ? vrx(ctx, state) : 'error'),
    },
  ];
}
