import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { SessionClient } from '../../src/clients/session-client.js';
import { firstLoginOverTcp, freePort, LAB_PBX_ID, type LabFiles } from './lab-child.js';

/** The PBX's numbers in a modem lab (trunk 0301234; KDS defaults IMOD 791, X.75 792). */
export const IMOD_NUMBER = '0301234791';
export const X75_NUMBER = '0301234792';
export const TECH = { name: 'tech', password: 'techpw1' };
export const PIN = '24680';

export interface ModemSpec {
  name: string;
  number: string;
  /** 'tcp' (a free loopback port is chosen), or 'pty' (a socat virtual serial port in the lab's dir). */
  bind: 'tcp' | 'pty';
  profile?: 'analog' | 'isdn-ta';
  /** Give the modem a TCP listener where callers ring it (bridge mode); its port is in `modems[name].listen`. */
  listen?: boolean;
}

export interface ModemLabFiles extends LabFiles {
  /** Per modem name: the TCP port or pty path its DTE side is bound to. */
  modems: Record<string, { port?: number; pty?: string; listen?: number }>;
}

/**
 * A one-PBX lab with external modems on TCP listeners or ptys, for
 * dial-in end-to-end tests: TCP admin port, pacing as asked, optional
 * `faults:` from the configuration.
 */
export async function writeModemLabConfig(dir: string, modems: ModemSpec[], options: { pacing?: boolean; faults?: Record<string, string>; bridge?: { rate?: number; phoneBook?: Record<string, string> } } = {}): Promise<ModemLabFiles> {
  const port = await freePort();
  const stateDir = join(dir, 'state');
  const bound: ModemLabFiles['modems'] = {};
  const entries = [];
  for (const m of modems) {
    const listen = m.listen ? await freePort() : undefined;
    const extra = listen === undefined ? {} : { listen: `tcp:127.0.0.1:${listen}` };
    if (m.bind === 'tcp') {
      const p = await freePort();
      bound[m.name] = { port: p, listen };
      entries.push({ name: m.name, number: m.number, bind: `tcp:127.0.0.1:${p}`, profile: m.profile ?? 'analog', ...extra });
    } else {
      const pty = join(dir, `${m.name}-pty`);
      bound[m.name] = { pty, listen };
      entries.push({ name: m.name, number: m.number, bind: `pty:${pty}`, profile: m.profile ?? 'analog', ...extra });
    }
  }
  const config = {
    stateDir,
    pacing: options.pacing ?? false,
    pbxs: [{ id: LAB_PBX_ID, type: 'OfficePro', trunks: ['0301234'], adminPorts: [{ bind: `tcp:127.0.0.1:${port}` }] }],
    modems: entries,
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.bridge ? { bridge: options.bridge } : {}),
  };
  const configPath = join(dir, 'lab.yaml');
  writeFileSync(configPath, stringify(config));
  return { dir, configPath, stateDir, statePath: join(stateDir, LAB_PBX_ID, 'pbx.json'), port, modems: bound };
}

/**
 * Make the delivered PBX dial-in ready over its admin port: first login
 * (TECH, System maintenance, which holds every right while it is alone)
 * and the customer PIN. Returns the logged-in admin session.
 */
export async function openModemAccess(connect: () => Promise<SessionClient>): Promise<SessionClient> {
  const admin = await connect();
  await firstLoginOverTcp(admin, TECH.name, TECH.password);
  const r = await admin.dialogue('pin set', [{ prompt: 'PIN: ', answer: PIN }, { prompt: 'Repeat pin: ', answer: PIN }]);
  if (!r.ok) throw new Error(`pin set failed: ${r.message}`);
  return admin;
}

/** A raw TCP terminal on a modem's DTE port: the same expect/write as a session. */
export function modemTerminal(port: number, timeoutMs = 20_000): Promise<SessionClient> {
  return SessionClient.connectTcp('127.0.0.1', port, { timeoutMs });
}
