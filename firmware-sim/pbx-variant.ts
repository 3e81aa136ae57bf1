/**
 * Which family the firmware serves: the Hicom 150 E Office, or the Octopus E
 * that Deutsche Telekom sells (seed: "ordnungsgemäßer Zugriff auf die
 * Kommunikationssysteme der Deutschen Telekom AG … durch Einsatz einer
 * Chipkarte"). Only the Octopus E reads chip cards; docs/octopus-e.md.
 */
export type PbxVariant = 'hicom' | 'octopus-e';

export const PBX_VARIANTS: readonly PbxVariant[] = ['hicom', 'octopus-e'];

export const VARIANT_NAME: Record<PbxVariant, string> = { hicom: 'Hicom 150 E Office', 'octopus-e': 'Octopus E' };

export function parsePbxVariant(text: string): PbxVariant | undefined {
  return PBX_VARIANTS.find((v) => v === text.trim().toLowerCase());
}
