import { badInputMatrix } from '../support/bad-input-matrix.js';

// One third of issue 18's bad-input matrix over every command (test/support/bad-input-matrix.ts).
badInputMatrix(2, 3);
