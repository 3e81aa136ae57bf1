import t from 'tap';
import { ALL_CIRCLES, Circle, CIRCLE_NAME } from '../../firmware-sim/circles.js';
import { KDS_SCHEMA, type DataClass } from '../../firmware-sim/kds-schema.js';
import { ACTION_TEXT, rightsOf, type Action } from '../../firmware-sim/rights.js';

/**
 * Every circle (and AMHOST without one) × every kind of KDS data × every
 * action, for occupancies that change rights. The expected rights are a
 * literal table written from the seed manual (003, "Erklärung der Rechte der
 * einzelnen Nutzerkreise"; spec §3.6), computed by nothing: a misreading in
 * firmware-sim/rights.ts cannot be repeated here by shared logic.
 *
 * What the seed says, and where the table had to choose:
 * - Benutzeradministrierung: create, assign, delete and list users — no data.
 * - Revision: evaluate and archive the protocol log, read the error memory,
 *   read the system's data "außer für die kundenvertraulichen Daten".
 * - Systempflege: while no other circle has users, every right on all data
 *   and every action, "ausgenommen … Zugriffsrechte die der Entwicklung
 *   vorbehalten sind"; afterwards "Systemverwaltung Allgemein … (Funktionalität
 *   des Hicom Assistant T in Release 1.0 ohne kundenvertrauliche Daten)":
 *   customer data that is not confidential, system data, the charge output
 *   device interface; error memory, KDS, maintenance, APS load.
 * - Administrierung: customer data, PIN, speed dials, name keys (all the
 *   confidential customer data) and the customer actions.
 * - Gebührenabrechnung: charge configuration, records and counters, not the
 *   output-device interface; without Gebührenabrechnung users these rights
 *   belong to Administrierung, without those to Systempflege.
 * - Entwicklung: all rights of Systempflege plus reserved parameters
 *   ("Einstellen und Lesen"): reading them is Development's too, so nobody
 *   else reads them, Revision included.
 * - AMHOST (no circle) reads data that is not confidential and does nothing
 *   else; every circle but user administration reads that too (the seed
 *   gives read rights with the data a circle works on; docs/session-protocol.md).
 *
 * Data kinds: C customer, C! customer-confidential, G charge, I charge output
 * interface, S system, D development-reserved — the (class, confidential)
 * pairs the KDS schema has.
 */

const KINDS: Record<string, { cls: DataClass; confidential: boolean }> = {
  C: { cls: 'customer', confidential: false },
  'C!': { cls: 'customer', confidential: true },
  G: { cls: 'charge', confidential: false },
  I: { cls: 'charge-interface', confidential: false },
  S: { cls: 'system', confidential: false },
  D: { cls: 'development', confidential: false },
};

const { UserAdministration: B, Revision: R, SystemMaintenance: S, Administration: A, ChargeAccounting: G, Development: E } = Circle;

type Who = Circle | 'AMHOST';
/** Expected rights of one circle: kinds it reads, kinds it writes, actions it may run (space-separated). */
type Row = readonly [who: Who, read: string, write: string, actions: string];

const ALL_ACTIONS = 'user-admin log-read log-archive errors-read errors-delete kds-read kds-write maintenance aps-load customer-actions';
const SERVICE_ACTIONS = 'errors-read errors-delete kds-read kds-write maintenance aps-load';
const REVISION_ACTIONS = 'log-read log-archive errors-read kds-read';

