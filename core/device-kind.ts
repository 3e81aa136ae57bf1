/** The two device families of the fleet the centre supervises (spec §5.1). */
export type DeviceKind = 'pbx' | 'key-depot';
export const DEVICE_KINDS: readonly DeviceKind[] = ['pbx', 'key-depot'];
