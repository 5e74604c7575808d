import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/protocol/index.js';
import { parseMessage, renderMessage } from '../../src/protocol/index.js';
import { endsWithActionBlock, normalizeAction, normalizeBody } from '../../src/protocol/text.js';
import { anyBody, anyMessage } from './arbitraries.js';

/** What a message reads back as: its body and action in canonical form. */
function canonical(m: Message): Message {
  const c: Message = { ...m, body: normalizeBody(m.body) };
  if (m.action !== undefined) c.action = normalizeAction(m.action);
  return c;
}

function roundTrip(text: string): Message {
  const r = parseMessage(text);
  if (!r.ok) throw new Error(`${r.error.message}\n--- text ---\n${text}`);
  return r.value;
}

describe('properties of parse and render', () => {
  it('reads back every valid message it renders', () => {
    fc.assert(
      fc.property(anyMessage, (m) => {
        expect(roundTrip(renderMessage(m))).toEqual(canonical(m));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads back a body without an action exactly unless it ends in an [ACTION NEEDED: …] block', () => {
    const withActionLines = fc.array(fc.constantFrom('x', '', '[ACTION NEEDED: a]', '[ACTION NEEDED: b', 'c]', '  [action needed: d]'), { maxLength: 6 }).map((ls) => ls.join('\n'));
    fc.assert(
      fc.property(fc.oneof(anyBody, withActionLines), (body) => {
        const m: Message = { priority: 'LOW', type: 'STATUS', to: ['a'], body };
        const back = roundTrip(renderMessage(m));
        expect(back.body === normalizeBody(body) && back.action === undefined).toBe(!endsWithActionBlock(body));
      }),
      { numRuns: 1000 },
    );
  });

  it('renders a message it read back to the same text', () => {
    fc.assert(
      fc.property(anyMessage, (m) => {
        const text = renderMessage(m);
        expect(renderMessage(roundTrip(text))).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });

  it('reads the same message from a careless copy: any case, CRLF, BOM, spaces, blank lines, a code fence', () => {
    const mess = fc.record({
      upperKeys: fc.boolean(),
      lowerValues: fc.boolean(),
      crlf: fc.boolean(),
      bom: fc.boolean(),
      pad: fc.constantFrom('', ' ', '  ', '\t'),
      before: fc.constantFrom('', '\n', '\n \n'),
      after: fc.constantFrom('', '\n', '\n\n  \n'),
      fence: fc.constantFrom(null, '```', '```markdown', '~~~~'),
      gapAfterFirst: fc.boolean(),
    });
    fc.assert(
      fc.property(anyMessage, mess, (m, x) => {
        const text = renderMessage(m);
        const lines = text.split('\n');
        const headerCount = lines.indexOf('');
        const headers = lines.slice(0, headerCount).map((l) => {
          const [, key, value] = /^\[([^:]+): (.*)\]$/.exec(l) as RegExpExecArray;
          const k = x.upperKeys ? (key as string) : (key as string).toLowerCase();
          const keepsCase = ['TASK', 'ID', 'REPLY-TO'].includes(key as string);
          const v = x.lowerValues && !keepsCase ? (value as string).toLowerCase() : (value as string);
          return `${x.pad}[${x.pad}${k}${x.pad}:${x.pad}${v}${x.pad}]${x.pad}`;
        });
        if (x.gapAfterFirst) headers.splice(1, 0, '');
        let messy = x.before + [...headers, ...lines.slice(headerCount)].join('\n') + x.after;
        if (x.fence) messy = `${x.fence}\n${messy}\n${x.fence.replace(/[a-z]+$/, '')}\n`;
        if (x.crlf) messy = messy.replace(/\n/g, '\r\n');
        if (x.bom) messy = `\uFEFF${messy}`;
        expect(roundTrip(messy)).toEqual(roundTrip(text));
      }),
      { numRuns: 1000 },
    );
  });

  it('reads the JSON form of every valid message, whatever the case of its keys and values', () => {
    fc.assert(
      fc.property(anyMessage, fc.boolean(), fc.boolean(), (m, upperKeys, lowerValues) => {
        const json: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(m)) {
          const value = lowerValues && ['priority', 'type', 'decision'].includes(k) ? (v as string).toLowerCase() : v;
          json[upperKeys ? k.toUpperCase() : k] = k === 'to' && (m.to.length === 1) ? m.to[0] : value;
        }
        expect(roundTrip(JSON.stringify(json, null, 2))).toEqual(canonical(m));
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws on arbitrary bytes, and explains a refusal on one line', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const r = parseMessage(bytes);
        if (!r.ok) {
          expect(r.error.message.length).toBeGreaterThan(0);
          expect(r.error.message).not.toMatch(/[\n\r]/);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws on arbitrary text or on damaged messages, and what it accepts renders and reads back the same', () => {
    const damaged = fc
      .tuple(anyMessage, fc.nat(), fc.nat(), fc.string({ unit: 'binary', maxLength: 8 }))
      .map(([m, cut, at, insert]) => {
        const t = renderMessage(m);
        const c = cut % (t.length + 1);
        const a = at % (c + 1);
        return t.slice(0, a) + insert + t.slice(a, c);
      });
    const jsonish = fc.jsonValue().map((v) => JSON.stringify(v));
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), damaged, jsonish), (text) => {
        const r = parseMessage(text, { aliases: { builder: 'backend-engineer' }, defaultTo: 'backend-engineer', fileName: 'breaker--x.md' });
        if (!r.ok) {
          expect(r.error.message).not.toMatch(/[\n\r]/);
          return;
        }
        expect(roundTrip(renderMessage(r.value))).toEqual(r.value);
      }),
      { numRuns: 3000 },
    );
  });
});
