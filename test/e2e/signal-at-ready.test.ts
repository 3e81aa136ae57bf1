import { join } from 'node:path';
import t from 'tap';
import { startCentre } from '../support/centre-child.js';
import { startLab, tempDir, writeLabConfig } from '../support/lab-child.js';

/**
 * A rig signals a long-running command the moment it reads the ready line.
 * The signal handlers must already be in then: before, one lab in four was
 * killed by the default action of SIGTERM (exit by signal, no orderly
 * close, no "stopped" line), because the handlers went in after the line.
 */
const ROUNDS = 10;

t.test(`hicom-sim lab: SIGTERM at once on "Ctrl-C stops the lab." stops it cleanly, ${ROUNDS} times`, async (t) => {
  const files = await writeLabConfig(tempDir(t));
  const outcomes: string[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const lab = await startLab(t, files);
    const code = await lab.stop();
    outcomes.push(`${code ?? lab.child.proc.signalCode}`);
  }
  t.same(outcomes, Array(ROUNDS).fill('0'), 'every run exits 0, none by the signal itself');
});

t.test(`hicom-sim centre serve: SIGTERM at once on "Ctrl-C stops the centre." stops it cleanly, ${ROUNDS} times`, async (t) => {
  const state = tempDir(t);
  const outcomes: string[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const centre = await startCentre(t, { db: `sqlite:${join(state, 'centre.db')}`, state, http: false });
    const code = await centre.stop();
    outcomes.push(`${code ?? centre.child.proc.signalCode}`);
  }
  t.same(outcomes, Array(ROUNDS).fill('0'), 'every run exits 0, none by the signal itself');
});
