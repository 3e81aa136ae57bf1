import type { CentreDbOptions } from './centre-options.js';

/** The password of `person add` comes from here when set (scripts), else from the first line of stdin. */
export const PASSWORD_ENV = 'HICOM_PORTAL_PASSWORD';
/** Each role a person can be given on the command line, as the portal stores it: role and partner kind. */
export const ROLES = { manager: ['manager', ''], operator: ['operator', ''], installer: ['partner', 'installer'], billing: ['partner', 'billing'], customer: ['partner', 'customer'] } as const;

export interface PersonAddOptions extends CentreDbOptions {
  role: keyof typeof ROLES;
  displayName?: string;
  networks?: string;
}

export interface PersonUpdateOptions extends CentreDbOptions {
  networks?: string;
  disable?: boolean;
  enable?: boolean;
}
