import type { LineEndpoint } from '../../core/line-endpoint.js';
import type { DtmfStationPort } from '../network/dtmf-station-port.js';
import { DeviceTextLine, displayBox } from './device-text-line.js';

/** What the line stands in front of: a station of a PBX, its keypad made on first use. */
export interface StationLineTarget {
  readonly pbxId: string;
  readonly station: string;
  /** KDS `station.N.device`, for the banner. */
  readonly device: string;
  keypad(): DtmfStationPort;
  /** The display as the station shows it now (idle: what every admin station of the PBX shows). */
  display(): string[];
}

const HELP: ReadonlyArray<[string, string]> = [
  ['help', 'this list'],
  ['display', 'show the 2 x 24 display'],
  ['keys <0-9*#>', 'press keypad keys one by one (e.g. keys *9960301234795#)'],
];
/** Keys of a station's keypad (ITU-T E.161 layout: digits, * and #). */
const STATION_KEYS = /^[0-9*#]{1,64}$/;

/**
 * A station's keypad and display as a text line in a running lab
 * (docs/dtmf-admin.md, "At a station in the lab"), so a person can use
 * active DTMF remote administration: `keys *996…#` dials the target, the
 * keys after it go out as DTMF, and the display mirrors the target's menu.
 * Every reply ends with `OK` or `ERROR <code> <text>`; a display that
 * changes on its own (the target's menu arriving, the call ending) is shown
 * again as it changes, without a status line.
 */
export class StationLine {
  readonly #line: DeviceTextLine;
  readonly #t: StationLineTarget;
  /** Inside a command: its reply shows the display, no separate update. */
  #replying = false;

  constructor(line: LineEndpoint, target: StationLineTarget, options: { echo?: boolean } = {}) {
    this.#t = target;
    this.#line = new DeviceTextLine(line, (text) => this.#onLine(text), options);
    const stop = target.keypad().onDisplay(() => {
      if (!this.#replying) this.#line.show(displayBox(target.display()));
    });
    this.#line.onClose(stop);
    this.#line.show([`hicom-sim station ${target.station} of ${target.pbxId} (${target.device || 'no device'}); type help`]);
    this.#line.reply(displayBox(target.display()), 'OK');
  }

  #onLine(text: string): void {
    const words = text.trim().split(/\s+/).filter((w) => w !== '');
    if (words.length === 0) return;
    const [verb, ...args] = words;
    switch (verb.toLowerCase()) {
      case 'help':
        return this.#line.reply(HELP.map(([c, h]) => `${c.padEnd(16)} ${h}`), 'OK');
      case 'display':
        return this.#line.reply(displayBox(this.#t.display()), 'OK');
      case 'keys': {
        if (args.length !== 1 || !STATION_KEYS.test(args[0])) return this.#line.reply([], 'ERROR 400 usage: keys <0-9*#>');
        this.#replying = true;
        try {
          this.#t.keypad().press(args[0]);
        } finally {
          this.#replying = false;
        }
        return this.#line.reply(displayBox(this.#t.display()), 'OK');
      }
      default:
        return this.#line.reply([], `ERROR 404 unknown command "${verb}"; type help`);
    }
  }
}
