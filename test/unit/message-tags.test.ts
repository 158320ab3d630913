import { describe, expect, it } from 'vitest';
import { messageTags, runOfTags } from '../../lambda/shared/message-tags.ts';

describe('message tags', () => {
  it('carries a run id with # and : through SES tag values (letters, digits, _ and - only) and back', () => {
    const run = { id: 'digest#weekly#2026-11-27T08:00:00.000Z', kind: 'digest' as const };
    const tags = messageTags('sub_1-A', run);
    for (const t of tags) expect(t.Value).toMatch(/^[A-Za-z0-9_-]{1,256}$/);
    const asEvent = Object.fromEntries(tags.map((t) => [t.Name, [t.Value]]));
    expect(runOfTags(asEvent)).toEqual(run);
    expect(runOfTags({ ...asEvent, runKind: ['newsletter'] })).toBeNull();
    expect(runOfTags({ runId: asEvent.runId! })).toBeNull();
    expect(runOfTags({ runId: ['not*base64'], runKind: ['alert'] })).toBeNull();
    expect(runOfTags(undefined)).toBeNull();
  });

  it('leaves out values SES would refuse: an odd subscriber id, a run id too long for 256 characters', () => {
    expect(messageTags('not a tag!')).toEqual([]);
    expect(messageTags('s1', { id: `alert#${'x'.repeat(200)}`, kind: 'alert' })).toEqual([{ Name: 'subscriberId', Value: 's1' }]);
    expect(messageTags('s1', { id: `alert#${'x'.repeat(180)}`, kind: 'alert' }).map((t) => t.Name)).toEqual(['subscriberId', 'runId', 'runKind']);
  });
});
