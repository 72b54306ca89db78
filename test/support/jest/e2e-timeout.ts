import { PROJECT_TIMEOUTS_MS } from './timeouts';

jest.setTimeout(PROJECT_TIMEOUTS_MS.e2e);
