import t from 'tap';
import { detectDtmf } from '../../dsp/dtmf-detector.js';
import { CHANNELS } from '../support/dtmf-channel.js';
import { speechClipSpecs, speechCorpus, speechCorpusDir, synthesiseClip, SPEECH_RATE } from '../support/speech-corpus.js';
import { talkOffCorpus } from '../support/talk-off-corpus.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// Talk-off: digits reported on speech- and music-like audio that carries no DTMF.
// Bellcore TR-NWT-000506 asks for few false digits over its speech tapes; the
// spec asks for a figure. 10 minutes of the generated corpus here; the bench runs an hour.
const MINUTES = 6;

t.test('the generated speech/music corpus gives (almost) no false digits', async (t) => {
  const corpus = talkOffCorpus(MINUTES * 60);
  for (const ch of CHANNELS) {
    const found = detectDtmf(ch.pass(corpus));
    const perHour = (found.length * 60) / MINUTES;
    t.comment(`${ch.name}: ${found.length} false digit(s) in ${MINUTES} min = ${perHour} per hour ${found.map((d) => `${d.digit}@${d.startMs}`).join(' ')}`);
    t.ok(perHour <= 12, `${ch.name}: ${perHour} false digits per hour is at most 12`);
  }
});

t.test('the corpus is deterministic and has speech-like level', async (t) => {
  const a = talkOffCorpus(2);
  const b = talkOffCorpus(2);
  t.same(a, b, 'same seed, same samples');
  let power = 0;
  for (const v of a) power += v * v;
  t.ok(power / a.length > 1e-5, 'corpus is not silent');
});

// Real speech: espeak-ng in six languages, every male and female variant, band-limited
// to 300–3400 Hz (test/support/speech-corpus.ts), at espeak-ng's level and 15 dB down,
// on the linear path and through A-law. Not one digit may come out of it.
const FIFTEEN_DB_DOWN = 10 ** (-15 / 20);

t.test('espeak-ng speech (en/de/fr/es/it/pt, male and female voices) gives no false digit at full level or 15 dB down', async (t) => {
  const clips = speechCorpus();
  const minutes = clips.reduce((s, c) => s + c.samples.length, 0) / SPEECH_RATE / 60;
  const languages = new Set(clips.map((c) => c.language));
  t.same([...languages].sort(), ['de', 'en', 'es', 'fr', 'it', 'pt'], 'the corpus speaks all six languages');
  t.ok(clips.some((c) => c.voice.includes('+f')) && clips.some((c) => c.voice.includes('+m')), 'with female and male voices');
  t.ok(minutes > 60, `more than an hour of speech (${minutes.toFixed(0)} min in ${clips.length} clips)`);
  for (const ch of CHANNELS) {
    for (const [level, gain] of [
      ['full level', 1],
      ['15 dB down', FIFTEEN_DB_DOWN],
    ] as const) {
      const false_ = clips.flatMap((c) => {
        const signal = gain === 1 ? c.samples : c.samples.map((v) => v * gain);
        return detectDtmf(ch.pass(signal)).map((d) => `${c.name} ${d.digit}@${(d.startMs / 1000).toFixed(2)}s`);
      });
      t.same(false_, [], `${ch.name}, ${level}: no false digit in ${minutes.toFixed(0)} min of speech`);
    }
  }
});

t.test('the speech corpus is synthesised deterministically and cached under its inputs', async (t) => {
  const spec = speechClipSpecs()[0];
  const a = synthesiseClip(spec);
  const b = synthesiseClip(spec);
  t.ok(a.length > SPEECH_RATE * 2 * 10, `${spec.name} is more than 10 s of audio`);
  t.ok(a.equals(b), 'the same voice and text give the same bytes twice');
  t.ok(readFileSync(join(speechCorpusDir(), `${spec.name}.raw`)).equals(a), 'and the cached clip is exactly that');
});
