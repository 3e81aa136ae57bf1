/**
 * What the special functions "Rücksetzen angeschlossener Optionen" (reset
 * connected options) and "Rücksetzen Baugruppen" (reset modules) restart:
 * options are what is plugged onto the PBX (the IMOD card, the X.75 modem,
 * the DECT base stations, the LAN option), modules its boards (trunk and
 * subscriber modules). The firmware registers its own; the lab adds the
 * modems and whatever runs through a board.
 */
export type UnitKind = 'option' | 'module';

export interface RestartableUnit {
  readonly name: string;
  readonly kind: UnitKind;
  /** Restart it: what runs through it drops, its run-time state is cleared. Returns what it did, in a few words. */
  restart(): string;
}

export class RestartableUnits {
  readonly #units: RestartableUnit[] = [];

  /** Register `unit`; one registered under the same kind and name before is replaced (the option was swapped). */
  add(unit: RestartableUnit): void {
    const i = this.#units.findIndex((u) => u.kind === unit.kind && u.name === unit.name);
    if (i >= 0) this.#units[i] = unit;
    else this.#units.push(unit);
  }

  names(kind: UnitKind): string[] {
    return this.#units.filter((u) => u.kind === kind).map((u) => u.name);
  }

  has(kind: UnitKind, name: string): boolean {
    return this.#units.some((u) => u.kind === kind && u.name === name);
  }

  /** Restart every unit of `kind`, or the one named; one `name: what it did` line each. */
  restart(kind: UnitKind, name?: string): string[] {
    return this.#units.filter((u) => u.kind === kind && (name === undefined || u.name === name)).map((u) => `${u.name}: ${u.restart()}`);
  }
}
