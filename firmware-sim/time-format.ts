const p2 = (n: number): string => String(n).padStart(2, '0');

/** "2026-01-05 08:00:00" in UTC: every time the PBX shows is UTC. */
export function formatDateTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
}
