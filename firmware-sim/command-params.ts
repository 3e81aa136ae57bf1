/** How many arguments a command takes: at least `min`, at most `max` (Infinity: the rest of the line). */
export interface ParamCount {
  min: number;
  max: number;
}

/** A bracketed group `[…]`, or one word. */
const TOKEN = /\[[^\]]*\]|\S+/g;
/** A parameter that takes the rest of the line, e.g. `<text>...`. */
const REST = /\.\.\.$/;

/**
 * The argument count a command's `params` declare. The notation is the one
 * `help` prints: `<name>` (or a choice like `in|out`) is one argument;
 * `[…]` is optional and may hold several words (`[from <seq>]`: none or
 * two); a trailing `...` takes every further word (`<text>...`).
 */
export function paramCount(params: string | undefined): ParamCount {
  let min = 0;
  let max = 0;
  for (const [token] of (params ?? '').matchAll(TOKEN)) {
    if (token.startsWith('[')) {
      const inner = token.slice(1, -1).trim().split(/\s+/).filter((w) => w !== '');
      max += inner.some((w) => REST.test(w)) ? Infinity : inner.length;
    } else {
      min++;
      max += REST.test(token) ? Infinity : 1;
    }
  }
  return { min, max };
}
