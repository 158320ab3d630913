import { randomBytes } from 'node:crypto';
import type { SlotName } from './types.ts';

/**
 * Placeholders for per-recipient values. Letters, digits and underscores only, so they survive
 * MJML, the HTML minifier and HTML escaping unchanged; the random key per render means text in an
 * article cannot spell a real placeholder.
 */

/** A fresh random key for one render. */
export function newSlotKey(): string {
  return randomBytes(8).toString('hex');
}

/** The placeholder of slot `name` in the render keyed `key`. */
export function slotToken(key: string, name: SlotName): string {
  return `NBSLOT_${key}_${name}_`;
}

/** A global pattern matching every placeholder of the render keyed `key`; group 1 is the slot name. */
export function slotPattern(key: string): RegExp {
  if (!/^[0-9a-f]{16}$/.test(key)) throw new TypeError('malformed slot key');
  return new RegExp(`NBSLOT_${key}_([A-Za-z]+)_`, 'g');
}
