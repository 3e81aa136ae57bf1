import { Option, type Command } from 'commander';
import { TRACE_FORMATS } from '../lab/trace-format.js';

/** `--trace FILE` and `--trace-format`, as `lab` and `scenario run` offer them (docs/traces.md). */
export function addTraceOptions(command: Command, what: string): Command {
  return command
    .option('--trace <file.pcapng>', `write ${what} into a capture Wireshark and tshark read: X.75 as LAPB frames with direction, analog calls as their bytes (docs/traces.md)`)
    .addOption(new Option('--trace-format <format>', 'X.75 frames as "wireshark" (upper-PDU link type 252, opens in any Wireshark; default) or "lapb-with-dir" (link type 207)').choices(TRACE_FORMATS));
}
