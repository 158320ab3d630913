import * as z from 'zod';
import type { Article } from '../article/model.ts';

/**
 * Topics of an article: the ones its metadata names (front matter or JSON) or, when it names none,
 * those of the operator's keyword rules (TOPIC_RULES, JSON `{"asia":["north korea","kim jong"]}`)
 * whose keywords occur in the headline or body. Matching is case-insensitive and anchored at the
 * start of a word, so "denuclear" matches "denuclearisation" but "ball" does not match "football".
 */

/** Keyword rules per topic slug. */
export type TopicRules = ReadonlyMap<string, readonly RegExp[]>;

/** TOPIC_RULES is not valid JSON of the expected shape. */
export class TopicRulesError extends Error {
  override readonly name = 'TopicRulesError';
}

const SLUG = /^[a-z0-9-]+$/;
const rulesSchema = z.record(z.string(), z.array(z.string().trim().min(1).max(200)).max(500));

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Parse TOPIC_RULES; throws TopicRulesError naming the problem. */
export function parseTopicRules(json: string): TopicRules {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new TopicRulesError('TOPIC_RULES: not valid JSON', { cause: error });
  }
  const parsed = rulesSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new TopicRulesError(`TOPIC_RULES: ${problems}`);
  }
  const badSlug = Object.keys(parsed.data).find((t) => !SLUG.test(t));
  if (badSlug !== undefined) {
    throw new TopicRulesError(`TOPIC_RULES: "${badSlug}" is not a topic slug (lower-case letters, digits and dashes)`);
  }
  const rules = new Map<string, RegExp[]>();
  for (const [topic, keywords] of Object.entries(parsed.data)) {
    // Anchored at a word start, flexible whitespace inside a phrase; \p{L}\p{N} so accented letters count as word characters.
    rules.set(
      topic,
      keywords.map((k) => new RegExp(`(?<![\\p{L}\\p{N}])${k.split(/\s+/).map(escapeRegExp).join('\\s+')}`, 'iu')),
    );
  }
  return rules;
}

/** Normalise a metadata topic to a slug ("North Korea" → "north-korea"); empty when nothing is left. */
export function toSlug(topic: string): string {
  return topic
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** The article's topics: its metadata topics as slugs, else the matching rule topics; sorted, without duplicates. */
export function topicsOf(article: Pick<Article, 'title' | 'paragraphs' | 'topics'>, rules: TopicRules): string[] {
  const own = [...new Set((article.topics ?? []).map(toSlug).filter(Boolean))];
  if (own.length > 0) return own.sort();
  const text = [article.title, ...article.paragraphs].join('\n');
  return [...rules].filter(([, patterns]) => patterns.some((p) => p.test(text))).map(([topic]) => topic).sort();
}
