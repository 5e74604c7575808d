import { afterAll } from 'vitest';
import { removeTemps } from './temp.js';

// Every test file leaves /tmp as it found it: its temp folders go once its tests are done.
afterAll(removeTemps);
