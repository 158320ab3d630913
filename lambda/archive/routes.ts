/**
 * The archive's routes on the HTTP API, in one list that the CDK construct (lib/constructs/archive.ts)
 * and the local HTTP adapter both read. GET only: the archive never changes state. `{id}` also matches
 * `feed.xml`; the handler tells them apart.
 */
export const ARCHIVE_ROUTES: readonly { readonly method: 'GET'; readonly path: string }[] = [
  { method: 'GET', path: '/archive' },
  { method: 'GET', path: '/archive/{id}' },
];
