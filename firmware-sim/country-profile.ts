/**
 * The country-dependent defaults that the special function
 * "Länderinitialisierung" (country initialisation, seed: "Für die
 * Sonderfunktionen … sind neue Menüpunkte in der Systemverwaltung
 * eingerichtet") puts into a PBX: display language and date format, the
 * time zone and daylight-saving rule of the display clock, the trunk
 * prefixes, and the tone plan the network model plays to callers.
 *
 * Tones and cadences: ITU-T E.180 Supplement 2, "Various tones used in
 * national networks" (the entries of each country). Daylight saving: EU
 * Directive 2000/84/EC (all seven countries follow it: from the last Sunday
 * of March to the last Sunday of October, 01:00 UTC). The national (0) and
 * international (00) prefixes of the number format are the same in all
 * seven, so they are no part of a profile.
 */
export const COUNTRIES = ['DE', 'AT', 'CH', 'FR', 'IT', 'NL', 'GB'] as const;
export type CountryCode = (typeof COUNTRIES)[number];

/** Display languages of the optiset E 2 × 24 display. */
export const LANGUAGES = ['de', 'en', 'fr', 'it'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Date formats of the display clock (D day, M month, Y year; two digits each). */
export const DATE_FORMATS = ['DD.MM.YY', 'DD/MM/YY', 'DD-MM-YY'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

/** A tone: its frequencies (Hz) and its cadence (on, off, on, off … in ms; one entry: continuous). */
export interface Tone {
  hz: readonly number[];
  cadenceMs: readonly number[];
}

export interface TonePlan {
  dial: Tone;
  /** Ringing tone and the ringing cadence the network rings the PBX's ports with. */
  ringing: Tone;
  busy: Tone;
}

export interface CountryProfile {
  country: CountryCode;
  language: Language;
  dateFormat: DateFormat;
  /** Standard time's offset from UTC, minutes. */
  utcOffsetMinutes: number;
  /** Daylight-saving rule of the display clock when the C6 switch is on. */
  dst: 'eu';
  /** Exchange-line access code dialled before an external number (Hicom: "0"; UK practice: "9"). */
  outsidePrefix: string;
  tones: TonePlan;
}

const continuous = (...hz: number[]): Tone => ({ hz, cadenceMs: [Infinity] });
const cadenced = (hz: number[], ...cadenceMs: number[]): Tone => ({ hz, cadenceMs });

/** E.180 Supp. 2: the 425 Hz plan most of continental Europe shares (DE, CH, NL, with national busy cadences). */
const EUROPE_425 = (busyOnMs: number): TonePlan => ({
  dial: continuous(425),
  ringing: cadenced([425], 1000, 4000),
  busy: cadenced([425], busyOnMs, busyOnMs),
});

export const COUNTRY_PROFILES: Readonly<Record<CountryCode, CountryProfile>> = {
  DE: { country: 'DE', language: 'de', dateFormat: 'DD.MM.YY', utcOffsetMinutes: 60, dst: 'eu', outsidePrefix: '0', tones: EUROPE_425(480) },
  AT: {
    country: 'AT', language: 'de', dateFormat: 'DD.MM.YY', utcOffsetMinutes: 60, dst: 'eu', outsidePrefix: '0',
    tones: { dial: continuous(420), ringing: cadenced([420], 1000, 5000), busy: cadenced([420], 400, 400) },
  },
  CH: { country: 'CH', language: 'de', dateFormat: 'DD.MM.YY', utcOffsetMinutes: 60, dst: 'eu', outsidePrefix: '0', tones: EUROPE_425(500) },
  FR: {
    country: 'FR', language: 'fr', dateFormat: 'DD/MM/YY', utcOffsetMinutes: 60, dst: 'eu', outsidePrefix: '0',
    tones: { dial: continuous(440), ringing: cadenced([440], 1500, 3500), busy: cadenced([440], 500, 500) },
  },
  IT: {
    country: 'IT', language: 'it', dateFormat: 'DD/MM/YY', utcOffsetMinutes: 60, dst: 'eu', outsidePrefix: '0',
    tones: { dial: cadenced([425], 200, 200, 600, 1000), ringing: cadenced([425], 1000, 4000), busy: cadenced([425], 500, 500) },
  },
  NL: { country: 'NL', language: 'en', dateFormat: 'DD-MM-YY', utcOffsetMinutes: 60, dst: 'eu', outsidePrefix: '0', tones: EUROPE_425(500) },
  GB: {
    country: 'GB', language: 'en', dateFormat: 'DD/MM/YY', utcOffsetMinutes: 0, dst: 'eu', outsidePrefix: '9',
    tones: { dial: continuous(350, 440), ringing: cadenced([400, 450], 400, 200, 400, 2000), busy: cadenced([400], 375, 375) },
  },
};

export function parseCountry(text: string): CountryCode | undefined {
  return COUNTRIES.find((c) => c === text.trim().toUpperCase());
}

/** The profile of a KDS country value; DE for anything unknown (the delivered country). */
export function countryProfile(country: string | undefined): CountryProfile {
  return COUNTRY_PROFILES[parseCountry(country ?? '') ?? 'DE'];
}
