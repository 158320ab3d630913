/**
 * What `npm run eval -- summaries` adds to the scorer's means:
 * - the head-to-head against Lead-3, article by article (ROUGE-1 F1 as the scorer computes it:
 *   tokens are lowercase [a-z0-9]+, no stemming): wins, ties, losses and a two-sided sign test.
 *   At 150 articles a mean difference of ±0.5 is within noise; the count says whether a change
 *   helps most articles or a few by a lot.
 * - a furniture check: every summary line that reads as a photo caption or page boilerplate.
 *   Its rules are written apart from the summariser's own (summary-rules.ts) so that they check
 *   them rather than repeat them, and one rule only a whole set can give: a line that recurs
 *   word for word in several different articles is page template, not news.
 */

/** A gold record of the summaries set (see the shared eval README). */
export interface GoldSummary {
  readonly id: string;
  readonly text: string;
  readonly reference: string;
  readonly lead3?: readonly string[];
}

/** One PRED line: the summary the analyzer wrote for an article. */
export interface PredSummary {
  readonly id: string;
  readonly summary: readonly string[];
}

const tokens = (s: string): string[] => s.toLowerCase().match(/[a-z0-9]+/g) ?? [];

/** ROUGE-1 F1 of `pred` against `ref`, both as text. */
export function rouge1(pred: string, ref: string): number {
  const p = tokens(pred);
  const r = tokens(ref);
  if (p.length === 0 || r.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const t of r) counts.set(t, (counts.get(t) ?? 0) + 1);
  let overlap = 0;
  for (const t of p) {
    const c = counts.get(t) ?? 0;
    if (c > 0) {
      overlap++;
      counts.set(t, c - 1);
    }
  }
  if (overlap === 0) return 0;
  const precision = overlap / p.length;
  const recall = overlap / r.length;
  return (2 * precision * recall) / (precision + recall);
}

/** Per-article comparison of the system with Lead-3. */
export interface HeadToHead {
  readonly articles: number;
  readonly wins: number;
  readonly ties: number;
  readonly losses: number;
  /** Mean ROUGE-1 difference, system − Lead-3, in points. */
  readonly meanDiff: number;
  /** Two-sided exact sign test over wins and losses (ties left out). */
  readonly signP: number;
}

/** Two-sided exact binomial (p = ½) probability of a split at least as uneven as wins : losses. */
export function signTest(wins: number, losses: number): number {
  const n = wins + losses;
  if (n === 0) return 1;
  const k = Math.min(wins, losses);
  // Sum C(n, i) / 2^n for i ≤ k in log space, so large n does not overflow.
  let logC = 0; // log C(n, 0)
  let tail = 0;
  for (let i = 0; i <= k; i++) {
    if (i > 0) logC += Math.log(n - i + 1) - Math.log(i);
    tail += Math.exp(logC - n * Math.LN2);
  }
  return Math.min(1, 2 * tail);
}

/** Compare each article's summary with its Lead-3 on ROUGE-1; a tie is a difference under 1e-9. */
export function headToHead(gold: readonly GoldSummary[], pred: ReadonlyMap<string, PredSummary>): HeadToHead {
  let wins = 0;
  let ties = 0;
  let losses = 0;
  let sum = 0;
  let articles = 0;
  for (const g of gold) {
    if (!g.lead3) continue;
    articles++;
    const sys = rouge1((pred.get(g.id)?.summary ?? []).join(' '), g.reference);
    const lead = rouge1(g.lead3.join(' '), g.reference);
    const d = sys - lead;
    sum += d;
    if (Math.abs(d) < 1e-9) ties++;
    else if (d > 0) wins++;
    else losses++;
  }
  return { articles, wins, ties, losses, meanDiff: articles ? (100 * sum) / articles : 0, signP: signTest(wins, losses) };
}

/** A summary line the furniture check objects to, with the rule that caught it. */
export interface Offence {
  readonly id: string;
  readonly line: string;
  /** 'unfinished': no closing punctuation, the form of a caption line, a label or a line broken mid-sentence. */
  readonly kind: 'caption' | 'boilerplate' | 'unfinished';
  readonly rule: string;
}

