import { COUNTRIES, COUNTRY_PROFILES, parseCountry } from '../country-profile.js';
import type { SessionCommand } from '../session-command.js';

/**
 * The special functions of the system administration (seed: "Für die
 * Sonderfunktionen "Länderinitialisierung", "Rücksetzen angeschlossener
 * Optionen" und "Rücksetzen Baugruppen" sind neue Menüpunkte in der
 * Systemverwaltung eingerichtet"); docs/session-protocol.md, "Special functions".
 */
export const specialCommands: SessionCommand[] = [
  {
    words: ['special', 'country'],
    params: COUNTRIES.join('|'),
    help: 'country initialisation: language, date format, outside-line prefix, daylight saving and tone plan of the country',
    action: 'maintenance',
    run(ctx, args) {
      const country = parseCountry(args[0]);
      if (!country) return ctx.fail(422, `country is one of ${COUNTRIES.join(', ')}`);
      const r = ctx.pbx.countryInit(ctx.actor, country);
      if (!r.ok) return ctx.fail(r.code, r.error);
      const p = COUNTRY_PROFILES[country];
      ctx.print(`country: ${country}`, `language: ${p.language}`, `date-format: ${p.dateFormat}`, `outside-prefix: ${p.outsidePrefix}`, `daylight-saving: EU rule`, `ringing: ${p.tones.ringing.hz.join('+')} Hz ${p.tones.ringing.cadenceMs.join('/')} ms`);
      ctx.ok(`${r.value.changed.length} items changed`);
    },
  },
  {
    words: ['special', 'reset-options'],
    params: '[option]',
    help: 'reset connected options (IMOD, X.75 modem, DECT base stations, LAN option): they restart, what runs through them drops',
    action: 'customer-actions',
    run(ctx, args) {
      const r = ctx.pbx.restartUnits(ctx.actor, 'option', args[0]?.toLowerCase());
      if (!r.ok) return ctx.fail(r.code, r.error);
      ctx.print(...r.value);
      ctx.ok(`${r.value.length} options reset`);
    },
  },
  {
    words: ['special', 'reset-modules'],
    help: 'reset modules: trunk and subscriber modules restart as configured (counters cleared, stations in service)',
    action: 'maintenance',
    run(ctx) {
      const r = ctx.pbx.restartUnits(ctx.actor, 'module');
      if (!r.ok) return ctx.fail(r.code, r.error);
      ctx.print(...r.value);
      ctx.ok(`${r.value.length} modules reset`);
    },
  },
];
