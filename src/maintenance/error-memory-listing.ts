import type { ErrorMemoryEntry } from '../database/maintenance-reports.js';

/** One line of `errors show` (firmware-sim/commands/error-commands.ts): id, time, class, code, then the location padded to 10, a blank, the text. */
const LINE = /^ *(\d+) (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) ([ABC]) ([0-9a-f]{4}) (.*)$/;
const LOCATION_WIDTH = 10;
const FUNCTION_TEST_MARK = ' [function test]';

/** The entries of an `errors show` reply; a line it cannot read is kept whole as the text of an entry with id 0, so nothing read is lost. */
export function parseErrorMemory(lines: readonly string[]): ErrorMemoryEntry[] {
  return lines.map((line) => {
    const m = LINE.exec(line);
    if (!m) return { id: 0, time: '', cls: '', code: '', location: '', text: line, functionTest: false };
    const functionTest = m[5].endsWith(FUNCTION_TEST_MARK);
    const body = functionTest ? m[5].slice(0, -FUNCTION_TEST_MARK.length) : m[5];
    // A location longer than its column pushes the text along: it ends at its first blank then.
    const cut = body.length > LOCATION_WIDTH && body[LOCATION_WIDTH] === ' ' ? LOCATION_WIDTH : Math.max(body.indexOf(' '), 0);
    return { id: Number(m[1]), time: m[2], cls: m[3], code: m[4], location: body.slice(0, cut).trimEnd(), text: body.slice(cut + 1), functionTest };
  });
}
