import t from 'tap';
import { ALL_CIRCLES, Circle, CIRCLE_NAME } from '../../firmware-sim/circles.js';
import type { DataClass } from '../../firmware-sim/kds-schema.js';
import { ACTION_TEXT, rightsOf, type Action } from '../../firmware-sim/rights.js';

/**
 * Every circle (and AMHOST without one) × every data class, confidential or
 * not, × every action, for the occupancies that change rights: the expected
 * table is written out here from the seed manual, independently of rights.ts.
 */

const { UserAdministration: B, Revision: R, SystemMaintenance: S, Administration: A, ChargeAccounting: G, Development: E } = Circle;
const CLASSES: readonly DataClass[] = ['customer', 'charge', 'charge-interface', 'system', 'development'];
const ACTIONS = Object.keys(ACTION_TEXT) as Action[];

interface Expected {
  read: Set<string>;
  write: Set<string>;
  actions: Set<Action>;
}

const key = (cls: DataClass, confidential: boolean): string => (confidential ? `${cls}!` : cls);
/** Everything that is neither confidential nor Development-reserved. */
const PLAIN_READ = ['customer', 'charge', 'charge-interface', 'system'];

function expected(circle: Circle | undefined, occupied: ReadonlySet<Circle>): Expected {
  const serviceAll = [...occupied].every((c) => c === S);
  const chargeOwner = occupied.has(G) ? G : occupied.has(A) ? A : S;
  const write = new Set<string>();
  const actions = new Set<Action>();
  const service = (): void => {
    // Rel-1.0 Assistant T without customer-confidential data; output-device interface stays here.
    for (const w of ['customer', 'system', 'system!', 'charge-interface']) write.add(w);
    for (const a of ['errors-read', 'errors-delete', 'kds-read', 'kds-write', 'maintenance', 'aps-load'] as const) actions.add(a);
    if (serviceAll) {
      for (const w of ['customer!', 'charge', 'charge!']) write.add(w);
      for (const a of ['user-admin', 'log-read', 'log-archive', 'customer-actions'] as const) actions.add(a);
    }
  };
  const charge = (): void => {
    write.add('charge');
    write.add('charge!');
  };
  if (circle === B) actions.add('user-admin');
  if (circle === R) for (const a of ['log-read', 'log-archive', 'errors-read', 'kds-read'] as const) actions.add(a);
  if (circle === S || circle === E) service();
  if (circle === E) {
    write.add('development');
    write.add('development!');
  }
  if (circle === A) {
    write.add('customer');
    write.add('customer!');
    actions.add('customer-actions');
    actions.add('kds-read');
  }
  if (circle === G) {
    // A Charge accounting user means the circle is occupied: it always owns charges.
    charge();
    actions.add('kds-read');
  }
  if (circle !== undefined && chargeOwner === circle) charge();
  if (circle === E && chargeOwner === S) charge();
  const read = new Set(write);
  if (circle !== B) for (const r of PLAIN_READ) read.add(r);
  return { read, write, actions };
}

const SCENARIOS: Array<{ name: string; occupied: Circle[] }> = [
  { name: 'delivered (no users yet)', occupied: [] },
  { name: 'only System maintenance', occupied: [S] },
  { name: 'all six circles', occupied: [B, R, S, A, G, E] },
  { name: 'no Charge accounting (→ Administration)', occupied: [B, R, S, A, E] },
  { name: 'neither Charge nor Administration (→ System maintenance)', occupied: [B, R, S, E] },
  { name: 'only Revision besides System maintenance', occupied: [S, R] },
  { name: 'only Development besides System maintenance', occupied: [S, E] },
  { name: 'Charge accounting without Administration', occupied: [B, S, G] },
];

for (const scenario of SCENARIOS) {
  t.test(scenario.name, async (t) => {
    const occupied = new Set(scenario.occupied);
    for (const circle of [...ALL_CIRCLES, undefined]) {
      const who = circle === undefined ? 'AMHOST (no circle)' : CIRCLE_NAME[circle];
      const want = expected(circle, occupied);
      const got = rightsOf(circle, occupied);
      for (const cls of CLASSES) {
        for (const conf of [false, true]) {
          const k = key(cls, conf);
          t.equal(got.canRead(cls, conf), want.read.has(k), `${who} read ${k}`);
          t.equal(got.canWrite(cls, conf), want.write.has(k), `${who} write ${k}`);
        }
      }
      for (const a of ACTIONS) t.equal(got.may(a), want.actions.has(a), `${who} action ${a}`);
    }
  });
}

t.test('the seed rules, stated directly', async (t) => {
  const all = new Set([B, R, S, A, G, E]);
  t.ok(rightsOf(S, new Set([S])).may('user-admin'), 'System maintenance administers users while alone');
  t.notOk(rightsOf(S, new Set([S, R])).may('user-admin'), 'and loses it once Revision has a user');
  t.notOk(rightsOf(S, new Set([S])).canWrite('development', false), 'never Development-reserved data, even alone');
  t.notOk(rightsOf(R, all).canRead('customer', true), 'Revision does not read customer-confidential data');
  t.notOk(rightsOf(undefined, all).canWrite('customer', false), 'AMHOST writes nothing through the session');
  t.ok(rightsOf(G, all).canWrite('charge', false), 'Charge accounting owns charges when it has users');
  t.notOk(rightsOf(G, all).canWrite('charge-interface', false), 'but not the output-device interface');
  t.notOk(rightsOf(A, all).canWrite('charge', false), 'Administration has no charges while Charge accounting has users');
  t.ok(rightsOf(A, new Set([B, A])).canWrite('charge', false), 'Administration gets charges without Charge accounting users');
  t.notOk(rightsOf(S, new Set([B, A])).canWrite('charge', false), '… and System maintenance does not');
  t.ok(rightsOf(S, new Set([B, S])).canWrite('charge', false), 'System maintenance gets charges without both');
  for (const occ of [new Set([S]), all, new Set([B, S])]) {
    const s = rightsOf(S, occ);
    const e = rightsOf(E, occ);
    for (const cls of CLASSES.filter((c) => c !== 'development')) {
      for (const conf of [false, true]) t.equal(e.canWrite(cls, conf), s.canWrite(cls, conf), `Development writes ${key(cls, conf)} exactly when System maintenance does (${[...occ].join(',')})`);
    }
    for (const a of ACTIONS) t.equal(e.may(a), s.may(a), `Development may ${a} exactly when System maintenance may (${[...occ].join(',')})`);
    t.ok(e.canWrite('development', false) && e.canRead('development', true), 'plus the reserved parameters');
  }
});
