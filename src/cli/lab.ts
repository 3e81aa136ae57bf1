import type { Command } from 'commander';
import type { LabCliOptions } from './lab-run.js';
import { collect } from './option-values.js';
import { addTraceOptions } from './trace-options.js';

export function register(program: Command): void {
  addTraceOptions(program
    .command('lab')
    .description('run a lab in real time: PBXs, network, modems and centre (the embedded default unless --config)')
    .option('-c, --config <file>', 'lab configuration (YAML or JSON); see "hicom-sim config example"')
    .option('-s, --state <dir>', 'state directory (overrides stateDir of the configuration)')
    .option('--no-centre', 'do not run the centre in-process: leave its modem to "hicom-sim centre receive" or your own software')
    .option('-f, --fault <line=spec>', 'inject a network fault, e.g. 0800100=corrupt=0.001 or HSIM-0001:791=busy=2 (repeatable; docs/network.md)', collect, [] as string[])
    .option('--control <address>', 'JSON control port for test rigs: tcp:[HOST:]PORT or unix:PATH (docs/control.md)')
    .option('--control-token-file <file>', 'clients of the control port must send this token first (a port off loopback gets a new token printed at start otherwise)')
    .option('--virtual-time', 'run on a virtual clock that only the control port moves (clock.advance, run-until)')
    .option('--report <file.html>', 'when the lab stops, write a timeline report: one self-contained HTML page with a chart of calls, signaling, faults … per device and the verdicts rigs recorded'), 'every data call')
    .action(async (opts: LabCliOptions) => (await import('./lab-run.js')).lab(opts, program.opts<{ logLevel: string }>().logLevel));
}
