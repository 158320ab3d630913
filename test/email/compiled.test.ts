import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import committed from '../../templates/confirm.compiled.json' with { type: 'json' };
import { COMPILED_SLOT_KEY, compiledToken, instantiateConfirm, parseCompiledConfirm } from '../../lambda/shared/email/compiled.ts';
import { TemplateError } from '../../lambda/shared/email/errors.ts';
import { personalise } from '../../lambda/shared/email/personalise.ts';
import { compileConfirm, renderConfirmDirect } from '../../lambda/shared/email/render.ts';
import type { ConfirmOptions } from '../../lambda/shared/email/types.ts';
import { createConfirmationComposer } from '../../lambda/shared/subscriptions/confirmation-mail.ts';
import { parseMessage } from './mime-helpers.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const confirmUrl = 'https://news.example.com/confirm?token=c.1&kid=k1';

const plain: ConfirmOptions = { newsletterName: 'newsbrief', postalAddress: 'newsbrief Ltd, 1 Harbour Street, Portsmouth PO1 2AB, United Kingdom' };
const hostile: ConfirmOptions = {
  newsletterName: `News & <Views> "Daily" O'Brien`,
  postalAddress: `1 "Main" St & <b>bold</b> 'quoted' &amp; ©`,
  linkValidity: '3 days & <nights>',
  lang: 'en-GB',
};

describe('templates/confirm.compiled.json', () => {
  it('is up to date with templates/confirm.mjml and its partials', { timeout: 60_000 }, async () => {
    const fresh = await compileConfirm();
    expect(parseCompiledConfirm(committed), 'templates/confirm.compiled.json is stale: run `npm run compile:templates`').toEqual(fresh);
  });

  it('filled with the deployment texts is the email MJML renders with those texts filled in first', { timeout: 60_000 }, async () => {
    const compiled = parseCompiledConfirm(committed);
    for (const options of [plain, hostile]) {
      const fromCompiled = personalise(instantiateConfirm(compiled, options), { confirmUrl });
      const direct = personalise(await renderConfirmDirect(options), { confirmUrl });
      expect(fromCompiled).toEqual(direct);
    }
  });

  it('escapes the configured texts and leaves no placeholder behind', () => {
    const rendered = instantiateConfirm(parseCompiledConfirm(committed), hostile);
    expect(rendered.slots).toEqual(['confirmUrl']);
    expect(rendered.slotKey).not.toBe(COMPILED_SLOT_KEY);
    expect(rendered.subject).toBe(`Confirm your subscription to ${hostile.newsletterName}`);
    const { html, text } = personalise(rendered, { confirmUrl });
    expect(html).toContain('<html lang="en-GB"');
    expect(html).toContain('<title>Confirm your subscription to News &amp; &lt;Views&gt; &quot;Daily&quot; O&#39;Brien</title>');
    expect(html).toContain('1 &quot;Main&quot; St &amp; &lt;b&gt;bold&lt;/b&gt; &#39;quoted&#39; &amp;amp; ©');
    expect(html).toContain('The link is valid for 3 days &amp; &lt;nights&gt;.');
    expect(html).not.toContain('<b>bold');
    expect(html).not.toContain('NBSLOT_');
    expect(html.match(/href="https:\/\/news\.example\.com\/confirm\?token=c\.1&amp;kid=k1"/g)).toHaveLength(2);
    expect(text).toContain(`Confirm my subscription:\n${confirmUrl}\n`);
    expect(text).not.toContain('NBSLOT_');
  });

  it('does not expand a configured text that imitates a placeholder', () => {
    const forged = `${compiledToken('confirmUrl')} ${compiledToken('postalAddress')}`;
    const rendered = instantiateConfirm(parseCompiledConfirm(committed), { ...plain, newsletterName: forged });
    const { html } = personalise(rendered, { confirmUrl });
    expect(html).toContain(`>${forged}</h1>`);
    expect(html.match(/https:\/\/news\.example\.com\/confirm/g)).toHaveLength(3);
  });

  it('rejects a damaged compiled file with a message that says how to regenerate it', () => {
    const good = parseCompiledConfirm(committed);
    const bad: unknown[] = [
      null,
      'html',
      { ...good, kind: 'digest' },
      { ...good, slotKey: '0123456789abcdef' },
      { ...good, slots: [] },
      { ...good, html: 42 },
      { ...good, html: good.html.replaceAll(compiledToken('confirmUrl'), '') },
      { ...good, html: `${good.html}${compiledToken('unsubscribeUrl')}` },
    ];
    for (const value of bad) {
      expect(() => parseCompiledConfirm(value)).toThrow(TemplateError);
      expect(() => parseCompiledConfirm(value)).toThrow(/templates\/confirm\.compiled\.json .*run npm run compile:templates/);
    }
  });
});

describe('the confirmation worker', () => {
  it('sends the compiled confirmation email: same words, link slot filled, no List-Unsubscribe', { timeout: 60_000 }, async () => {
    const composer = createConfirmationComposer({ newsletterName: plain.newsletterName, postalAddress: plain.postalAddress, from: { name: 'newsbrief', address: 'news@example.com' } });
    const { headers, parts } = parseMessage(await composer.compose({ subscriberId: 'sub-1', email: 'reader@example.org', confirmUrl }));
    const expected = personalise(await renderConfirmDirect({ ...plain, linkValidity: '7 days' }), { confirmUrl });
    expect(headers.get('subject')).toBe(expected.subject);
    expect(headers.has('list-unsubscribe')).toBe(false);
    expect(parts.map((p) => p.body.replace(/\r\n/g, '\n'))).toEqual([expected.text, expected.html]);
  });

  it.each(['confirm-mail', 'subscribe'])('%s bundles without mjml or the MJML renderer', async (fn) => {
    const result = await build({
      entryPoints: [`${root}lambda/${fn}/handler.ts`],
      bundle: true,
      platform: 'node',
      format: 'esm',
      write: false,
      metafile: true,
      external: ['@aws-sdk/*', '@smithy/*'],
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    // The worker sends the precompiled confirmation email; the API sends nothing.
    if (fn === 'confirm-mail') expect(inputs).toContain('templates/confirm.compiled.json');
    else expect(inputs.filter((p) => p.startsWith('templates/') || /email\/(compiled|mime|personalise)\.ts$/.test(p) || p.includes('nodemailer'))).toEqual([]);
    expect(inputs.filter((p) => /(^|\/)(mjml[^/]*|htmlnano|juice)\//.test(p) || p.endsWith('email/render.ts') || p.endsWith('email/templates.ts'))).toEqual([]);
  });
});
