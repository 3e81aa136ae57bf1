import type { LineEndpoint } from '../../core/line-endpoint.js';
import type { DeviceAccess } from '../database/maintenance-access.js';
import { MaintenanceReports } from '../database/maintenance-reports.js';
import type { WindowSpan } from '../maintenance/maintenance-plan.js';
import { STEP_BUDGET_MS, type DeviceVisitor } from '../maintenance/maintenance-runner.js';
import { SessionVisitor } from '../maintenance/session-visitor.js';
import type { MaintenanceFleet } from './maintenance-fleet.js';

/** How often the function-test step looks for the report at the centre. */
const FUNCTION_TEST_POLL_MS = 30_000;

/**
 * The centre's real maintenance visitor (`SessionVisitor`) on a scenario
 * fleet: a LAN PBX is reached through its customer LAN in the lab, a
 * modem-only PBX (or a LAN PBX whose LAN is down) through a centre modem
 * its receiver lends while idle — the DTE side of a lab modem that then
 * dials the PBX's IMOD over the simulated network, PIN and login as over a
 * real line. The function test's report comes back to the centre's
 * receivers like any PBX's. How each PBX is reached, with
 * its PIN and the service user's password, is its access record, as
 * `maintenance access set` stores it.
 */
export function fleetVisitor(fleet: MaintenanceFleet, window: WindowSpan): DeviceVisitor {
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
      // A visit waits for a modem no longer than it could still connect inside the window.
      modem: (id) => fleet.borrowModem(id, window.end - STEP_BUDGET_MS.connect),
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
