import type { TestApp } from './test-app';

export interface Route {
  method: string;
  path: string;
}

interface RouterLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

// The app's routes as Express holds them, once Nest has mounted every controller: the source of truth for tests
// that must cover every route (a new route is covered, or the test names it). The catch-all layers are left out.
export function routesOf(testApp: TestApp): Route[] {
  const express = testApp.app.getHttpAdapter().getInstance() as { router: { stack: RouterLayer[] } };
  return express.router.stack.flatMap(({ route }) =>
    route && !route.path.includes('*')
      ? Object.keys(route.methods).map((method) => ({ method: method.toUpperCase(), path: route.path }))
      : [],
  );
}

// A route's path with each `:parameter` replaced by its value; a parameter without a value is an error, so that a
// test over every route names the one it does not know how to reach.
export function fillPath(path: string, values: Record<string, string | number>): string {
  return path.replace(/:(\w+)/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`No value for :${name} in ${path}`);
    return encodeURIComponent(String(values[name]));
  });
}
