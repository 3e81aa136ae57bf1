import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SPEECH_TEXTS, type SpeechLanguage } from './speech-texts.js';

/**
 * The real-speech talk-off corpus (docs/dtmf.md "Talk-off corpus"): the texts of
 * speech-texts.ts spoken by espeak-ng (Debian package `espeak-ng`) in English,
 * German, French, Spanish, Italian and Portuguese, every male and female voice
 * variant (`+m1`…`+m7`, `+f1`…`+f5`), the female ones also at a raised pitch
 * (`-p 70`, `-p 90`: the high harmonics that fall on DTMF pairs), band-limited
 * by sox to the telephone band 300–3400 Hz at 8 kHz, 16-bit, without dither.
 *
 * The audio is not in the repository. It is generated once into
 * `$TMPDIR/hicom-sim-speech/<hash>/`, where the hash covers everything that
 * shapes the samples (voices, texts, pitches, the sox chain, the espeak-ng and
 * sox versions), so a change of any of them makes a new corpus and an
 * unchanged one is read back instead of synthesised on every run. Each clip is
 * written to a temporary name and renamed, so test processes running side by
 * side never read half a file.
 *
 * Run as a script to build the corpus and print where it is:
 * `node dist/test/support/speech-corpus.js`.
 */
export interface SpeechClip {
  /** e.g. `en-us+f3` or `de+f2-p90`. */
  name: string;
  voice: string;
  language: SpeechLanguage;
  pitch: number;
  /** 8 kHz samples, ±1 full scale, at the level espeak-ng speaks. */
  samples: Float32Array;
}

export const SPEECH_RATE = 8000;
/** espeak-ng's default pitch (0…99). */
const DEFAULT_PITCH = 50;
const RAISED_PITCHES = [70, 90];
const VOICES: ReadonlyArray<readonly [string, SpeechLanguage]> = [
  ['en-us', 'en'],
  ['en-gb', 'en'],
  ['de', 'de'],
  ['fr-fr', 'fr'],
  ['es', 'es'],
  ['it', 'it'],
  ['pt', 'pt'],
];
const FEMALE = ['f1', 'f2', 'f3', 'f4', 'f5'];
const MALE = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7'];
/** sox: WAV from espeak-ng (22,050 Hz) → telephone band → 8 kHz 16-bit raw; -D: no dither, so no randomness. */
const SOX_ARGS = ['-D', '-t', 'wav', '-', '-t', 'raw', '-e', 'signed-integer', '-b', '16', '-r', String(SPEECH_RATE)];
const SOX_EFFECTS = ['sinc', '300-3400'];

interface ClipSpec {
  name: string;
  voice: string;
  language: SpeechLanguage;
  pitch: number;
}

/** Every clip of the corpus, in a fixed order. */
export function speechClipSpecs(): ClipSpec[] {
  const specs: ClipSpec[] = [];
  for (const [base, language] of VOICES) {
    for (const variant of [...FEMALE, ...MALE]) {
      const voice = `${base}+${variant}`;
      specs.push({ name: voice, voice, language, pitch: DEFAULT_PITCH });
    }
  }
  for (const [base, language] of VOICES) {
    for (const variant of FEMALE) {
      for (const pitch of RAISED_PITCHES) {
        const voice = `${base}+${variant}`;
        specs.push({ name: `${voice}-p${pitch}`, voice, language, pitch });
      }
    }
  }
  return specs;
}

function toolVersion(command: string): string {
  const r = spawnSync(command, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error(`${command} is needed for the speech talk-off corpus (scripts/test-deps.sh installs it): ${r.error?.message ?? r.stderr}`);
  }
  return r.stdout.trim();
}

/** The cache folder for this exact set of generator inputs. */
export function speechCorpusDir(): string {
  const inputs = JSON.stringify({
    specs: speechClipSpecs(),
    texts: SPEECH_TEXTS,
    sox: [...SOX_ARGS, ...SOX_EFFECTS],
    espeak: toolVersion('espeak-ng'),
    soxVersion: toolVersion('sox'),
  });
  const hash = createHash('sha256').update(inputs).digest('hex').slice(0, 16);
  return join(tmpdir(), 'hicom-sim-speech', hash);
}

/** Synthesises one clip: espeak-ng → sox, returning the raw 16-bit little-endian bytes. */
export function synthesiseClip(spec: ClipSpec): Buffer {
  const speech = spawnSync('espeak-ng', ['-v', spec.voice, '-p', String(spec.pitch), '--stdout'], {
    input: SPEECH_TEXTS[spec.language],
    maxBuffer: 256 << 20,
  });
  if (speech.error || speech.status !== 0) throw new Error(`espeak-ng -v ${spec.voice} failed: ${speech.error?.message ?? speech.stderr}`);
  const band = spawnSync('sox', [...SOX_ARGS, '-', ...SOX_EFFECTS], { input: speech.stdout, maxBuffer: 256 << 20 });
  if (band.error || band.status !== 0) throw new Error(`sox failed on ${spec.name}: ${band.error?.message ?? band.stderr}`);
  return band.stdout;
}

function pcmToFloat(bytes: Buffer): Float32Array {
  const out = new Float32Array(bytes.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readInt16LE(2 * i) / 32768;
  return out;
}

/** The whole corpus, synthesised on first use and read from the cache after. */
export function speechCorpus(): SpeechClip[] {
  const dir = speechCorpusDir();
  mkdirSync(dir, { recursive: true });
  return speechClipSpecs().map((spec) => {
    const file = join(dir, `${spec.name}.raw`);
    if (!existsSync(file)) {
      const partial = `${file}.${process.pid}.part`;
      writeFileSync(partial, synthesiseClip(spec));
      renameSync(partial, file);
    }
    return { ...spec, samples: pcmToFloat(readFileSync(file)) };
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const clips = speechCorpus();
  const seconds = clips.reduce((s, c) => s + c.samples.length, 0) / SPEECH_RATE;
  process.stdout.write(`${clips.length} clips, ${(seconds / 60).toFixed(1)} min of 8 kHz s16le raw speech in ${speechCorpusDir()}\n`);
}
