import t from 'tap';
import { DtmfAdminState, ENABLE_CODE, typeRuleRefusal } from '../../firmware-sim/dtmf-admin/dtmf-admin.js';
import { PbxType } from '../../firmware-sim/pbx-type.js';
import { dtmfPbx, ENABLE_PASSWORD, TargetRig } from '../support/dtmf-admin-rig.js';

const TYPES = [PbxType.OfficePoint, PbxType.OfficeCom, PbxType.OfficePro];

t.test('the target must be of the same or a smaller type than the source', async (t) => {
  for (const source of TYPES) {
    for (const target of TYPES) {
      const allowed = TYPES.indexOf(target) <= TYPES.indexOf(source);
      const { pbx } = dtmfPbx({ type: target });
      const rig = new TargetRig(pbx, { systemId: 'SRC', type: source });
      rig.send(`${ENABLE_CODE}${ENABLE_PASSWORD}#`);
      t.equal(rig.conn.state, allowed ? DtmfAdminState.Menu : DtmfAdminState.Closed, `${source} → ${target}: ${allowed ? 'allowed' : 'refused'}`);
      if (!allowed) t.match(rig.shown, new RegExp(`Refused: target bigger \\| ${target} > ${source}`), `${source} → ${target}: clear reason on the display`);
    }
  }
});

t.test('a caller that is no PBX (phone, voice modem) is not subject to the type rule', async (t) => {
  t.equal(typeRuleRefusal(undefined, PbxType.OfficePro), undefined, 'no source type: allowed');
  t.match(typeRuleRefusal(PbxType.OfficePoint, PbxType.OfficeCom) ?? '', /OfficeCom > OfficePoint/, 'smaller source refused');
});
