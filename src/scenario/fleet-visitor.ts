import type { LineEndpoint } from '../../core/line-endpoint.js';
import { createLinePair } from '../adapters/line-pair.js';
import type { DeviceAccess } from '../database/maintenance-access.js';
import { MaintenanceReports } from '../database/maintenance-reports.js';
import type { LabModem } from '../lab/lab.js';
import type { DeviceVisitor } from '../maintenance/maintenance-runner.js';
import { SessionVisitor } from '../maintenance/session-visitor.js';
import type { MaintenanceFleet } from './maintenance-fleet.js';

/** How often the function-test step looks for the report at the centre. */
const FUNCTION_TEST_POLL_MS = 30_000;
/** How long a visit waits for a free centre modem, and how often it looks. */
const MODEM_WAIT_MS = 60 * 60_000;
const MODEM_POLL_MS = 10_000;

/** The DTE side of centre modem `m`, plugged in for the visit of `id` (unplugged when the visit closes its line). */
function plugged(m: LabModem, id: string): LineEndpoint {
  const pair = createLinePair(`centre ${m.entry.name} for ${id}`);
  m.slot.plug(pair.dce);
  return pair.dte;
}

/**
 * The centre's real maintenance visitor (`SessionVisitor`) on a scenario
 * fleet: a LAN PBX is reached through its customer LAN in the lab, a
 * modem-only PBX through one of the centre modems free tonight — the DTE
 * side of a lab modem that then dials the PBX's IMOD over the simulated
 * network, PIN and login as over a real line. How each PBX is reached, with
 * its PIN and the service user's password, is its access record, as
 * `maintenance access set` stores it.
 */
export function fleetVisitor(fleet: MaintenanceFleet, modems: LabModem[]): DeviceVisitor {
  const access = new Map<string, DeviceAccess>();
  const c = fleet.credentials;
  for (const id of fleet.ids) {
    const lan = fleet.lab.lanNetwork?.customer(id);
    access.set(id, {
      deviceId: id,
      ...(fleet.channelOf(id) === 'lan' && lan ? { lan: { host: lan.address, port: lan.port, route: 'direct' } } : {}),
      modem: { number: fleet.dialNumber(id) },
      serviceUser: c.serviceUser,
      pin: c.pin,
      password: c.password,
    });
  }
  const network = fleet.lab.lanNetwork;
  return new SessionVisitor({
    access,
    lines: {
      async lan(_id, to): Promise<LineEndpoint> {
        if (!network) throw new Error('no LAN in this lab');
        return network.connect(to.host, to.port);
      },
      async modem(id): Promise<LineEndpoint> {
        // The runner has no more modem visits than modems, but a LAN visit falling back to the modem takes one beside them: wait for it.
        for (const until = fleet.clock.now() + MODEM_WAIT_MS; ;) {
          const free = modems.find((m) => !m.slot.plugged);
          if (free) return plugged(free, id);
          if (fleet.clock.now() >= until) throw new Error(`no centre modem free for ${id} within ${MODEM_WAIT_MS / 60_000} min`);
          await new Promise<void>((resolve) => fleet.clock.setTimer(MODEM_POLL_MS, resolve));
        }
      },
    },
    clock: fleet.clock,
    now: () => fleet.clock.now(),
    reports: new MaintenanceReports(fleet.db),
    vault: fleet.vault,
    shelf: fleet.shelf,
    apsImage: () => undefined,
    functionTestPollMs: FUNCTION_TEST_POLL_MS,
  });
}
