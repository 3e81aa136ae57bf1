import { Circle, CIRCLE_NAME } from './circles.js';
import type { DataClass } from './kds-schema.js';

/**
 * Rights of the six circles (seed manual, "Erklärung der Rechte der
 * einzelnen Nutzerkreise"), as a pure function of the circle and of which
 * circles currently have users — two rules depend on the latter:
 *
 * - System maintenance has all rights on all data and actions (except
 *   Development's) only while no other circle has users; afterwards it keeps
 *   general system administration without customer-confidential data
 *   ("Funktionalität des Hicom Assistant T in Release 1.0 ohne
 *   kundenvertrauliche Daten").
 * - Charge-accounting rights belong to Charge accounting if it has users,
 *   else to Administration if it has users, else to System maintenance.
 *
 * Development has all of System maintenance's current rights plus the
 * reserved parameters. AMHOST (no circle) may read non-confidential data.
 */
export type Action =
  | 'user-admin'
  | 'log-read'
  | 'log-archive'
  | 'errors-read'
  | 'errors-delete'
  | 'kds-read'
  | 'kds-write'
  | 'maintenance'
  | 'aps-load'
  | 'customer-actions';

export const ACTION_TEXT: Record<Action, string> = {
  'user-admin': 'user administration',
  'log-read': 'protocol log read',
  'log-archive': 'protocol log archiving',
  'errors-read': 'error memory read',
  'errors-delete': 'error memory delete',
  'kds-read': 'KDS read',
  'kds-write': 'KDS write',
  maintenance: 'maintenance actions',
  'aps-load': 'APS load',
  'customer-actions': 'customer actions',
};

export interface Rights {
  readonly circle: Circle | undefined;
  /** True while System maintenance holds every right (no other circle has users). */
  readonly serviceHasAll: boolean;
  canRead(cls: DataClass, confidential: boolean): boolean;
  canWrite(cls: DataClass, confidential: boolean): boolean;
  may(action: Action): boolean;
  /** The circle that should be named when a right is missing. */
  ownerOf(cls: DataClass, confidential: boolean): string;
}

type WriteSet = Set<string>; // `${cls}` or `${cls}!` for confidential items

/**
 * The rights already worked out, by circle and occupied circles. `rightsOf`
 * is a pure function of the two and a Rights never changes, so every PBX and
 * every actor shares one per combination (at most 7 × 2^6): the firmware
 * asks for the rights of each log entry's actor, and building them anew each
 * time (two Sets and five closures) was a tenth of what a fleet PBX allocates
 * at its start.
 */
const KNOWN = new Map<number, Rights>();

export function rightsOf(circle: Circle | undefined, occupied: ReadonlySet<Circle>): Rights {
  let key = circle ?? 0;
  for (const c of occupied) key |= 1 << (c + 3);
  let rights = KNOWN.get(key);
  if (rights === undefined) {
    rights = Object.freeze(workOutRights(circle, occupied));
    KNOWN.set(key, rights);
  }
  return rights;
}

function workOutRights(circle: Circle | undefined, occupied: ReadonlySet<Circle>): Rights {
  const serviceHasAll = [...occupied].every((c) => c === Circle.SystemMaintenance);
  const chargeOwner = occupied.has(Circle.ChargeAccounting)
    ? Circle.ChargeAccounting
    : occupied.has(Circle.Administration)
      ? Circle.Administration
      : Circle.SystemMaintenance;

  const writes: WriteSet = new Set();
  const actions = new Set<Action>();
  const grantService = (): void => {
    for (const w of ['system', 'system!', 'charge-interface', 'customer']) writes.add(w);
    for (const a of ['errors-read', 'errors-delete', 'kds-read', 'kds-write', 'maintenance', 'aps-load'] as const) actions.add(a);
    if (serviceHasAll) {
      for (const w of ['customer!', 'charge', 'charge!']) writes.add(w);
      for (const a of ['user-admin', 'log-read', 'log-archive', 'customer-actions'] as const) actions.add(a);
    }
  };
  const grantCharge = (): void => {
    writes.add('charge');
    writes.add('charge!');
  };

  switch (circle) {
    case Circle.UserAdministration:
      actions.add('user-admin');
      break;
    case Circle.Revision:
      for (const a of ['log-read', 'log-archive', 'errors-read', 'kds-read'] as const) actions.add(a);
      break;
    case Circle.SystemMaintenance:
      grantService();
      break;
    case Circle.Development:
      grantService();
      writes.add('development');
      writes.add('development!');
      break;
    case Circle.Administration:
      for (const w of ['customer', 'customer!']) writes.add(w);
      actions.add('customer-actions');
      actions.add('kds-read');
      break;
    case Circle.ChargeAccounting:
      grantCharge();
      actions.add('kds-read');
      break;
    case undefined:
      break;
  }
  if (circle !== undefined && chargeOwner === circle) grantCharge();
  if (circle === Circle.Development && chargeOwner === Circle.SystemMaintenance) grantCharge();

  const key = (cls: DataClass, confidential: boolean): string => (confidential ? `${cls}!` : cls);
  const canWrite = (cls: DataClass, confidential: boolean): boolean => writes.has(key(cls, confidential));
  return {
    circle,
    serviceHasAll,
    canWrite,
    canRead(cls, confidential) {
      if (canWrite(cls, confidential)) return true;
      if (circle === Circle.UserAdministration) return false;
      // Everybody else with a login (Revision, AMHOST included) reads the
      // non-confidential, non-reserved data.
      return !confidential && cls !== 'development';
    },
    may(action) {
      return actions.has(action);
    },
    ownerOf(cls, confidential) {
      if (cls === 'development') return CIRCLE_NAME[Circle.Development];
      if (cls === 'charge') return CIRCLE_NAME[chargeOwner];
      if (cls === 'customer') return confidential ? CIRCLE_NAME[Circle.Administration] : `${CIRCLE_NAME[Circle.Administration]} or ${CIRCLE_NAME[Circle.SystemMaintenance]}`;
      return CIRCLE_NAME[Circle.SystemMaintenance];
    },
  };
}

/**
 * Does somebody in `users` hold the user-administration right, given the
 * circles they occupy? (The delivered SERVICE placeholder does not count.)
 * Without one nobody could create or delete users any more (seed: the
 * system "muss neu generiert werden").
 */
export function hasUserAdmin(users: ReadonlyArray<{ circle?: Circle; firstLogin?: boolean }>): boolean {
  const real = users.filter((u) => !u.firstLogin);
  const occupied = new Set(real.filter((u) => u.circle !== undefined).map((u) => u.circle as Circle));
  return real.some((u) => u.circle !== undefined && rightsOf(u.circle, occupied).may('user-admin'));
}

/** Which circles may run an action given the occupancy — for error texts. */
export function circlesAllowed(action: Action, occupied: ReadonlySet<Circle>): string {
  const names: string[] = [];
  for (const c of [1, 2, 3, 4, 5, 6] as Circle[]) if (rightsOf(c, occupied).may(action)) names.push(CIRCLE_NAME[c]);
  return names.join(', ') || 'nobody';
}
