import { createRequire } from 'node:module';
import { Token } from 'aws-cdk-lib';
import cronValidateModule from 'cron-validate';
import * as z from 'zod';

/**
 * Checks of single configuration values that a deploy would otherwise find too late: EventBridge
 * Scheduler expressions, IANA time zones, and free text that ends up in headers, footers and the
 * CloudFormation template. Each returns a zod schema, so lib/config.ts names the key on failure.
 */

// cron-validate is CommonJS with `exports.default`: Node's ESM loader hands over module.exports,
// vitest's interop the function itself. Accept both.
type CronValidate = (cron: string, options: { preset: string }) => { isValid(): boolean; getError(): string[] };
const cronValidate: CronValidate =
  (cronValidateModule as unknown as { default?: CronValidate }).default ?? (cronValidateModule as unknown as CronValidate);

/**
 * An EventBridge Scheduler cron, `cron(minutes hours day-of-month month day-of-week year)`
 * (Scheduler User Guide, "Schedule types", cron-based; the same syntax as EventBridge rules):
 * minutes 0-59, hours 0-23, day-of-month 1-31 with `? L W`, month 1-12 or JAN-DEC, day-of-week
 * 1-7 or SUN-SAT with `? L #`, year 1970-2199; `, - * /` everywhere; `?` in exactly one of the
 * two day fields. cron-validate's `aws-cloud-watch` preset encodes these rules; on top of it:
 * `#` takes an occurrence 1-5 (the preset lets `#0` through), and a year field whose every year
 * has passed would never fire.
 */
export function checkSchedulerCron(fields: string, now: Date = new Date()): string[] {
  const [, , dayOfMonth, , dayOfWeekField] = fields.split(' ');
  if ((dayOfMonth === '?') === (dayOfWeekField === '?')) {
    return ['exactly one of day-of-month (3rd field) and day-of-week (5th field) must be "?"'];
  }
  const result = cronValidate(fields, { preset: 'aws-cloud-watch' });
  if (!result.isValid()) return result.getError().map((e) => e.replace(/ \(Input cron: .*\)$/s, ''));
  const [, , , , dayOfWeek = '', year = ''] = fields.split(' ');
  const nth = /#(\d+)$/.exec(dayOfWeek);
  if (nth && (Number(nth[1]) < 1 || Number(nth[1]) > 5)) return [`day-of-week "${dayOfWeek}": the occurrence after # must be 1 to 5`];
  const years = year.match(/\d{4}/g)?.map(Number) ?? [];
  const lastYear = /[*/]/.test(year) ? Infinity : Math.max(...years);
  if (lastYear < now.getUTCFullYear()) return [`year "${year}": every year in it has passed, so the schedule would never run`];
  return [];
}

/**
 * A rate expression, `rate(value unit)`: a positive integer and minute(s), hour(s) or day(s), the
 * singular exactly when the value is 1 (EventBridge's rule; Scheduler documents the same units).
 */
export function checkSchedulerRate(body: string): string[] {
  const m = /^(\d+) (minute|minutes|hour|hours|day|days)$/.exec(body);
  if (!m) return ['must be rate(<positive integer> minute(s)|hour(s)|day(s)), e.g. rate(1 day)'];
  const value = Number(m[1]);
  const unit = m[2]!;
  if (value < 1) return ['the rate value must be at least 1'];
  if ((value === 1) !== !unit.endsWith('s')) return [`write "${value} ${value === 1 ? unit.replace(/s$/, '') : `${unit.replace(/s$/, '')}s`}"`];
  return [];
}

/** A schedule expression, normalised to `cron(...)` with single spaces, or `rate(...)`. */
export const scheduleExpression = z.string().transform((raw, ctx) => {
  const text = raw.trim();
  const rate = /^rate\((.*)\)$/s.exec(text);
  if (rate) {
    const body = rate[1]!.trim().split(/\s+/).join(' ');
    for (const message of checkSchedulerRate(body)) ctx.addIssue({ code: 'custom', message });
    return `rate(${body})`;
  }
  const bare = text.replace(/^cron\((.*)\)$/s, '$1').trim();
  const fields = bare.split(/\s+/);
  if (fields.length !== 6) {
    ctx.addIssue({ code: 'custom', message: `must have 6 fields: minutes hours day-of-month month day-of-week year (got ${fields.length})` });
    return z.NEVER;
  }
  const normalised = fields.join(' ');
  for (const message of checkSchedulerCron(normalised)) ctx.addIssue({ code: 'custom', message });
  return `cron(${normalised})`;
});

/** Every IANA zone name (zones and links) by its lower-case form, and the zone each link points to. */
const TZ = (() => {
  const zones = (createRequire(import.meta.url)('tzdata') as { zones: Record<string, unknown> }).zones;
  const byLowerCase = new Map(Object.keys(zones).map((name) => [name.toLowerCase(), name]));
  const canonical = (name: string): string => {
    let current = name;
    for (let hops = 0; typeof zones[current] === 'string' && hops < 5; hops++) current = zones[current] as string;
    return current;
  };
  return { byLowerCase, canonical };
})();

/**
 * An IANA time zone, written to the template as its canonical name: the spelling is fixed
 * ("asia/kolkata" → "Asia/Kolkata") and a link becomes the zone it names ("Asia/Calcutta" →
 * "Asia/Kolkata", "UTC" → "Etc/UTC"), from the tz database in the `tzdata` package, so the
 * template does not depend on the ICU of the Node that ran synth. Offsets such as "+05:30" are
 * not zone names.
 */
export const ianaTimeZone = z.string().transform((raw, ctx) => {
  const name = TZ.byLowerCase.get(raw.trim().toLowerCase());
  if (name === undefined) {
    ctx.addIssue({ code: 'custom', message: 'must be an IANA time zone name such as "Europe/Berlin", "Asia/Kolkata" or "UTC"' });
    return z.NEVER;
  }
  return TZ.canonical(name);
});

/** C0 controls and DEL: CR and LF above all, which would split a header. */
function isControl(ch: string): boolean {
  const code = ch.codePointAt(0) ?? 0;
  return code < 0x20 || code === 0x7f;
}

/**
 * Text from the configuration that ends up in mail or in the template: bounded, and one line (a
 * CR or LF in a header-bound value is header injection, and every send would fail). Dynamic
 * references and tokens are refused in every key by `unsafeStrings`.
 */
export function safeText(options: { readonly max: number; readonly min?: number }): z.ZodString {
  return z
    .string()
    .trim()
    .min(options.min ?? 1)
    .max(options.max)
    .refine((s) => ![...s].some(isControl), 'must be one line without control characters (no CR, LF or tab)');
}

/**
 * Every string in `value` (keys too) that is a CloudFormation dynamic reference (`{{resolve:...}}`
 * would be resolved at deploy and the secret printed in every footer) or a CDK token string (it
 * would crash synth later with a stack trace), by path ("topicRules.asia.1").
 */
export function unsafeStrings(value: unknown, path: string[] = []): { path: string; reason: string }[] {
  if (typeof value === 'string') {
    if (/\{\{resolve:/i.test(value)) return [{ path: path.join('.'), reason: 'must not contain a CloudFormation dynamic reference ("{{resolve:...}}")' }];
    if (Token.isUnresolved(value)) return [{ path: path.join('.'), reason: 'must be plain text, not a CDK token' }];
    return [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => unsafeStrings(v, [...path, String(i)]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [
      ...unsafeStrings(k, [...path, k]),
      ...unsafeStrings(v, [...path, k]),
    ]);
  }
  return [];
}
