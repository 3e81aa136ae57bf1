/**
 * The ring of erase blocks both flash logs of the firmware are written in
 * (the PBX's protocol log on the FMC, the key depot's event queue): blocks
 * are started in physical order with a rising 32-bit generation in their
 * header, so after a power-up the newest block and the ring's order follow
 * from the headers alone.
 */

/** RFC 1982 serial-number comparison on 32 bits: is generation `a` newer than `b`? */
export function newerGeneration(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

/**
 * The newest block among `headers` (undefined = erased or unreadable), and
 * the headers with every block dropped whose generation lies more than one
 * ring's worth below the newest — a stale block a cut erase left behind.
 */
export function findRing<H>(headers: ReadonlyArray<H | undefined>, generationOf: (h: H) => number): { newest: number | undefined; headers: Array<H | undefined> } {
  let newest: number | undefined;
  headers.forEach((h, i) => {
    if (h !== undefined && (newest === undefined || newerGeneration(generationOf(h), generationOf(headers[newest]!)))) newest = i;
  });
  if (newest === undefined) return { newest, headers: [...headers] };
  const top = generationOf(headers[newest]!);
  return { newest, headers: headers.map((h) => (h !== undefined && ((top - generationOf(h)) >>> 0) < headers.length ? h : undefined)) };
}

/** Slots holding a header, from the oldest (just after the newest) to the newest. */
export function ringOrder(headers: ReadonlyArray<unknown>, newest: number | undefined): number[] {
  const out: number[] = [];
  if (newest === undefined) return out;
  for (let i = 1; i <= headers.length; i++) {
    const slot = (newest + i) % headers.length;
    if (headers[slot] !== undefined) out.push(slot);
  }
  return out;
}
