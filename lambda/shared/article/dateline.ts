/**
 * Dates as news copy writes them: `| September 11 , 2018 , 14:06 IST`, `Sept. 11, 2018 2:06 p.m. EDT`,
 * `11 September 2018`, or ISO 8601. Output is ISO 8601 with an explicit offset
 * (`2018-09-11T14:06:00+05:30`), the form the Article model stores.
 */

/**
 * Time-zone abbreviations, mapped explicitly to UTC offsets in minutes. Abbreviations are ambiguous
 * worldwide (IST is also Irish and Israel Standard Time); this map fixes the reading newsbrief's
 * sources use: IST = India Standard Time, CST = US Central Standard Time.
 */
export const TIME_ZONES: Readonly<Record<string, number>> = {
  UTC: 0, GMT: 0, Z: 0, WET: 0,
  BST: 60, IST: 330, CET: 60, CEST: 120, WEST: 60, EET: 120, EEST: 180, MSK: 180,
  EST: -300, EDT: -240, CST: -360, CDT: -300, MST: -420, MDT: -360, PST: -480, PDT: -420,
  AKST: -540, AKDT: -480, HST: -600,
  JST: 540, KST: 540, HKT: 480, SGT: 480, PKT: 300, AEST: 600, AEDT: 660, NZST: 720, NZDT: 780,
};

const MONTHS: Readonly<Record<string, number>> = {
  jan: 1, january: 1, feb: 2, february: 2, mar: 3, march: 3, apr: 4, april: 4, may: 5, jun: 6, june: 6,
  jul: 7, july: 7, aug: 8, august: 8, sep: 9, sept: 9, september: 9, oct: 10, october: 10, nov: 11,
  november: 11, dec: 12, december: 12,
};

/** The outcome of reading a date: an ISO string, or the reason it could not be read. */
export type DateResult = { readonly iso: string } | { readonly problem: string };

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

function offsetText(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

function validDay(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

interface Parts {
  y: number; mo: number; d: number; h: number; mi: number; s: number; offset: number;
}

function isoOf(p: Parts): string {
  return `${pad(p.y, 4)}-${pad(p.mo)}-${pad(p.d)}T${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}${offsetText(p.offset)}`;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/i;
const MONTH_FIRST = /^([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?\s*,?\s*(\d{4})(.*)$/i;
const DAY_FIRST = /^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]{3,9})\.?\s*,?\s*(\d{4})(.*)$/i;
const TIME = /^(?:,|at|-|–)?\s*(\d{1,2})[:.](\d{2})(?::(\d{2}))?\s*(a\.?m\.?|p\.?m\.?)?\s*(?:\(?([a-z]{1,5})\)?)?\s*$/i;

function fromIso(s: string): DateResult | null {
  const m = ISO.exec(s);
  if (!m) return null;
  const [, ys, mos, ds, hs, mis, ss, tz] = m;
  const p: Parts = { y: Number(ys), mo: Number(mos), d: Number(ds), h: Number(hs ?? 0), mi: Number(mis ?? 0), s: Number(ss ?? 0), offset: 0 };
  if (!validDay(p.y, p.mo, p.d) || p.h > 23 || p.mi > 59 || p.s > 59) return { problem: `no such date or time "${s}"` };
  if (tz && tz.toUpperCase() !== 'Z') {
    const t = tz.replace(':', '');
    const mins = Number(t.slice(1, 3)) * 60 + Number(t.slice(3, 5));
    p.offset = t.startsWith('-') ? -mins : mins;
  }
  return { iso: isoOf(p) };
}

/**
 * Read a date in any of the supported forms. A date without a time is taken as 00:00, a time
 * without a zone as UTC; an unknown zone abbreviation is a problem, never a guess.
 */
export function parseDate(input: string): DateResult {
  const s = input.trim().replace(/^\|\s*/, '').replace(/\s+/g, ' ').replace(/\s*\|\s*$/, '');
  if (s === '') return { problem: 'no date given' };
  const iso = fromIso(s);
  if (iso) return iso;
  const mf = MONTH_FIRST.exec(s);
  const df = mf ? null : DAY_FIRST.exec(s);
  const parts = mf ? { month: mf[1], day: mf[2], year: mf[3], rest: mf[4] } : df ? { month: df[2], day: df[1], year: df[3], rest: df[4] } : null;
  if (!parts) return { problem: `unrecognised date "${s}"` };
  const mo = MONTHS[(parts.month ?? '').toLowerCase()];
  if (mo === undefined) return { problem: `unknown month in "${s}"` };
  const p: Parts = { y: Number(parts.year), mo, d: Number(parts.day), h: 0, mi: 0, s: 0, offset: 0 };
  if (!validDay(p.y, p.mo, p.d)) return { problem: `no such date "${s}"` };
  const rest = (parts.rest ?? '').trim();
  if (rest !== '') {
    const t = TIME.exec(rest);
    if (!t) return { problem: `unrecognised time in "${s}"` };
    const [, hs, mis, ss, ampm, tz] = t;
    p.h = Number(hs);
    p.mi = Number(mis);
    p.s = Number(ss ?? 0);
    if (ampm) {
      if (p.h < 1 || p.h > 12) return { problem: `no such time in "${s}"` };
      const pm = ampm.toLowerCase().startsWith('p');
      p.h = (p.h % 12) + (pm ? 12 : 0);
    }
    if (p.h > 23 || p.mi > 59 || p.s > 59) return { problem: `no such time in "${s}"` };
    if (tz) {
      const offset = TIME_ZONES[tz.toUpperCase()];
      if (offset === undefined) return { problem: `unknown time zone "${tz}" in "${s}"` };
      p.offset = offset;
    }
  }
  return { iso: isoOf(p) };
}

/** Whether a line looks like a dateline (`| September 11 , 2018 , 14:06 IST`) rather than body text. */
export function looksLikeDateline(line: string): boolean {
  const s = line.trim();
  if (s.startsWith('|')) return true;
  if (s.length > 60) return false;
  return MONTH_FIRST.test(s) || DAY_FIRST.test(s) || ISO.test(s);
}
