import { describe, expect, it } from 'vitest';
import { lazy } from '../../lambda/shared/lazy.ts';

describe('lazy', () => {
  it('builds once and shares the result', async () => {
    let builds = 0;
    const get = lazy(() => ++builds);
    expect(await Promise.all([get(), get(), get()])).toEqual([1, 1, 1]);
    expect(builds).toBe(1);
  });

  it('retries a failed build on the next call instead of caching the failure', async () => {
    let calls = 0;
    const get = lazy(async () => {
      calls++;
      if (calls === 1) throw new Error('cold start failed');
      return 'ready';
    });
    await expect(get()).rejects.toThrow('cold start failed');
    await expect(get()).resolves.toBe('ready');
    expect(calls).toBe(2);
  });
});