const SITUATIONS: ReadonlyArray<{ name: string; occupancies: Circle[][]; rows: readonly Row[] }> = [
  {
    name: 'no circle but System maintenance has users: it holds every right but Development\'s, and the charges',
    occupancies: [[], [S]],
    rows: [
      [B, '', '', 'user-admin'],
      [R, 'C G I S', '', REVISION_ACTIONS],
      [S, 'C C! G I S', 'C C! G I S', ALL_ACTIONS],
      [A, 'C C! G I S', 'C C!', 'customer-actions kds-read'],
      [G, 'C G I S', 'G', 'kds-read'],
      [E, 'C C! G I S D', 'C C! G I S D', ALL_ACTIONS],
      ['AMHOST', 'C G I S', '', ''],
    ],
  },
  {
    name: 'Charge accounting has users: it owns the charges; System maintenance is reduced',
    occupancies: [[B, R, S, A, G, E], [B, S, G], [G]],
    rows: [
      [B, '', '', 'user-admin'],
      [R, 'C G I S', '', REVISION_ACTIONS],
      [S, 'C G I S', 'C I S', SERVICE_ACTIONS],
      [A, 'C C! G I S', 'C C!', 'customer-actions kds-read'],
      [G, 'C G I S', 'G', 'kds-read'],
      [E, 'C G I S D', 'C I S D', SERVICE_ACTIONS],
      ['AMHOST', 'C G I S', '', ''],
    ],
  },
  {
    name: 'no Charge accounting users but Administration ones: Administration owns the charges',
    occupancies: [[B, R, S, A, E], [S, A], [A]],
    rows: [
      [B, '', '', 'user-admin'],
      [R, 'C G I S', '', REVISION_ACTIONS],
      [S, 'C G I S', 'C I S', SERVICE_ACTIONS],
      [A, 'C C! G I S', 'C C! G', 'customer-actions kds-read'],
      [G, 'C G I S', 'G', 'kds-read'],
      [E, 'C G I S D', 'C I S D', SERVICE_ACTIONS],
      ['AMHOST', 'C G I S', '', ''],
    ],
  },
  {
    name: 'neither Charge accounting nor Administration users, others besides System maintenance: it keeps the charges, reduced',
    occupancies: [[B, R, S, E], [S, R], [S, E], [B], [R]],
    rows: [
      [B, '', '', 'user-admin'],
      [R, 'C G I S', '', REVISION_ACTIONS],
      [S, 'C G I S', 'C G I S', SERVICE_ACTIONS],
      [A, 'C C! G I S', 'C C!', 'customer-actions kds-read'],
      [G, 'C G I S', 'G', 'kds-read'],
      [E, 'C G I S D', 'C G I S D', SERVICE_ACTIONS],
      ['AMHOST', 'C G I S', '', ''],
    ],
  },
];

const words = (list: string): string[] => list.split(' ').filter((w) => w !== '');
const nameOf = (who: Who): string => (who === 'AMHOST' ? 'AMHOST (no circle)' : CIRCLE_NAME[who]);
const occupancyText = (occupied: Circle[]): string => (occupied.length ? occupied.map((c) => CIRCLE_NAME[c]).join(', ') : 'nobody');

t.test('the table covers every kind of data in the KDS schema, every action and every circle', async (t) => {
  const schemaKinds = new Set(KDS_SCHEMA.map((s) => `${s.cls}${s.confidential ? '!' : ''}`));
  const tableKinds = new Set(Object.values(KINDS).map((k) => `${k.cls}${k.confidential ? '!' : ''}`));
  t.same([...tableKinds].sort(), [...schemaKinds].sort(), 'the data kinds are exactly those of the KDS schema');
  t.same(words(ALL_ACTIONS).sort(), Object.keys(ACTION_TEXT).sort(), 'the actions are exactly those rights.ts knows');
  for (const s of SITUATIONS) t.same(s.rows.map((r) => r[0]), [...ALL_CIRCLES, 'AMHOST'], `${s.name}: one row per circle and AMHOST`);
});

for (const situation of SITUATIONS) {
  t.test(situation.name, async (t) => {
    for (const occupied of situation.occupancies) {
      for (const [who, read, write, actions] of situation.rows) {
        const rights = rightsOf(who === 'AMHOST' ? undefined : who, new Set(occupied));
        const got = {
          read: Object.keys(KINDS).filter((k) => rights.canRead(KINDS[k].cls, KINDS[k].confidential)).sort(),
          write: Object.keys(KINDS).filter((k) => rights.canWrite(KINDS[k].cls, KINDS[k].confidential)).sort(),
          actions: words(ALL_ACTIONS).filter((a) => rights.may(a as Action)).sort(),
        };
        const want = { read: words(read).sort(), write: words(write).sort(), actions: words(actions).sort() };
        t.same(got, want, `${nameOf(who)}, users in: ${occupancyText(occupied)}`);
      }
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
    for (const [k, { cls, confidential }] of Object.entries(KINDS).filter(([, v]) => v.cls !== 'development')) {
      t.equal(e.canWrite(cls, confidential), s.canWrite(cls, confidential), `Development writes ${k} exactly when System maintenance does (${[...occ].join(',')})`);
    }
    for (const a of words(ALL_ACTIONS)) t.equal(e.may(a as Action), s.may(a as Action), `Development may ${a} exactly when System maintenance may (${[...occ].join(',')})`);
    t.ok(e.canWrite('development', false) && e.canRead('development', false), 'plus the reserved parameters');
  }
});
