// Jest reads `testTimeout` only as a global option, never inside a project: each project sets its own here.
// CI runs on a shared 2-core machine, so these are ceilings for a stuck test, not expectations of speed.
export const PROJECT_TIMEOUTS_MS = { unit: 10_000, e2e: 60_000, browser: 120_000 } as const;
export type TestProject = keyof typeof PROJECT_TIMEOUTS_MS;
