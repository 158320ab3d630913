/** The CMS webhook's route on the HTTP API, read by the CDK construct (lib/constructs/webhook.ts) and the local HTTP adapter. */
export const ARTICLES_ROUTE = { method: 'POST', path: '/articles' } as const;
