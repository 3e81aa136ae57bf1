/**
 * The three models of the product line, smallest first. The seed manual's
 * DTMF remote administration works only from a PBX of the same or a bigger
 * type, so the order matters.
 */
export enum PbxType {
  OfficePoint = 'OfficePoint',
  OfficeCom = 'OfficeCom',
  OfficePro = 'OfficePro',
}

const RANK: Record<PbxType, number> = { OfficePoint: 1, OfficeCom: 2, OfficePro: 3 };

export function pbxTypeRank(type: PbxType): number {
  return RANK[type];
}

export function parsePbxType(text: string): PbxType | undefined {
  return Object.values(PbxType).find((t) => t.toLowerCase() === text.trim().toLowerCase());
}

/** Board that carries the IMOD card (seed: CBMOD on OfficePro, CBPC otherwise). */
export function imodCarrierBoard(type: PbxType): string {
  return type === PbxType.OfficePro ? 'CBMOD' : 'CBPC';
}

/** Station count of the default KDS per type (enough to exercise lists). */
export function defaultStationCount(type: PbxType): number {
  return { OfficePoint: 8, OfficeCom: 20, OfficePro: 48 }[type];
}
