/**
 * What a grant allows on its device (spec §5.3, issue 12): each right is
 * one bit of `portal_grants.rights`, so the one access filter
 * (`access-scope.ts`) selects the devices a person may see with one SQL
 * condition on both engines.
 */
export const PORTAL_RIGHTS = ['see-status', 'see-history', 'see-customer', 'live', 'test', 'manage-pins', 'export', 'see-maintenance'] as const;
export type PortalRight = (typeof PORTAL_RIGHTS)[number];

/** The words the portal shows for each right. */
export const RIGHT_LABELS: Readonly<Record<PortalRight, string>> = {
  'see-status': 'see status',
  'see-history': 'see history',
  'see-customer': 'see customer data',
  live: 'live notifications',
  test: 'trigger a test',
  'manage-pins': 'manage PINs (key depots)',
  export: 'export',
  'see-maintenance': 'see maintenance results',
};

export function rightBit(right: PortalRight): number {
  return 1 << PORTAL_RIGHTS.indexOf(right);
}

export function rightsMask(rights: Iterable<PortalRight>): number {
  let mask = 0;
  for (const r of rights) mask |= rightBit(r);
  return mask;
}

export function rightsOf(mask: number): PortalRight[] {
  return PORTAL_RIGHTS.filter((r) => (mask & rightBit(r)) !== 0);
}

export const ALL_RIGHTS_MASK = rightsMask(PORTAL_RIGHTS);

export function isPortalRight(value: string): value is PortalRight {
  return (PORTAL_RIGHTS as readonly string[]).includes(value);
}

/**
 * What a portal route needs, beyond a right on a device: `person` — any
 * logged-in person (their pages filter what they show); `control-room` —
 * the manager and the operators; `manager` — the one who administers
 * people and grants.
 */
export const PORTAL_ROLES_ACCESS = ['person', 'control-room', 'manager'] as const;
export type PortalAccess = PortalRight | (typeof PORTAL_ROLES_ACCESS)[number];
