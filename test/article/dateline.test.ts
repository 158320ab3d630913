import { describe, expect, it } from 'vitest';
import { looksLikeDateline, parseDate, TIME_ZONES } from '../../lambda/shared/article/dateline.ts';

describe('parseDate', () => {
  it('reads the sample dateline with IST as India Standard Time', () => {
    expect(parseDate('| September 11 , 2018 , 14:06 IST')).toEqual({ iso: '2018-09-11T14:06:00+05:30' });
  });

  it.each([
    ['GMT', '+00:00'], ['UTC', '+00:00'], ['BST', '+01:00'], ['EST', '-05:00'], ['EDT', '-04:00'],
    ['CST', '-06:00'], ['CDT', '-05:00'], ['PST', '-08:00'], ['PDT', '-07:00'], ['CET', '+01:00'],
    ['CEST', '+02:00'], ['JST', '+09:00'], ['IST', '+05:30'],
  ])('maps %s explicitly to %s', (tz, offset) => {
    expect(parseDate(`March 3, 2020, 09:15 ${tz}`)).toEqual({ iso: `2020-03-03T09:15:00${offset}` });
    expect(TIME_ZONES[tz]).toBeTypeOf('number');
  });

  it('reads 12-hour times, abbreviated months and day-first dates', () => {
    expect(parseDate('Sept. 11, 2018 2:06 p.m. EDT')).toEqual({ iso: '2018-09-11T14:06:00-04:00' });
    expect(parseDate('Jan 1 2021 12:30 am PST')).toEqual({ iso: '2021-01-01T00:30:00-08:00' });
    expect(parseDate('8 September 2026 10:15 BST')).toEqual({ iso: '2026-09-08T10:15:00+01:00' });
    expect(parseDate('July 4, 2025')).toEqual({ iso: '2025-07-04T00:00:00+00:00' });
  });

  it('reads ISO 8601 and keeps its offset', () => {
    expect(parseDate('2018-09-11T14:06:00+05:30')).toEqual({ iso: '2018-09-11T14:06:00+05:30' });
    expect(parseDate('2018-09-11T08:36:00Z')).toEqual({ iso: '2018-09-11T08:36:00+00:00' });
    expect(parseDate('2018-09-11')).toEqual({ iso: '2018-09-11T00:00:00+00:00' });
  });

  it('says why a date cannot be read instead of guessing', () => {
    expect(parseDate('| sometime last week')).toEqual({ problem: expect.stringContaining('unrecognised date') });
    expect(parseDate('September 11, 2018, 14:06 XYZ')).toEqual({ problem: expect.stringContaining('unknown time zone "XYZ"') });
    expect(parseDate('February 30, 2019')).toEqual({ problem: expect.stringContaining('no such date') });
    expect(parseDate('Smarch 3, 2019')).toEqual({ problem: expect.stringContaining('unknown month') });
    expect(parseDate('2019-13-01')).toEqual({ problem: expect.stringContaining('no such date') });
    expect(parseDate('May 3, 2019 25:10 UTC')).toEqual({ problem: expect.stringContaining('no such time') });
  });
});

describe('looksLikeDateline', () => {
  it('recognises pipe datelines and bare dates but not prose', () => {
    expect(looksLikeDateline('| September 11 , 2018 , 14:06 IST')).toBe(true);
    expect(looksLikeDateline('Sept. 11, 2018')).toBe(true);
    expect(looksLikeDateline('Around 3 months after the historic summit between the two leaders, the White House said.')).toBe(false);
  });
});
