/**
 * How a session reached the PBX. `local` is an admin port (V.24 service
 * interface or a station terminal); `imod` and `x75` are remote calls
 * through the built-in modems, `lan` a teleservice connection over the LAN
 * option from the provider's service network (lan-teleservice.ts); the
 * remote ones start with the customer PIN.
 */
export type SessionChannel = 'local' | 'imod' | 'x75' | 'lan';
