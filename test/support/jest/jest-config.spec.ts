import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readConfigs } from 'jest-config';
import { PROJECT_TIMEOUTS_MS, type TestProject } from './timeouts';

const ROOT = join(__dirname, '..', '..', '..');

// Jest silently ignores `testTimeout` inside a project (it is a global option), which once left every browser
// test at the 5 s default. Each project must reach its timeout through a setup file that sets it.
describe('jest configuration', () => {
  it('should give every project the timeout it means, through a setup file', async () => {
    const { configs } = await readConfigs({ $0: 'jest', _: [], config: join(ROOT, 'jest.config.js') } as never, [ROOT]);
    const names = configs.map((config) => String(config.displayName?.name));
    expect(names.sort()).toEqual(Object.keys(PROJECT_TIMEOUTS_MS).sort());
    for (const config of configs) {
      const project = config.displayName?.name as TestProject;
      const setters = config.setupFilesAfterEnv
        .map((file) => readFileSync(file, 'utf8'))
        .filter((text) => text.includes('jest.setTimeout('));
      expect({ project, setters: setters.length }).toEqual({ project, setters: 1 });
      expect(setters[0]).toContain(`jest.setTimeout(PROJECT_TIMEOUTS_MS.${project})`);
    }
  });

  it('should not put options that jest ignores inside a project', () => {
    const raw = require(join(ROOT, 'jest.config.js')) as { projects: Record<string, unknown>[] };
    for (const project of raw.projects) expect(Object.keys(project)).not.toContain('testTimeout');
  });
});
