import { Circle, CIRCLE_NAME } from '../../firmware-sim/circles.js';
import type { Pbx } from '../../firmware-sim/pbx.js';
import { firstLogin, AdminTerminal } from './pbx-harness.js';

/** Every circle with one user in it (password `pw-<circle>`), plus the first System maintenance user "serv". */
export const ALL_CIRCLES: readonly Circle[] = [1, 2, 3, 4, 5, 6] as Circle[];

/**
 * Fill a fresh PBX with one user per circle: serv (System maintenance, first
 * login) creates the user administrator, who creates the other four.
 * Returns a function that opens a logged-in terminal for a circle.
 */
export function usersInEveryCircle(pbx: Pbx): (circle: Circle) => AdminTerminal {
  const serv = new AdminTerminal(pbx);
  firstLogin(serv);
  const add = (term: AdminTerminal, name: string, circle: Circle): void => {
    const pw = `pw-${circle}`;
    term.take();
    term.send(`user add ${name} ${CIRCLE_NAME[circle]}\r${pw}\r${pw}\r`);
    const out = term.take();
    if (!/\r\nOK\r\n/.test(out)) throw new Error(`user add ${name} failed: ${out}`);
  };
  add(serv, 'c1', Circle.UserAdministration);
  const ua = new AdminTerminal(pbx);
  ua.login('c1', `pw-${Circle.UserAdministration}`);
  for (const c of ALL_CIRCLES) if (c !== Circle.UserAdministration && c !== Circle.SystemMaintenance) add(ua, `c${c}`, c);
  return (circle) => {
    const term = new AdminTerminal(pbx);
    const name = circle === Circle.SystemMaintenance ? 'serv' : `c${circle}`;
    const out = term.login(name, circle === Circle.SystemMaintenance ? 'servpw' : `pw-${circle}`);
    if (!/Welcome/.test(out)) throw new Error(`login of ${name} failed: ${out}`);
    return term;
  };
}
