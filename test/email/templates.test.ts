import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { TemplateError } from '../../lambda/shared/email/errors.ts';
import { TEMPLATE_NAMES, fillTemplate, loadTemplate, templatesDir } from '../../lambda/shared/email/templates.ts';

const repoTemplates = fileURLToPath(new URL('../../templates/', import.meta.url));

describe('fillTemplate', () => {
  it('escapes {{x}}, inserts {{{x}}} as is, and keeps or drops sections', () => {
    const out = fillTemplate('<p>{{a}}</p>{{{b}}}{{#c}}[c]{{/c}}{{^c}}[not c]{{/c}}{{#d}}[d]{{/d}}{{^d}}[not d]{{/d}}', {
      a: '<i>&',
      b: '<mj-text>x</mj-text>',
      c: true,
      d: '',
    });
    expect(out).toBe('<p>&lt;i&gt;&amp;</p><mj-text>x</mj-text>[c][not d]');
  });

  it('never expands template syntax that arrives inside a value', () => {
    expect(fillTemplate('{{a}}|{{{b}}}', { a: '{{b}}', b: '{{#a}}{{a}}{{/a}}' })).toBe('{{b}}|{{#a}}{{a}}{{/a}}');
  });

  it('names the template and the value when one is missing', () => {
    expect(() => fillTemplate('{{title}}', {}, 'article')).toThrow(new TemplateError('article: no text value for "title"'));
    expect(() => fillTemplate('{{#url}}x{{/url}}', {}, 'article')).toThrow(TemplateError);
  });
});

describe('template lookup', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('finds the repository templates when run from source', () => {
    expect(templatesDir({})).toBe(repoTemplates);
    for (const name of TEMPLATE_NAMES) expect(loadTemplate(name).length).toBeGreaterThan(0);
  });

  it('finds templates copied next to a Lambda bundle through LAMBDA_TASK_ROOT', () => {
    const root = mkdtempSync(join(tmpdir(), 'newsbrief-task-'));
    dirs.push(root);
    cpSync(repoTemplates, join(root, 'templates'), { recursive: true });
    expect(templatesDir({ LAMBDA_TASK_ROOT: root })).toBe(join(root, 'templates'));
  });

  it('fails clearly when NEWSBRIEF_TEMPLATES_DIR points at the wrong place', () => {
    expect(() => templatesDir({ NEWSBRIEF_TEMPLATES_DIR: '/nonexistent/templates' })).toThrow(/NEWSBRIEF_TEMPLATES_DIR=\/nonexistent\/templates holds no digest.mjml/);
  });
});
