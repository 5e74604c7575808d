import { describe, expect, it } from 'vitest';
import { TemplateError, renderTemplate } from '../../src/handlers/template.js';

describe('renderTemplate', () => {
  it('fills variables, dotted paths and lists with their index', () => {
    const out = renderTemplate('{{task.id}}: {{task.subject}}\n{{#items}}\n{{@n}}. {{name}} ({{task.id}})\n{{/items}}\nend', {
      task: { id: 'T-1', subject: 'Cancel' },
      items: [{ name: 'a' }, { name: 'b' }],
    });
    expect(out).toBe('T-1: Cancel\n1. a (T-1)\n2. b (T-1)\nend');
  });

  it('renders a section once for a truthy value and an inverted section for an empty list', () => {
    const t = '{{#issue}}{{issue.type}} from {{from}}{{/issue}}{{^files}}no files{{/files}}';
    expect(renderTemplate(t, { issue: { type: 'BUG', from: 'breaker' }, files: [] })).toBe('BUG from breakerno files');
    expect(renderTemplate(t, { files: ['x'] })).toBe('');
  });

  it('inserts values as text: braces inside a value are not rendered again', () => {
    expect(renderTemplate('{{body}}', { body: '{{secret}} {{#x}}y{{/x}}', secret: 'leak' })).toBe('{{secret}} {{#x}}y{{/x}}');
  });

  it('refuses an unclosed or mismatched section', () => {
    expect(() => renderTemplate('{{#a}}x', {})).toThrow(TemplateError);
    expect(() => renderTemplate('{{#a}}x{{/b}}', {})).toThrow('{{/b}} closes {{#a}}');
  });
});
