/**
 * The optiset E display character set, as far as names and passwords may use
 * it (seed manual: "Der Wertebereich der Zeichen entspricht dem optiset E
 * Zeichensatz", at most 16 characters). The display shows printable ASCII
 * and the German letters; control characters and anything else are refused.
 */
export const OPTISET_E_CHARSET =
  ' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_abcdefghijklmnopqrstuvwxyz{|}~ÄÖÜäöüß';

const ALLOWED = new Set(OPTISET_E_CHARSET);

/** Max length of user names and passwords (seed: "nicht länger als 16 Zeichen"). */
export const NAME_MAX = 16;

/** Returns an error text, or undefined when `text` is a valid name/password. */
export function checkOptisetText(text: string, what: string, max = NAME_MAX): string | undefined {
  if (text.length === 0) return `${what} must not be empty`;
  const chars = [...text];
  if (chars.length > max) return `${what} is ${chars.length} characters long; at most ${max} are allowed`;
  const bad = chars.find((c) => !ALLOWED.has(c));
  if (bad !== undefined) return `${what} contains ${JSON.stringify(bad)}, which is not in the optiset E character set`;
  return undefined;
}
