/**
 * How a session reached the PBX. `local` is an admin port (V.24 service
 * interface or a station terminal); `imod` and `x75` are remote calls
 * through the built-in modems and start with the customer PIN.
 */
export type SessionChannel = 'local' | 'imod' | 'x75';
