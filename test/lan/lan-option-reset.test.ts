import t from 'tap';
import { LanRig } from '../support/lan-rig.js';

t.test('resetting connected options restarts the LAN option: it checks in again at once', async (t) => {
  const rig = new LanRig();
  rig.configure();
  rig.startLan();
  rig.run(10);
  const dev = rig.centre.device('HSIM-0001');
  t.equal(dev.checkIns, 1, 'checked in once since it came on');
  rig.run(20_000);
  t.equal(dev.checkIns, 1, 'the next check-in is a minute away');
  const r = rig.serv.cmd('special reset-options lan');
  t.equal(r.status, 'OK', 'the LAN option is reset');
  t.equal(r.lines[0], 'lan: check-in restarted', 'and says so');
  rig.run(10);
  t.equal(dev.checkIns, 2, 'a new check-in goes out right after the restart');
  t.ok(rig.lan.online, 'online again');
  rig.lan.stop();
  t.equal(rig.serv.cmd('special reset-options lan').lines[0], 'lan: not running', 'a stopped option just says it does not run');
});
