/**
 * A pattern that finds any of `secrets` standing as a value of its own, so
 * that a test can say "this PIN never comes back". A plain `/4711/` also
 * finds the PIN inside an unrelated run of digits or letters: a timestamp
 * such as 1796189471176, a scrypt hash, a CSRF token. That made a secrecy
 * test fail by chance about once in a thousand runs. A leak still shows:
 * the secret echoed as a JSON string, an attribute, a page's text or a log
 * field is bounded by something that is neither a letter nor a digit.
 */
export function secretPattern(...secrets: readonly string[]): RegExp {
  const escaped = secrets.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`(?<![0-9A-Za-z])(?:${escaped.join('|')})(?![0-9A-Za-z])`);
}
