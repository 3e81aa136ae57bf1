import t from 'tap';

// 50 process starts: on a loaded machine that is more than tap's default 5 minutes a file.
t.setTimeout(900_000);
import { engineFixture } from '../support/both-engines.js';
import { KILLS, sigkillScenario } from '../support/sigkill-scenario.js';

t.test(`SIGKILL during intake, ${KILLS} times: every acked telegram and event is in the database [sqlite]`, async (t) => sigkillScenario(t, await engineFixture(t, 'sqlite')));
