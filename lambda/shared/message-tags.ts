/**
 * The SES message tags newsbrief puts on every message (SendRawEmail `Tags`), and reads back from the
 * `mail.tags` of SES event publishing (bounces, complaints), so an event finds its subscriber and its
 * run without an address. SES allows only ASCII letters, digits, '_' and '-' in a tag value, at most
 * 256 characters (MessageTag, SES API reference); run ids hold '#' and ':', so the run id travels as
 * base64url, whose alphabet is exactly those characters.
 */

/** A run a message belongs to: a digest run or an article's alert. */
export interface MessageRun {
  readonly id: string;
  readonly kind: 'digest' | 'alert';
}

export interface MessageTag {
  readonly Name: string;
  readonly Value: string;
}

export const TAG = { subscriber: 'subscriberId', run: 'runId', runKind: 'runKind' } as const;

const TAG_VALUE = /^[A-Za-z0-9_-]{1,256}$/;
const KINDS: readonly MessageRun['kind'][] = ['digest', 'alert'];

/** The tags of one message: its subscriber, and its run when it has one. Values SES would refuse are left out. */
export function messageTags(subscriberId: string, run?: MessageRun): MessageTag[] {
  const tags: MessageTag[] = [];
  if (TAG_VALUE.test(subscriberId)) tags.push({ Name: TAG.subscriber, Value: subscriberId });
  if (run) {
    const encoded = Buffer.from(run.id, 'utf8').toString('base64url');
    // A run id over 192 bytes does not fit a tag: its events then count for the subscriber only.
    if (TAG_VALUE.test(encoded)) tags.push({ Name: TAG.run, Value: encoded }, { Name: TAG.runKind, Value: run.kind });
  }
  return tags;
}

/** The run named by an event's `mail.tags` (SES gives each tag as a list of values); null when absent or malformed. */
export function runOfTags(tags: Readonly<Record<string, readonly string[]>> | undefined): MessageRun | null {
  const encoded = tags?.[TAG.run]?.[0];
  const kind = tags?.[TAG.runKind]?.[0] as MessageRun['kind'] | undefined;
  if (encoded === undefined || !TAG_VALUE.test(encoded) || kind === undefined || !KINDS.includes(kind)) return null;
  const id = Buffer.from(encoded, 'base64url').toString('utf8');
  // base64url decoding skips stray characters: only a value that encodes back exactly is ours.
  if (id.length === 0 || Buffer.from(id, 'utf8').toString('base64url') !== encoded) return null;
  return { id, kind };
}
