import * as z from 'zod';

/**
 * The operator's feed list, `feeds: [{url, topics?, fullText?, every?}]`: validated at synth by
 * lib/config.ts and again at the poll function's cold start (FEEDS, the same list as JSON), with
 * this one schema.
 */

/** When to fetch an item's page: `auto` when the item has no full content, `always`, or `never`. */
export const FULL_TEXT_MODES = ['auto', 'always', 'never'] as const;
export type FullTextMode = (typeof FULL_TEXT_MODES)[number];

/** The poll schedule's default period, and the bounds of a feed's own `every`. */
export const DEFAULT_POLL_MINUTES = 10;
export const MIN_EVERY_MINUTES = 5;
export const MAX_EVERY_MINUTES = 7 * 24 * 60;

const UNIT_MINUTES: Readonly<Record<string, number>> = { m: 1, min: 1, minute: 1, minutes: 1, h: 60, hour: 60, hours: 60, d: 1440, day: 1440, days: 1440 };

/** `every`: minutes as a number, or text such as "30m", "2h", "1 day". Output: minutes. */
const every = z
  .union([z.number(), z.string()])
  .transform((v, ctx) => {
    if (typeof v === 'number') return v;
    const m = /^\s*(\d+)\s*([a-z]+)?\s*$/i.exec(v);
    const unit = UNIT_MINUTES[(m?.[2] ?? 'm').toLowerCase()];
    if (!m || unit === undefined) {
      ctx.addIssue({ code: 'custom', message: 'must be a duration such as 30m, 2h or 1d' });
      return z.NEVER;
    }
    return Number(m[1]) * unit;
  })
  .pipe(
    z
      .number()
      .int()
      .min(MIN_EVERY_MINUTES, `must be at least ${MIN_EVERY_MINUTES} minutes`)
      .max(MAX_EVERY_MINUTES, 'must be at most 7 days'),
  );

/** One configured feed. */
export const feedConfigSchema = z.strictObject({
  /** The feed's URL (RSS, Atom, RDF or JSON Feed), http or https. */
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL of the feed' }),
  /** Topic slugs every item of this feed gets, on top of the keyword rules. */
  topics: z.array(z.string().regex(/^[a-z0-9-]+$/, 'must be a lower-case slug (letters, digits, hyphens)')).default([]),
  /** Fetch the linked page for the article text: when the item carries no full content (auto), always, or never. */
  fullText: z.enum(FULL_TEXT_MODES).default('auto'),
  /** Poll this feed at most this often (minutes); default: every poll. */
  every: every.optional(),
});
export type FeedConfig = z.output<typeof feedConfigSchema>;

export const feedListSchema = z.array(feedConfigSchema).superRefine((feeds, ctx) => {
  const seen = new Set<string>();
  for (const [i, f] of feeds.entries()) {
    if (!URL.canParse(f.url)) continue; // reported by the url check
    const key = new URL(f.url).href;
    if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [i, 'url'], message: `${f.url} is listed twice` });
    seen.add(key);
  }
});

/** The schedule period: every 10 minutes, or faster when a feed asks for a shorter `every`. */
export function pollMinutes(feeds: readonly FeedConfig[]): number {
  return Math.min(DEFAULT_POLL_MINUTES, ...feeds.map((f) => f.every ?? DEFAULT_POLL_MINUTES));
}
