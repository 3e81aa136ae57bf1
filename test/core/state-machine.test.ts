import t from 'tap';
import { IllegalTransitionError, StateMachine, type TransitionTable } from '../../core/state-machine.js';

enum Light {
  Red = 'red',
  Green = 'green',
  Amber = 'amber',
  Off = 'off',
}

const MOVES: TransitionTable<Light> = {
  [Light.Red]: [Light.Green, Light.Off],
  [Light.Green]: [Light.Amber, Light.Off],
  [Light.Amber]: [Light.Red, Light.Amber, Light.Off],
  [Light.Off]: [],
};

t.test('legal moves change the state and return the state left', async (t) => {
  const m = new StateMachine('light', MOVES, Light.Red);
  t.equal(m.state, Light.Red, 'starts in the initial state');
  t.equal(m.transition(Light.Green), Light.Red, 'returns the state it left');
  t.equal(m.state, Light.Green, 'is in the new state');
  m.transition(Light.Amber);
  t.equal(m.transition(Light.Amber), Light.Amber, 'a state that lists itself may stay');
  t.ok(m.is(Light.Amber), 'is() matches the state it is in');
  t.notOk(m.is(Light.Green), 'is() is false for other states');
  t.ok(m.isOneOf([Light.Red, Light.Amber]), 'isOneOf() matches any of the states given');
  t.notOk(m.isOneOf([Light.Red, Light.Green]), 'isOneOf() is false when none is the state');
});

t.test('a move the table does not list throws and leaves the state alone', async (t) => {
  const m = new StateMachine('light 3', MOVES, Light.Red);
  t.notOk(m.can(Light.Amber), 'can() says no before the move');
  t.throws(() => m.transition(Light.Amber), new IllegalTransitionError('light 3', Light.Red, Light.Amber), 'red → amber is refused');
  t.equal(m.state, Light.Red, 'the state did not change');
  t.throws(() => m.transition(Light.Red), /light 3: illegal transition red → red/, 'staying is refused where the table does not list it');
  m.transition(Light.Off);
  t.notOk(m.can(Light.Red), 'a final state has no moves');
  t.throws(() => m.transition(Light.Red), IllegalTransitionError, 'and refuses every move');
});

t.test('an instance number follows the name in errors', async (t) => {
  const m = new StateMachine('light', MOVES, Light.Off, 7);
  t.throws(() => m.transition(Light.Red), new IllegalTransitionError('light 7', Light.Off, Light.Red), 'named "light 7"');
});
