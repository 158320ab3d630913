import { escapeHtml } from './escape.ts';
import { TemplateError } from './errors.ts';
import { newSlotKey, slotPattern, slotToken } from './slots.ts';
import { writeText } from './text.ts';
import type { ConfirmOptions, RenderedEmail, SlotName } from './types.ts';
import { confirmView, type IssueView } from './view.ts';

/**
 * The confirmation email precompiled: confirm.mjml is rendered by MJML once, at build time
 * (`npm run compile:templates` → templates/confirm.compiled.json), with every text the view writes
 * left as a placeholder. The subscribe Lambda fills it here, without mjml, so its bundle stays
 * small (issue 6: ≤ 500 KB). Must never import mjml; test/email/compiled.test.ts bundles the
 * subscribe handler and checks.
 */

/**
 * The slot key of the compiled artifact. Fixed, so the committed file is reproducible; safe, since
 * instantiateConfirm() replaces every placeholder in one pass (an inserted value is never scanned
 * again) and gives the confirm link a fresh random key before personalise() sees the email.
 */
export const COMPILED_SLOT_KEY = '00000000c0ff1e00';

/** The view texts the confirmation HTML shows, each a placeholder in the compiled artifact. */
export const CONFIRM_FIELDS = [
  'lang',
  'newsletterName',
  'issueLabel',
  'subject',
  'preheader',
  'intro',
  'why',
  'postalAddress',
  'senderLine',
  'linkValidity',
] as const satisfies readonly (keyof IssueView)[];
export type ConfirmField = (typeof CONFIRM_FIELDS)[number];

/** confirm.mjml compiled by MJML with placeholders for the view texts and the confirm link. Plain JSON. */
export interface CompiledConfirm {
  readonly kind: 'confirm';
  /** Always COMPILED_SLOT_KEY. */
  readonly slotKey: string;
  /** The per-recipient slots, filled later by personalise(). */
  readonly slots: readonly SlotName[];
  readonly html: string;
}

/** The placeholder of a view text or slot in the compiled artifact. */
export function compiledToken(name: ConfirmField | SlotName): string {
  return `NBSLOT_${COMPILED_SLOT_KEY}_${name}_`;
}

function isField(name: string): name is ConfirmField {
  return (CONFIRM_FIELDS as readonly string[]).includes(name);
}

/** Check that `value` (the parsed compiled file) is a compiled confirmation email; TemplateError naming `source` if not. */
export function parseCompiledConfirm(value: unknown, source = 'templates/confirm.compiled.json'): CompiledConfirm {
  const fail = (reason: string): never => {
    throw new TemplateError(`${source} is not a compiled confirmation email (${reason}); run npm run compile:templates`);
  };
  if (typeof value !== 'object' || value === null) return fail('not a JSON object');
  const v = value as Partial<Record<keyof CompiledConfirm, unknown>>;
  if (v.kind !== 'confirm') fail('kind is not "confirm"');
  if (v.slotKey !== COMPILED_SLOT_KEY) fail(`slotKey is not ${COMPILED_SLOT_KEY}`);
  if (!Array.isArray(v.slots) || v.slots.length !== 1 || v.slots[0] !== 'confirmUrl') fail('slots is not ["confirmUrl"]');
  if (typeof v.html !== 'string') return fail('html is not a string');
  const names = [...v.html.matchAll(slotPattern(COMPILED_SLOT_KEY))].map((m) => m[1] as string);
  const unknown = names.find((name) => name !== 'confirmUrl' && !isField(name));
  if (unknown !== undefined) fail(`unknown placeholder ${unknown}`);
  if (!names.includes('confirmUrl')) fail('no confirm link');
  return { kind: 'confirm', slotKey: COMPILED_SLOT_KEY, slots: ['confirmUrl'], html: v.html };
}

/**
 * The confirmation email for `options` from the compiled artifact: view texts HTML-escaped into the
 * HTML in one pass (as fillTemplate would have put them into the MJML), the text part written from
 * the same view, and the confirm link a slot under a fresh random key, ready for personalise().
 */
export function instantiateConfirm(compiled: CompiledConfirm, options: ConfirmOptions): RenderedEmail {
  const view = confirmView(options);
  const slotKey = newSlotKey();
  const slot = (name: SlotName) => slotToken(slotKey, name);
  const html = compiled.html.replace(slotPattern(compiled.slotKey), (_match, name: string) => {
    if (name === 'confirmUrl') return slot('confirmUrl');
    if (isField(name)) return escapeHtml(view[name]);
    throw new TemplateError(`compiled confirmation email has an unknown placeholder ${name}; run npm run compile:templates`);
  });
  return {
    kind: 'confirm',
    subject: view.subject,
    preheader: view.preheader,
    html,
    text: writeText(view, slot),
    slotKey,
    slots: compiled.slots,
  };
}
