import { createHash } from 'node:crypto';
import { FREQUENCIES, frequencyAt, wantsTopics, type Frequency, type Subscriber } from '../subscriptions/model.ts';
import type { ArticleRecord } from './articles.ts';

/**
 * Who a run's articles are owed to. Each article goes to a subscriber through the frequency they
 * held when it was ingested: as an alert if that was `immediate`, else in the next run of that digest.
 * A frequency change therefore neither repeats an article (one already alerted is left out of the
 * digest) nor loses one (a digest still carries what came before a switch to alerts).
 *
 * A run pages its audience in phases, so a subscriber who changed frequency is found wherever they
 * are now: first the members who held the run's frequency when it started (the audience fixed at the
 * start), then everyone who entered a frequency since the run's earliest article, keeping only those
 * whose recorded past frequencies owe them one of its articles.
 */

/** One index query of a run's audience. */
export interface AudiencePhase {
  readonly frequency: Frequency;
  /** Entered the frequency at or after this (ISO); absent: any time. */
  readonly enteredFrom?: string;
  /** Entered the frequency strictly before this (ISO). */
  readonly enteredBefore: string;
}

/** Later than any entry time. */
export const FAR_FUTURE = '9999-12-31T23:59:59.999Z';

/**
 * The phases of a run of `frequency` that started at `startedAt` and carries articles ingested from
 * `earliestArticle` on. Phase 0 is the audience fixed at the start; the rest find those who left.
 */
export function audiencePhases(frequency: Frequency, startedAt: string, earliestArticle: string): AudiencePhase[] {
  return [
    { frequency, enteredBefore: startedAt },
    ...FREQUENCIES.map((f) => ({ frequency: f, enteredFrom: f === frequency ? startedAt : earliestArticle, enteredBefore: FAR_FUTURE })),
  ];
}

/**
 * The articles of a run of `frequency` owed to `subscriber`: their topics match, and the subscriber
 * held `frequency` when the article was ingested. A phase-0 member is also owed articles ingested
 * before they subscribed (a new subscriber gets the next issue whole); anyone found later only what
 * a recorded past frequency of theirs owes.
 */
export function owedArticles<T extends Pick<ArticleRecord, 'ingestedAt' | 'brief'>>(
  subscriber: Subscriber,
  frequency: Frequency,
  articles: readonly T[],
  phase: number,
): T[] {
  const history = subscriber.frequencyHistory ?? [];
  return articles.filter((a) => {
    if (!wantsTopics(subscriber.topics, a.brief.topics)) return false;
    if (phase === 0) return frequencyAt(subscriber, a.ingestedAt) === frequency;
    return history.some((h) => h.frequency === frequency && h.from < a.ingestedAt && a.ingestedAt <= h.until);
  });
}

/** The selection key of an issue holding only part of a selection's articles (a subscriber who changed frequency). */
export function partialSelectionKey(selection: string, articleIds: readonly string[]): string {
  return `${selection}.part-${createHash('sha256').update(articleIds.join(',')).digest('hex').slice(0, 16)}`;
}
