/**
 * The portal's browser walks against running programs, as a centre runs
 * them: `hicom-sim centre serve` (portal and API on one loopback address,
 * the UDP intake on another port), devices registered with `centre device
 * add`, the first manager made with `centre person add`, and `hicom-sim lab`
 * in real time with a LAN PBX and two key depots checking in over real UDP
 * (depots every 10 s). The lab's control port raises errors; the depot's
 * keypad line is a TCP socket a person types on.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Test } from 'tap';
import { stringify } from 'yaml';
import { cliDevice, startCentre, type CentreChild } from './centre-child.js';
import { ControlTestClient } from './control-client.js';
import { startControlLab, type ControlLab } from './control-lab.js';
import { runCliAsync, tempDir } from './lab-child.js';
export { KeypadLine } from './keypad-line.js';

export const WALK_PBX = 'HSIM-W1';
export const WALK_DEPOT = 'SD-W1';
export const WALK_OTHER_DEPOT = 'SD-W2';
export const MANAGER = { name: 'chef', password: 'Leitstelle 2026!' };

export interface PortalWalk {
  centre: CentreChild;
  lab: ControlLab;
  control: ControlTestClient;
  /** http://127.0.0.1:PORT */
  origin: string;
  keypadPort: number;
  dir: string;
  /** The centre's --db and -s, for more CLI calls. */
  db: string;
  state: string;
}

export async function startPortalWalk(t: Test): Promise<PortalWalk> {
  const dir = tempDir(t, 'hicom-portal-walk-');
  const state = join(dir, 'state');
  const db = `sqlite:${join(dir, 'centre.db')}`;
  const lines: string[] = [];
  for (const [id, kind] of [[WALK_PBX, 'pbx'], [WALK_DEPOT, 'key-depot'], [WALK_OTHER_DEPOT, 'key-depot']] as const) {
    const key = await cliDevice(db, state, id, kind, ['--customer', `Kunde ${id}`]);
    lines.push(`${id} ${kind} ${key.toString('base64')}`);
  }
  const person = await runCliAsync(['centre', 'person', 'add', MANAGER.name, '--role', 'manager', '--display-name', 'Leitstelle', '--db', db, '-s', state, '--log-level', 'warn'], { env: { HICOM_PORTAL_PASSWORD: MANAGER.password } });
  if (person.status !== 0) throw new Error(`person add failed: ${person.stderr}`);
  const keys = join(dir, 'keys.txt');
  writeFileSync(keys, `${lines.join('\n')}\n`);
  const centre = await startCentre(t, { db, state });
  const origin = centre.http.replace(/\/api\/v1$/, '');
  const at = `${centre.udp.host}:${centre.udp.port}`;
  const config = join(dir, 'lab.yaml');
  writeFileSync(
    config,
    stringify({
      stateDir: join(dir, 'lab-state'),
      pbxs: [{ id: WALK_PBX, trunks: ['0301234'], lan: { centre: at, keyFile: keys } }],
      depots: [
        { id: WALK_DEPOT, compartments: 3, keypad: 'tcp:127.0.0.1:0', centre: at, keyFile: keys, interval: 10 },
        { id: WALK_OTHER_DEPOT, compartments: 2, centre: at, keyFile: keys, interval: 10 },
      ],
      modems: [],
    }),
  );
  const lab = await startControlLab(t, { config });
  const keypadPort = Number(/keypad line: tcp 127\.0\.0\.1:(\d+)/.exec(lab.banner)?.[1]);
  if (!(keypadPort > 0)) throw new Error(`no keypad line in the banner:\n${lab.banner}`);
  const control = await ControlTestClient.connect(lab.address);
  t.teardown(() => control.close());
  await control.next();
  return { centre, lab, control, origin, keypadPort, dir, db, state };
}

/** Log in on the portal's login page as a person does: name, password, the button. */
export async function portalLogin(page: Page, origin: string, who: { name: string; password: string }): Promise<void> {
  await page.goto(`${origin}/login`);
  await page.getByLabel('Login name').fill(who.name);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Log in' }).click();
}
