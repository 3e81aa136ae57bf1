/**
 * Split a session command line into words. Double quotes group words and
 * keep spaces ("Meier Hans"); a backslash escapes a quote or backslash
 * inside quotes. Returns an error text for an unterminated quote.
 */
export function tokenize(line: string): string[] | string {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i])) i++;
    if (i >= line.length) break;
    if (line[i] === '"') {
      let word = '';
      i++;
      for (;;) {
        if (i >= line.length) return 'unterminated quote';
        const c = line[i++];
        if (c === '"') break;
        if (c === '\\' && i < line.length) word += line[i++];
        else word += c;
      }
      words.push(word);
    } else {
      let word = '';
      while (i < line.length && !/\s/.test(line[i])) word += line[i++];
      words.push(word);
    }
  }
  return words;
}

/** Quote a value for output so that `tokenize` reads it back unchanged. */
export function quote(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}
