import { Circle } from '../../firmware-sim/circles.js';
import { SessionClient } from '../../src/clients/session-client.js';
import { addUser } from './add-user.js';
import { firstLoginOverTcp } from './lab-child.js';

/** The PBX user maintenance visits log in as in the end-to-end runs. */
export const VISIT_SERVICE = { name: 'service', circle: Circle.SystemMaintenance, password: 'svc-pw-1' };
/** The customer PIN those PBXs are given. */
export const VISIT_PIN = '24680';

/**
 * A delivered lab PBX set up for maintenance visits as an installer would
 * over its admin port: a technician, the service user, the PIN, signaling
 * to the centre's number, one class-B error in its memory.
 */
export async function installForVisits(port: number, centreNumber: string): Promise<void> {
  const c = await SessionClient.connectTcp('127.0.0.1', port);
  try {
    await firstLoginOverTcp(c, 'tech', 'techpw1');
    const added = await addUser(c, VISIT_SERVICE);
    if (!added.ok) throw new Error(`user add service: ${added.message}`);
    const pin = await c.dialogue('pin set', [{ prompt: 'PIN: ', answer: VISIT_PIN }, { prompt: 'Repeat pin: ', answer: VISIT_PIN }]);
    if (!pin.ok) throw new Error(`pin set: ${pin.message}`);
    for (const line of ['signaling set enabled yes', 'signaling set interval 1', `callback number 1 0${centreNumber}`, 'errors raise B 0x0210 Trunk 3 no dial tone']) await c.run(line);
    await c.command('logout');
  } finally {
    c.close();
  }
}
