import t from 'tap';
import { ALL_CIRCLES, Circle, CIRCLE_NAME } from '../../firmware-sim/circles.js';
import { rightsOf } from '../../firmware-sim/rights.js';

/**
 * rightsOf keeps what it worked out by circle and occupied circles, and
 * every PBX shares it: asking again for the same pair gives the same frozen
 * rights, and any other pair gives its own, whatever was asked before.
 */
t.test('the same circle and occupied circles give one shared, frozen Rights', async (t) => {
  const a = rightsOf(Circle.SystemMaintenance, new Set([Circle.SystemMaintenance]));
  const b = rightsOf(Circle.SystemMaintenance, new Set([Circle.SystemMaintenance]));
  t.equal(a, b, 'asked twice, the same object');
  t.ok(Object.isFrozen(a), 'shared rights cannot be changed by one holder');
  t.equal(rightsOf(undefined, new Set()), rightsOf(undefined, new Set()), 'AMHOST and the system actor share theirs too');
});

t.test('each pair of circle and occupied circles has its own rights, in any order of asking', async (t) => {
  const S = Circle.SystemMaintenance;
  t.ok(rightsOf(S, new Set()).serviceHasAll, 'System maintenance alone holds every right');
  t.notOk(rightsOf(S, new Set([S, Circle.Administration])).serviceHasAll, 'not once Administration has a user, asked right after');
  t.ok(rightsOf(S, new Set([S])).serviceHasAll, 'and again alone afterwards');
  t.notOk(rightsOf(Circle.Revision, new Set()).may('kds-write'), 'another circle with the same occupied set is not served System maintenance’s rights');
  // Every circle under every occupied set: each pair is served the rights of its own circle and set.
  const sets = Array.from({ length: 64 }, (_, mask) => new Set(ALL_CIRCLES.filter((c) => mask & (1 << (c - 1)))));
  const chargeOwner = (s: Set<Circle>): Circle => (s.has(Circle.ChargeAccounting) ? Circle.ChargeAccounting : s.has(Circle.Administration) ? Circle.Administration : S);
  const wrong: string[] = [];
  for (const c of [undefined, ...ALL_CIRCLES]) {
    for (const s of sets) {
      const r = rightsOf(c, s);
      const ok = r.circle === c && r.serviceHasAll === [...s].every((x) => x === S) && r.ownerOf('charge', false) === CIRCLE_NAME[chargeOwner(s)];
      if (!ok) wrong.push(`${c} with {${[...s].join(',')}}`);
    }
  }
  t.same(wrong, [], 'all 448 pairs: their own circle, their own "System maintenance has all", their own charge owner');
});
