/** What a reader sees on the subscribe pages: topic names as in the emails, a secondary unsubscribe, true advice. */
import { describe, expect, it } from 'vitest';
import { CONFIRM_MAIL_INTERVAL_MS } from '../../lambda/shared/subscriptions/service.ts';
import { ACCEPTED } from '../../lambda/subscribe/app.ts';
import { preferencesPage, subscribePage } from '../../lambda/subscribe/pages.ts';

const ctx = { newsletterName: 'newsbrief', topics: ['us-politics', 'asia', 'climate-science'] };
const view = {
  status: 'confirmed',
  topics: ['asia'],
  frequency: 'daily',
  maskedEmail: 'a•••n@example.org',
  unsubscribeUrl: 'https://news.example.com/unsubscribe?token=U',
  forgetToken: 'F',
} as unknown as Parameters<typeof preferencesPage>[2];

describe('subscribe pages', () => {
  it('name topics as the emails do, and post their slugs', () => {
    for (const page of [subscribePage(ctx), preferencesPage(ctx, 'P', view)]) {
      expect(page).toContain('value="us-politics"> US politics</label>');
      expect(page).toContain('> Climate science</label>');
      expect(page).not.toMatch(/> (us-politics|asia)<\/label>/);
    }
  });

  it('set Unsubscribe apart from Save, as a secondary button below', () => {
    const page = preferencesPage(ctx, 'P', view);
    const save = page.indexOf('>Save</button>');
    const leave = page.indexOf('<section class="leave">');
    const unsubscribe = page.indexOf('<button class="secondary" type="submit">Unsubscribe</button>');
    expect(save).toBeGreaterThan(0);
    expect(leave).toBeGreaterThan(save);
    expect(unsubscribe).toBeGreaterThan(leave);
    expect(page).toMatch(/section\.leave\{margin-top:2rem;padding-top:1rem;border-top:1px solid #ddd\}/);
    expect(page).toMatch(/button\.secondary\{background:none;/);
  });

  it('link "subscribe anew" once unsubscribed', () => {
    const page = preferencesPage(ctx, 'P', { ...view, status: 'unsubscribed' } as typeof view);
    expect(page).toContain('<a href="./">subscribe anew</a>');
  });

  it('give advice on a missing confirmation that is true: wait out the resend interval', () => {
    const minutes = CONFIRM_MAIL_INTERVAL_MS / 60_000;
    expect(ACCEPTED.message).toContain(`If none has arrived after ${minutes} minutes`);
    expect(ACCEPTED.message).not.toMatch(/a few minutes/);
  });
});
