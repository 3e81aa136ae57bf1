import t from 'tap';
import { DtmfAdminConnection, DtmfAdminState, ENABLE_CODE, type DtmfAdminSource } from '../../firmware-sim/dtmf-admin/dtmf-admin.js';
import { MenuState } from '../../firmware-sim/dtmf-admin/dtmf-menu.js';
import { multiTapKeys } from '../../firmware-sim/dtmf-admin/multi-tap.js';
import { ACTIVE_CODE, DtmfSourceStation, SourceStationState } from '../../firmware-sim/dtmf-admin/source-station.js';
import { PbxType } from '../../firmware-sim/pbx-type.js';
import { ADMIN, dtmfPbx, ENABLE_PASSWORD } from '../support/dtmf-admin-rig.js';

/** A source station wired straight to a target connection: its audio is the target's input. */
function wire(options: { active: boolean; sourceType?: PbxType; targetType?: PbxType; station?: string }) {
  const source = dtmfPbx({ type: options.sourceType ?? PbxType.OfficePro, active: options.active });
  const target = dtmfPbx({ type: options.targetType ?? PbxType.OfficeCom });
  const dialled: Array<{ number: string; source: DtmfAdminSource }> = [];
  let conn: DtmfAdminConnection | undefined;
  const station: DtmfSourceStation = new DtmfSourceStation(source.pbx, options.station ?? '100', {
    display: () => undefined,
    dial: (number, from) => {
      dialled.push({ number, source: from });
      conn = new DtmfAdminConnection(target.pbx, `trunk from ${from.systemId}`, {
        audio: () => undefined,
        display: (lines) => station.mirror(lines),
        end: (reason) => station.ended(reason),
      }, from);
      station.connected();
    },
    audio: (samples) => conn?.receive(samples),
  });
  const press = (keys: string): void => { for (const k of keys) station.press(k); };
  const shown = (): string => station.display.map((l) => l.trimEnd()).join(' | ');
  return { source, target, station, press, shown, dialled, conn: () => conn };
}

t.test('active mode needs dtmf.active in the source KDS', async (t) => {
  const w = wire({ active: false });
  w.press(`${ACTIVE_CODE}00301234795#`);
  t.equal(w.station.state, SourceStationState.Idle, 'no call');
  t.same(w.dialled, [], 'nothing dialled');
  t.match(w.shown(), /refused \| active mode off in KDS/, 'reason on the station display');
});

t.test('active mode only at an admin station (system telephone with display)', async (t) => {
  const w = wire({ active: true, station: '140' });
  w.press(`${ACTIVE_CODE}00301234795#`);
  t.same(w.dialled, [], 'analog station cannot start it');
  t.match(w.shown(), /140 is no admin station/, 'reason shown');
});

t.test('active mode: the code procedure dials, keys travel as DTMF, the display mirrors the target', async (t) => {
  const w = wire({ active: true });
  w.press(`${ACTIVE_CODE}00301234795#`);
  t.same(w.dialled.map((d) => d.number), ['00301234795'], 'dialled the target number');
  t.same(w.dialled[0].source, { systemId: 'HSIM-0001', type: PbxType.OfficePro }, 'the call announces the source PBX');
  t.equal(w.station.state, SourceStationState.Active, 'active');
  w.press(`${ENABLE_CODE}${ENABLE_PASSWORD}#`);
  t.equal(w.conn()?.state, DtmfAdminState.Menu, 'target enabled by the keyed procedure');
  w.press(multiTapKeys(ADMIN.name) + multiTapKeys(ADMIN.password));
  t.equal(w.conn()?.menu?.state, MenuState.Main, 'logged in at the target');
  t.match(w.shown(), /^Main SERV \(S\) \| 1Stn 2KDS 3Err 0Logout$/, 'the source station shows the target menu');
  w.press(`1102#${multiTapKeys('Lager')}`);
  t.equal(w.target.pbx.kds.get('station.102.name'), 'Lager', 'changed in the target');
  t.equal(w.source.pbx.kds.get('station.102.name'), '', 'not in the source');
  w.press('*0');
  t.equal(w.station.state, SourceStationState.Idle, 'logout ends active mode');
  t.match(w.shown(), /ended \| logged out/, 'station shows why it ended');
});

t.test('active mode from a smaller PBX is refused by the target with the reason mirrored', async (t) => {
  const w = wire({ active: true, sourceType: PbxType.OfficePoint, targetType: PbxType.OfficePro });
  w.press(`${ACTIVE_CODE}00301234795#${ENABLE_CODE}${ENABLE_PASSWORD}#`);
  t.equal(w.conn()?.state, DtmfAdminState.Closed, 'refused');
  t.match(w.shown(), /OfficePro > OfficePoint/, 'reason on the source station');
});
