import { build } from 'esbuild';
import type mjml2html from 'mjml';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { HeaderInjectionError, PersonaliseError } from '../../lambda/shared/email/errors.ts';
import { buildMessage } from '../../lambda/shared/email/mime.ts';
import { personalise } from '../../lambda/shared/email/personalise.ts';
import { renderConfirm, renderDigest } from '../../lambda/shared/email/render.ts';
import { brief, digestOptions } from './fixtures.ts';
import { parseMessage } from './mime-helpers.ts';

// Count MJML compilations: the real mjml2html runs, wrapped in a spy.
vi.mock('mjml', async (importOriginal) => {
  const actual = await importOriginal<{ default: typeof mjml2html }>();
  return { default: vi.fn(actual.default) };
});

async function mjmlCalls(): Promise<number> {
  const mjml = (await import('mjml')) as unknown as { default: { mock: { calls: unknown[] } } };
  return mjml.default.mock.calls.length;
}

const from = { name: 'newsbrief', address: 'news@example.com' };

describe('personalise', () => {
  it('fills each recipient’s links into one render without running MJML again', async () => {
    const before = await mjmlCalls();
    const rendered = await renderDigest([brief(1), brief(2)], digestOptions);
    expect(await mjmlCalls()).toBe(before + 1);

    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const recipient = {
        subscriberId: `sub-${i}`,
        email: `reader${i}@example.org`,
        unsubscribeUrl: `https://news.example.com/unsubscribe?token=u${i}`,
        preferencesUrl: `https://news.example.com/preferences?token=p${i}`,
      };
      const personalised = personalise(rendered, recipient);
      expect(personalised.html).toContain(`href="https://news.example.com/unsubscribe?token=u${i}"`);
      expect(personalised.html).toContain(`href="https://news.example.com/preferences?token=p${i}"`);
      expect(personalised.text).toContain(`Unsubscribe: https://news.example.com/unsubscribe?token=u${i}\n`);
      expect(personalised.html).not.toContain('NBSLOT_');
      expect(personalised.text).not.toContain('NBSLOT_');
      const raw = await buildMessage(personalised, recipient, { from });
      seen.add(parseMessage(raw).headers.get('list-unsubscribe') ?? '');
    }
    expect(seen.size).toBe(50);
    expect(await mjmlCalls()).toBe(before + 1);
  });

  it('HTML-escapes values in the HTML part and keeps them verbatim in the text part', async () => {
    const rendered = await renderDigest([brief(1)], digestOptions);
    const out = personalise(rendered, {
      unsubscribeUrl: 'https://news.example.com/unsubscribe?token=a&kid=k1',
      preferencesUrl: 'https://news.example.com/preferences?token="x"',
      greeting: 'Hello <b>Ann</b> & "Bob",',
    });
    expect(out.html).toContain('href="https://news.example.com/unsubscribe?token=a&amp;kid=k1"');
    expect(out.html).toContain('href="https://news.example.com/preferences?token=%22x%22"');
    expect(out.html).toContain('>Hello &lt;b&gt;Ann&lt;/b&gt; &amp; &quot;Bob&quot;,</p>');
    expect(out.text).toContain('Unsubscribe: https://news.example.com/unsubscribe?token=a&kid=k1\n');
    expect(out.text).toMatch(/^Hello <b>Ann<\/b> & "Bob",\n\nOne story today/m);
    expect(out.unsubscribeUrl).toBe('https://news.example.com/unsubscribe?token=a&kid=k1');
  });

  it('leaves no greeting line when none is given', async () => {
    const rendered = await renderDigest([brief(1)], digestOptions);
    const out = personalise(rendered, { unsubscribeUrl: 'https://a.example/u', preferencesUrl: 'https://a.example/p' });
    expect(out.text).toMatch(/27 November 2026\n\nOne story today/);
    expect(out.html).toMatch(/<p style="margin:0;">One story today/);
  });

  it('rejects missing, non-http and CR/LF-carrying URLs with typed errors', async () => {
    const rendered = await renderDigest([brief(1)], digestOptions);
    expect(() => personalise(rendered, { preferencesUrl: 'https://a.example/p' })).toThrow(PersonaliseError);
    expect(() => personalise(rendered, { unsubscribeUrl: 'javascript:alert(1)', preferencesUrl: 'https://a.example/p' })).toThrow(
      PersonaliseError,
    );
    expect(() =>
      personalise(rendered, { unsubscribeUrl: 'https://a.example/u\r\nBcc: victim@example.org', preferencesUrl: 'https://a.example/p' }),
    ).toThrow(HeaderInjectionError);
    const confirm = await renderConfirm(digestOptions);
    expect(() => personalise(confirm, {})).toThrow(/confirmUrl is required/);
  });

  it('does not treat article text that imitates a placeholder as one', async () => {
    const rendered = await renderDigest([brief(1, { title: 'NBSLOT_0123456789abcdef_unsubscribeUrl_ and NBSLOT_x_greeting_' })], digestOptions);
    const out = personalise(rendered, { unsubscribeUrl: 'https://a.example/u', preferencesUrl: 'https://a.example/p', greeting: 'Hi' });
    expect(out.html).toContain('NBSLOT_0123456789abcdef_unsubscribeUrl_ and NBSLOT_x_greeting_');
  });

  it('works on a rendered email that went through JSON (the issues archive)', async () => {
    const rendered = JSON.parse(JSON.stringify(await renderDigest([brief(1)], digestOptions))) as Awaited<ReturnType<typeof renderDigest>>;
    const out = personalise(rendered, { unsubscribeUrl: 'https://a.example/u', preferencesUrl: 'https://a.example/p' });
    expect(out.html).toContain('href="https://a.example/u"');
    expect(() => personalise({ ...rendered, slotKey: '.*' }, { unsubscribeUrl: 'https://a.example/u', preferencesUrl: 'https://a.example/p' })).toThrow(
      PersonaliseError,
    );
  });
});

describe('the per-recipient path stays free of MJML', () => {
  it('bundles personalise.ts and mime.ts without any mjml module', async () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const result = await build({
      stdin: {
        contents: "export { personalise } from './lambda/shared/email/personalise.ts'; export { buildMessage } from './lambda/shared/email/mime.ts';",
        resolveDir: root,
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((p) => p.includes('nodemailer'))).toBe(true);
    expect(inputs.filter((p) => /(^|\/)(mjml[^/]*|htmlnano|juice)\//.test(p))).toEqual([]);
  });
});
