import type { Brief, Quote } from '../../lambda/shared/article/model.ts';
import type { DigestOptions } from '../../lambda/shared/email/types.ts';

/** Hand-built briefs for the email tests, shaped like analyze() output on news articles. */

function quote(text: string, name: string | null, role?: string): Quote {
  return { text, start: 0, end: text.length, speaker: name === null ? null : role === undefined ? { name } : { name, role } };
}

/** A realistic brief; `n` varies the words so no two briefs are identical. */
export function brief(n: number, overrides: Partial<Brief> = {}): Brief {
  return {
    title: `Ministers agree on plan ${n} to rebuild coastal flood defences before winter storms`,
    publishedAt: `2026-11-${String((n % 27) + 1).padStart(2, '0')}T09:30:00+01:00`,
    source: 'Harbour Gazette',
    url: `https://news.example.org/2026/11/flood-defences-plan-${n}?utm_source=feed&ref=rss`,
    topics: ['environment', 'politics'],
    summary: [
      `The government and regional councils agreed on Tuesday to spend £${n + 1}.4 billion on sea walls, dunes and drainage along the east coast over the next four years.`,
      'Work on the most exposed stretches is due to start within weeks, ahead of the storm season that flooded thousands of homes last year.',
      'Opposition parties welcomed the money but said the timetable left little room for consultation with the towns most affected.',
    ],
    keyQuotes: [
      quote('We cannot keep asking families to bail out their living rooms every January while we argue about who pays for the wall.', 'Amara Okafor', 'Minister for the Environment'),
      quote('The engineering is the easy part; getting permits and contractors in place before the first storm is the real test.', 'Lars Pedersen', 'chief engineer at the Coastal Authority'),
      quote('People here have heard promises before, so they will believe it when they see the diggers on the beach.', 'Jean Whitfield'),
    ],
    ...overrides,
  };
}

/** The digest options most tests use. */
export const digestOptions: DigestOptions = {
  newsletterName: 'newsbrief',
  postalAddress: 'newsbrief Ltd, 1 Harbour Street, Portsmouth PO1 2AB, United Kingdom',
  issueDate: '2026-11-27',
  frequency: 'daily',
  topics: ['environment', 'politics'],
};
