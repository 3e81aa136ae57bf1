import type { LineEndpoint } from '../../core/line-endpoint.js';
import { LineDiscipline } from '../../firmware-sim/line-discipline.js';

/**
 * A device's front panel as a text line in the lab, where a person or a
 * script stands at it (a key depot's keypad, docs/key-depot.md §6; a
 * station's keypad and display, docs/dtmf-admin.md): one command a line,
 * echoed by default; every reply ends with a status line, `OK` or
 * `ERROR <code> <text>`, as on the PBX's admin ports.
 */
export class DeviceTextLine {
  readonly #line: LineEndpoint;

  constructor(line: LineEndpoint, onLine: (text: string) => void, options: { echo?: boolean } = {}) {
    this.#line = line;
    const discipline = new LineDiscipline({
      echo: (text) => line.write(text),
      onLine,
      onOverflow: () => this.reply([], 'ERROR 400 line too long'),
      onInterrupt: () => line.write('\r\n'),
    });
    discipline.echo = options.echo ?? true;
    line.onData((data) => discipline.feed(data));
  }

  /** Lines, then the status line that ends every reply. */
  reply(lines: readonly string[], status: string): void {
    this.show([...lines, status]);
  }

  /** Lines without a status line: what the device shows on its own, between replies. */
  show(lines: readonly string[]): void {
    this.#line.write(lines.map((l) => `${l}\r\n`).join(''));
  }

  onClose(listener: () => void): void {
    this.#line.onClose(listener);
  }
}

/** A display as the device lines draw it: in a box, so its blanks show. */
export function displayBox(lines: readonly string[]): string[] {
  const width = Math.max(0, ...lines.map((l) => l.length));
  const rule = `+${'-'.repeat(width)}+`;
  return [rule, ...lines.map((l) => `|${l.padEnd(width)}|`), rule];
}
