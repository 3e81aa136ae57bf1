import type { AddressRules } from '../../firmware-sim/address-rules.js';
import { AllowlistError, IpAllowlist } from '../portal/ip-allowlist.js';

/**
 * The AddressRules a lab PBX is given (firmware-sim/address-rules.ts): its
 * `lan.service-network` read with the centre's own IP allowlist (ipaddr.js
 * under it), so a network the portal and the PBX both take reads the same
 * in both. Unlike a person's allowlist, an empty service network admits
 * nobody: LAN teleservice is for the provider's network only.
 */
export const serviceNetworkRules: AddressRules = {
  canonicalList(text) {
    try {
      return { ok: true, value: IpAllowlist.parse(text).toString() };
    } catch (err) {
      if (err instanceof AllowlistError) return { ok: false, error: err.message };
      throw err;
    }
  },
  admits(source, list) {
    if (list.trim() === '') return false;
    try {
      return IpAllowlist.parse(list).allows(source);
    } catch (err) {
      if (err instanceof AllowlistError) return false;
      throw err;
    }
  },
};