/** Rules that recognise a line as a caption or page furniture from its own words, most specific first. */
const LINE_RULES: readonly { kind: Offence['kind']; rule: string; re: RegExp }[] = [
  { kind: 'caption', rule: 'refers to a picture', re: /\bpictured\b|\bseen here\b|\bleft to right\b|\bin (?:this|the) (?:photo|picture|image)\b|\((?:[a-z ,]*\b(?:left|right|centre|center|above|below|inset|top|bottom)|file[a-z ]*|stock[a-z ]*|l-r)\)/i },
  { kind: 'caption', rule: 'picture credit', re: /\b(?:photo|picture|image|photograph)s?\s*(?::|credit|courtesy)|(?:^|\()(?:photo|picture|image|photograph)s? by\b|getty images|\bap photo\b|shutterstock|\brex features\b/i },
  { kind: 'boilerplate', rule: 'addresses the reader (click, scroll, share, follow, subscribe, sign up, download, visit, watch, read more)', re: /\b(?:click|tap) (?:here|the|on|to)\b|\bscroll (?:down|up)\b|\bshare (?:this|on|via|with)\b|\bfollow (?:us|me|@)|\bsubscribe\b|\bsign up\b|\bdownload (?:the|our)\b|\bvisit (?:site|our|the site|us)\b|\bwatch (?:the|our) video\b|\bread (?:more|the full)\b|\blike us\b/i },
  { kind: 'boilerplate', rule: 'link, address or handle', re: /https?:\/\/|\bwww\.|\S@\S+\.\w|(?:^|\s)@\w/i },
  { kind: 'boilerplate', rule: 'timestamp or rights line', re: /^(?:published|updated|last updated|posted)\b|\b(?:published|updated)\s*:|©|\bcopyright\b|all rights reserved|\beditor'?s note\b|opinions expressed/i },
  { kind: 'boilerplate', rule: 'byline', re: /^By (?:[A-Z][\w'’-]*\.? ?){1,4}(?:(?:and|,) (?:[A-Z][\w'’-]*\.? ?){1,4})?[.|]?$/ },
  { kind: 'unfinished', rule: 'no closing punctuation', re: /^(?!.*[.!?…]["'”’)\]]*\s*$)/s },
];

const normalised = (line: string): string => ` ${tokens(line).join(' ')} `;

/** Share of distinct words two texts have in common (Jaccard). */
function similarity(a: string, b: string): number {
  const x = new Set(a.split(' '));
  const y = new Set(b.split(' '));
  let both = 0;
  for (const w of x) if (y.has(w)) both++;
  return both / (x.size + y.size - both);
}

/**
 * Check every summary line against the rules above and against the whole set: a line of three or
 * more words that occurs in several articles is template text ("Scroll down for video", "Share
 * this with …"). Two versions of one story (the set has a few) share lines without them being
 * template, so a line found in only two articles counts when those two are different stories.
 */
export function furnitureCheck(gold: readonly GoldSummary[], pred: ReadonlyMap<string, PredSummary>): Offence[] {
  const texts = gold.map((g) => normalised(g.text));
  const recurs = (line: string): boolean => {
    const key = normalised(line);
    if (key.trim().split(' ').length < 3) return false;
    const found = texts.filter((t) => t.includes(key));
    if (found.length >= 3) return true;
    return found.length === 2 && similarity(found[0] as string, found[1] as string) < 0.5;
  };
  const out: Offence[] = [];
  for (const g of gold) {
    for (const line of pred.get(g.id)?.summary ?? []) {
      const hit = LINE_RULES.find((r) => r.re.test(line.trim()));
      if (hit) out.push({ id: g.id, line, kind: hit.kind, rule: hit.rule });
      else if (recurs(line)) out.push({ id: g.id, line, kind: 'boilerplate', rule: 'recurs in several articles' });
    }
  }
  return out;
}
