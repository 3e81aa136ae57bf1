import type { Language } from './country-profile.js';

/**
 * The texts the PBX itself writes on the 2 × 24 display, per display
 * language (KDS c1.language). Alarm texts entered into the Error History keep
 * the seed's wording ("Revisor Alarm").
 */
export interface DisplayTexts {
  /** Monday first. */
  weekdays: readonly [string, string, string, string, string, string, string];
  noFmc: string;
}

export const DISPLAY_TEXTS: Readonly<Record<Language, DisplayTexts>> = {
  de: { weekdays: ['Mo', 'Di', 'Mi', 'Do', 'Fr', 'Sa', 'So'], noFmc: 'Ohne FMC: kein Protokoll' },
  en: { weekdays: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'], noFmc: 'No FMC: no protocol log' },
  fr: { weekdays: ['lun', 'mar', 'mer', 'jeu', 'ven', 'sam', 'dim'], noFmc: 'Sans FMC: pas de journal' },
  it: { weekdays: ['lun', 'mar', 'mer', 'gio', 'ven', 'sab', 'dom'], noFmc: 'Senza FMC: nessun log' },
};
