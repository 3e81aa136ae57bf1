import t from 'tap';
import { onEngine } from '../support/both-engines.js';
import { VISITS_END_TO_END, visitsEndToEnd } from '../support/maintenance-visits-run.js';

// The sqlite half of the end-to-end maintenance run (test/support/maintenance-visits-run.ts).
onEngine(t, VISITS_END_TO_END, 'sqlite', visitsEndToEnd);
