/**
 * The routes of the subscribe API, in one list: the CDK stack (lib/constructs/api.ts) creates exactly
 * these API Gateway routes and the local HTTP adapter routes by them, so `npm run serve` answers what
 * the deployed API answers; the app (app.ts) serves exactly these (checked by its tests). GETs show
 * pages and never change state (mail scanners follow GET links); POSTs act.
 */

export type RouteMethod = 'GET' | 'POST';

export interface Route {
  readonly method: RouteMethod;
  /** Matched exactly, as API Gateway HTTP API does: case-sensitive, no trailing slash. */
  readonly path: string;
}

export const ROUTES: readonly Route[] = [
  { method: 'GET', path: '/' },
  { method: 'POST', path: '/subscribe' },
  { method: 'GET', path: '/confirm' },
  { method: 'POST', path: '/confirm' },
  { method: 'GET', path: '/unsubscribe' },
  { method: 'POST', path: '/unsubscribe' },
  { method: 'GET', path: '/preferences' },
  { method: 'POST', path: '/preferences' },
  { method: 'GET', path: '/forget' },
  { method: 'POST', path: '/forget' },
];

/** Whether API Gateway would send `method path` (path already percent-decoded, as API Gateway delivers it) to the function. */
export function isRouted(method: string, path: string): boolean {
  return ROUTES.some((r) => r.method === method && r.path === path);
}
