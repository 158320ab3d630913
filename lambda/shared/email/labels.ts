import { cleanLine } from './escape.ts';

/**
 * How a topic is named to readers, the same in the emails and on the subscribe pages. No MJML here:
 * the subscribe Lambda imports it.
 */

/** The display name of a topic slug. */
export function topicLabel(slug: string, labels?: Readonly<Record<string, string>>): string {
  const configured = labels?.[slug];
  if (configured !== undefined) return cleanLine(configured);
  // "us-politics" → "US politics": two-letter words in slugs are nearly always abbreviations
  // (US, UK, EU, AI); operators can name any topic exactly with topicLabels.
  const words = cleanLine(slug)
    .split(/[-_\s]+/)
    .filter(Boolean)
    .map((w) => (w.length === 2 ? w.toUpperCase() : w));
  const label = words.join(' ');
  return label.charAt(0).toUpperCase() + label.slice(1);
}
