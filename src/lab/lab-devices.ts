import type { HayesModem } from '../../modem/hayes-modem.js';
import type { LineProvider } from '../adapters/bind-line.js';
import type { LineSlot } from '../adapters/line-slot.js';
import type { ModemEntry } from './config.js';
import type { LabDevice, PowerCycleOptions, PowerCycleResult } from './lab-device.js';
import type { PbxAssembly } from './pbx-assembly.js';

/** A PBX as a device: its state at a glance, its display, its power switch. */
export function pbxDevice(assembly: PbxAssembly, powerCycle: (options: PowerCycleOptions) => Promise<PowerCycleResult>): LabDevice {
  const { entry } = assembly;
  return {
    id: entry.id,
    kind: 'pbx',
    summary: () => ({
      type: entry.type,
      aps: assembly.pbx.apsVersion,
      trunks: entry.trunks,
      fmc: assembly.pbx.log.available,
      signaling: assembly.signaling.state,
      errors: assembly.pbx.errors.list().length,
    }),
    display: () => assembly.pbx.display().map((l) => l.trimEnd()),
    powerCycle,
  };
}

/** A station of a PBX: keypad and display (`PbxAssembly.stationDisplay`). */
export function stationDevice(assembly: PbxAssembly, station: string): LabDevice {
  const pbx = assembly.pbx;
  return {
    id: `${assembly.entry.id}:${station}`,
    kind: 'station',
    summary: () => ({ pbx: assembly.entry.id, station, device: pbx.kds.get(`station.${station}.device`) ?? '', port: pbx.kds.get(`station.${station}.port`) ?? '' }),
    press: (keys) => assembly.keypad(station).press(keys),
    display: () => assembly.stationDisplay(station),
  };
}

export interface ModemParts {
  entry: ModemEntry;
  modem: HayesModem;
  slot: LineSlot;
  provider: LineProvider | undefined;
  /** Where TCP callers ring the modem (bridge mode), if it listens. */
  listener?: LineProvider;
}

/** An external modem: where it is bound and whether a terminal holds it. */
export function modemDevice(m: ModemParts): LabDevice {
  return {
    id: m.entry.name,
    kind: 'modem',
    summary: () => ({ number: m.entry.number, profile: m.entry.profile, bind: m.provider?.description ?? 'in-process', terminal: m.slot.plugged, state: m.modem.state }),
  };
}
