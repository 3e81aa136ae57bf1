/**
 * Tab completion for the session language: the command words come from the
 * PBX's own `help` (first column, up to the first <arg>), so the shell
 * completes exactly what this PBX understands, plus the assistant's commands.
 */
export function commandWords(helpLines: string[]): string[][] {
  const out: string[][] = [];
  for (const line of helpLines) {
    const words: string[] = [];
    for (const w of line.trim().split(/\s+/)) {
      if (!/^[a-z][a-z0-9-]*$/.test(w)) break;
      words.push(w);
    }
    if (words.length) out.push(words);
  }
  return out;
}

/** readline completer: candidates for the word under the cursor, given what is typed before it. */
export function complete(commands: string[][], line: string): [string[], string] {
  const parts = line.split(/\s+/);
  const current = parts.pop() ?? '';
  const before = parts.filter((p) => p !== '').map((p) => p.toLowerCase());
  const hits = new Set<string>();
  for (const words of commands) {
    if (words.length <= before.length) continue;
    if (!before.every((w, i) => words[i] === w)) continue;
    if (words[before.length].startsWith(current.toLowerCase())) hits.add(words[before.length]);
  }
  return [[...hits].sort(), current];
}
