/**
 * The six user circles of the seed manual (Nutzerkreise), with the one-letter
 * codes the manual's protocol printout uses ("rev" R, "pnkm" A, "serv" S).
 * The remaining letters follow the German circle names.
 */
export enum Circle {
  UserAdministration = 1, // Benutzeradministrierung
  Revision = 2, // Revision
  SystemMaintenance = 3, // Systempflege (Service)
  Administration = 4, // Administrierung (Kunde)
  ChargeAccounting = 5, // Gebührenabrechnung
  Development = 6, // Entwicklung
}

export const CIRCLE_LETTER: Record<Circle, string> = {
  [Circle.UserAdministration]: 'B',
  [Circle.Revision]: 'R',
  [Circle.SystemMaintenance]: 'S',
  [Circle.Administration]: 'A',
  [Circle.ChargeAccounting]: 'G',
  [Circle.Development]: 'E',
};

export const CIRCLE_NAME: Record<Circle, string> = {
  [Circle.UserAdministration]: 'user-administration',
  [Circle.Revision]: 'revision',
  [Circle.SystemMaintenance]: 'system-maintenance',
  [Circle.Administration]: 'administration',
  [Circle.ChargeAccounting]: 'charge-accounting',
  [Circle.Development]: 'development',
};

export const ALL_CIRCLES: readonly Circle[] = [1, 2, 3, 4, 5, 6];

/** Parse "revision", "R", "2" … into a Circle; undefined if none matches. */
export function parseCircle(text: string): Circle | undefined {
  const t = text.trim();
  for (const c of ALL_CIRCLES) {
    if (t === String(c) || t.toUpperCase() === CIRCLE_LETTER[c] || t.toLowerCase() === CIRCLE_NAME[c]) return c;
  }
  return undefined;
}

/** Letter for a log entry: '-' for no circle (AMHOST) and system entries. */
export function circleLetter(circle: Circle | undefined): string {
  return circle === undefined ? '-' : CIRCLE_LETTER[circle];
}
