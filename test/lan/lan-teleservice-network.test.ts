import { randomBytes } from 'node:crypto';
import t from 'tap';
import type { LineEndpoint } from '../../core/line-endpoint.js';
import { listNamespaces } from '../../src/adapters/ip-command.js';
import { connectLan, LanConnectError, pingFrom } from '../../src/adapters/lan-connect.js';
import { RealClock } from '../../src/adapters/real-clock.js';
import { validateConfig } from '../../src/lab/config.js';
import { Lab } from '../../src/lab/lab.js';
import { tempDir } from '../support/lab-child.js';

/** Everything a connection brings until it closes or `until` matches (at most `ms`). */
function read(line: LineEndpoint, until: RegExp | undefined, ms = 5000): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    let text = '';
    let closed = false;
    const done = () => {
      clearTimeout(timer);
      resolve({ text, closed });
    };
    const timer = setTimeout(done, ms);
    line.onData((d) => {
      text += Buffer.from(d).toString('utf8');
      if (until?.test(text)) done();
    });
    line.onClose(() => {
      closed = true;
      done();
    });
  });
}

for (const lanMode of ['auto', 'loopback'] as const) t.test(`LAN teleservice over the lab's provider network (${lanMode}): reachable, refusing, disconnectable`, async (t) => {
  const dir = tempDir(t);
  const config = validateConfig({
    stateDir: dir,
    pacing: false,
    pbxs: [{ id: 'HSIM-LAN1', trunks: ['0301234'], lan: { centre: '127.0.0.1:9', key: randomBytes(32).toString('base64'), teleservice: { port: 0 } } }],
  }, dir);
  const lab = await Lab.start(config, { clock: new RealClock(), hashCost: 1024, lanMode });
  let closed = false;
  t.teardown(async () => {
    if (!closed) await lab.close();
  });
  const events: Array<{ event: string; data: unknown }> = [];
  lab.events.on((e) => events.push({ event: e.event, data: e.data }));
  const net = lab.lanNetwork;
  t.ok(net, 'the lab made a provider network');
  if (!net) return;
  if (lanMode === 'loopback') t.equal(net.mode, 'loopback', 'loopback when asked for');
  t.comment(net.describe());
  const lan = net.customer('HSIM-LAN1');
  t.ok(lan, 'and a customer LAN for the PBX');
  if (!lan) return;
  const pbx = lab.pbxs.get('HSIM-LAN1');
  t.ok(pbx?.setKds('test', 'pin', '24680').ok, 'the customer sets a PIN');
  t.equal(pbx?.pbx.kds.get('lan.service-network'), net.serviceNetwork, 'installed for the lab\'s provider network');

  const open = await connectLan(lan.address, lan.port, lan.route);
  const banner = await read(open, /PIN: $/);
  t.match(banner.text, /HICOM-SIM OfficePro HSIM-LAN1[\s\S]*PIN: $/, `the provider reaches the PBX over ${lan.route.kind}: banner and PIN prompt`);
  open.write('24680\r');
  t.match((await read(open, /User: $/)).text, /PIN accepted/, 'the PIN opens it');
  open.close();

  if (net.mode === 'netns') {
    const ping = await pingFrom(lan.route, lan.address);
    t.equal(ping?.ok, true, `the PBX answers a ping from the provider network: ${ping?.output}`);
  }

  // A service network that no longer holds the provider's address: refused before any prompt, and logged.
  pbx?.setKds('test', 'lan.service-network', net.mode === 'netns' ? '172.30.0.99/32' : '127.0.0.99/32');
  const refused = await read(await connectLan(lan.address, lan.port, lan.route), undefined);
  t.equal(refused.text, '', 'not a single byte for a source outside the service network');
  t.ok(refused.closed, 'the connection is closed');
  const source = net.providerAddress;
  t.ok(pbx?.pbx.log.read().some((e) => e.command === `A0-3 LAN ${source} refused: not in the service network`), 'the refusal is in the protocol log with the source');
  t.same(events.filter((e) => e.event === 'lan.connection').map((e) => e.data), [{ pbx: 'HSIM-LAN1', source, admitted: true }, { pbx: 'HSIM-LAN1', source, admitted: false }], 'lan.connection events: the admitted one, then the refused one');
  pbx?.setKds('test', 'lan.service-network', net.serviceNetwork);

  await lab.setProviderLink('HSIM-LAN1', false);
  t.equal(lan.linkUp, false, 'the provider link is down');
  t.equal(pbx?.pbx.kds.get('lan.service-network'), '', 'and the PBX\'s service-network entry is revoked');
  t.ok(pbx?.pbx.log.read().some((e) => e.user === 'provider' && e.command === 'LAN-SVCNET ""'), 'the revocation is in the PBX\'s protocol log, by the provider');
  await t.rejects(connectLan(lan.address, lan.port, lan.route, 2000), LanConnectError, 'a disconnected customer LAN cannot be reached');
  if (net.mode === 'netns') t.equal((await pingFrom(lan.route, lan.address, 1000))?.ok, false, 'and does not answer a ping');
  await lab.setProviderLink('HSIM-LAN1', true);
  t.same(events.filter((e) => e.event === 'lan.link').map((e) => e.data), [{ pbx: 'HSIM-LAN1', up: false }, { pbx: 'HSIM-LAN1', up: true }], 'lan.link events: down, then up');
  t.equal(pbx?.pbx.kds.get('lan.service-network'), net.serviceNetwork, 'joined again, the entry is given back');
  const again = await connectLan(lan.address, lan.port, lan.route);
  t.match((await read(again, /PIN: $/)).text, /PIN: $/, 'joined again, it is reachable again');
  again.close();

  const prefix = `hcs${process.pid}-`;
  await lab.close();
  closed = true;
  t.same(listNamespaces().filter((n) => n.startsWith(prefix)), [], 'no namespace of this lab is left after close');
});
