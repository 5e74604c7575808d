import { describe, expect, it } from 'vitest';
import type { Mailbox } from '../../src/mailbox/port.js';
import type { Message } from '../../src/protocol/schema.js';

/**
 * One suite for every mailbox adapter (as LangGraph's checkpoint-validation is for every
 * checkpointer): what the engine relies on, through the port only. An adapter passes it
 * through a harness that plays the peers on the other side of its storage.
 */
export interface MailboxHarness {
  /** The adapter as a freshly started engine opens it, over the same storage (a restart). */
  open(): Mailbox;
  /** A peer sends `text` to the engine's member (backend-engineer). */
  send(text: string): Promise<void>;
  /** Every text `member` was handed so far, including what it took away. */
  received(member: string): Promise<string[]>;
  /** `member` takes all its mail away at once: moved elsewhere under another name, or deleted. */
  consume(member: string, how: 'move' | 'delete'): Promise<void>;
  /** What was kept aside, with the reasons. */
  rejected(): Promise<{ text: string; reason: string }[]>;
  close(): Promise<void>;
}

const ME = 'backend-engineer';
const text = (body: string, extra = ''): string => `[PRIORITY: HIGH]\n[TYPE: BUG]\n[TO: builder]\n[FROM: breaker]\n${extra}\n${body}\n\n[ACTION NEEDED: Fix this.]\n`;
const reply = (body: string): Message => ({ priority: 'HIGH', type: 'PLAN', to: ['conductor'], from: ME, task: 't-1', body, action: 'approve or reject' });

async function eventually<T>(what: string, f: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const v = await f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
}

export function mailboxConformance(name: string, make: () => Promise<MailboxHarness>): void {
  const withHarness = (f: (h: MailboxHarness) => Promise<void>) => async () => {
    const h = await make();
    try {
      await f(h);
    } finally {
      await h.close();
    }
  };

  describe(`the ${name} mailbox (conformance)`, () => {
    it(
      'should give each waiting message once, checked, with its sender, an opaque ref and an origin',
      withHarness(async (h) => {
        await h.send(text('Null deref in signup.'));
        const mb = h.open();
        const [item, ...more] = await mb.claim();
        expect(more).toEqual([]);
        expect(item).toMatchObject({ ok: true, from: 'breaker', message: { type: 'BUG', to: [ME], body: 'Null deref in signup.' } });
        expect(typeof item!.ref).toBe('string');
        expect(item!.origin).not.toBe('');
        expect(await mb.claim()).toEqual([]);
      }),
    );

    it(
      'should offer a released message again, and an acknowledged one never again, even after a restart',
      withHarness(async (h) => {
        await h.send(text('one'));
        const mb = h.open();
        const [first] = await mb.claim();
        mb.release(first!.ref);
        const [again] = await mb.claim();
        expect(again).toMatchObject({ ok: true, message: { body: 'one' } });
        await mb.ack(again!.ref);
        await mb.ack(again!.ref);
        expect(await mb.claim()).toEqual([]);
        expect(await h.open().claim()).toEqual([]);
      }),
    );

    it(
      'should give a message claimed again after a restart the same key, and the same text sent twice two keys',
      withHarness(async (h) => {
        await h.send(text('same text'));
        const [before] = await h.open().claim();
        const [after] = await h.open().claim();
        expect(after!.ok && after!.key).toBe(before!.ok && before!.key);
        await h.send(text('same text'));
        const both = await h.open().claim();
        expect(both).toHaveLength(2);
        expect(new Set(both.map((b) => (b.ok ? b.key : ''))).size).toBe(2);
        const withId = text('with an id', '[ID: b-7]');
        await h.send(withId);
        const keyed = (await h.open().claim()).find((b) => b.ok && b.message.body === 'with an id');
        expect(keyed).toMatchObject({ key: 'id:b-7' });
      }),
    );

    it(
      'should give at most as many messages as a claim asks for, oldest first, and the next ones to the claims that follow',
      withHarness(async (h) => {
        for (const n of [1, 2, 3, 4, 5]) await h.send(text(`number ${n}`));
        const mb = h.open();
        const bodies = (items: Awaited<ReturnType<Mailbox['claim']>>) => items.map((i) => (i.ok ? i.message.body : `not ok: ${i.reason}`));
        const first = await mb.claim(2);
        expect(bodies(first)).toEqual(['number 1', 'number 2']);
        const second = await mb.claim(2);
        expect(bodies(second)).toEqual(['number 3', 'number 4']);
        mb.release(first[1]!.ref);
        // A released message is offered again in its place by age: before what is newer.
        expect(bodies(await mb.claim(2))).toEqual(['number 2', 'number 5']);
        expect(await mb.claim(2)).toEqual([]);
        for (const i of [...first.slice(0, 1), ...second]) await mb.ack(i.ref);
        // A fresh engine is offered what was never acknowledged, and only that.
        expect(bodies(await h.open().claim()).sort()).toEqual(['number 2', 'number 5']);
      }),
    );

    it(
      'should say why a message cannot be taken, and keep it aside with that reason',
      withHarness(async (h) => {
        await h.send('[PRIORITY: HIGH]\n[TYPE: BUGG]\n[TO: builder]\n[FROM: breaker]\n\nx\n\n[ACTION NEEDED: y]\n');
        await h.send('[PRIORITY: HIGH]\n[TYPE: BUG]\n[TO: conductor]\n[FROM: breaker]\n\nnot mine\n\n[ACTION NEEDED: y]\n');
        const mb = h.open();
        const items = await mb.claim();
        expect(items.map((i) => i.ok)).toEqual([false, false]);
        const reasons = items.map((i) => (i.ok ? '' : i.reason)).sort();
        expect(reasons[0]).toMatch(/addressed to conductor, not backend-engineer/);
        expect(reasons[1]).toMatch(/BUGG/);
        for (const i of items) await mb.reject(i.ref, i.ok ? '' : i.reason);
        expect(await mb.claim()).toEqual([]);
        expect((await h.rejected()).map((r) => r.reason).sort()).toEqual(reasons);
      }),
    );

    it(
      'should give back the original text of a message by its ref, before and after it is acknowledged',
      withHarness(async (h) => {
        const sent = text('keep me');
        await h.send(sent);
        const mb = h.open();
        const [item] = await mb.claim();
        expect(await mb.original(item!.ref)).toBe(sent);
        await mb.ack(item!.ref);
        expect(await h.open().original(item!.ref)).toBe(sent);
      }),
    );

    it(
      'should hand a reply over once per key and recipient, whatever the recipient did with it and across restarts',
      withHarness(async (h) => {
        const mb = h.open();
        expect(await mb.deliver('conductor', reply('left in place'), 'k-left')).toBe('delivered');
        expect(await mb.deliver('sentinel', reply('to be moved'), 'k-moved')).toBe('delivered');
        expect(await mb.deliver('breaker', reply('to be deleted'), 'k-deleted')).toBe('delivered');
        await h.consume('sentinel', 'move');
        await h.consume('breaker', 'delete');
        const later = h.open();
        for (const [to, body, key] of [
          ['conductor', 'left in place', 'k-left'],
          ['sentinel', 'to be moved', 'k-moved'],
          ['breaker', 'to be deleted', 'k-deleted'],
        ] as const) {
          expect(await later.deliver(to, reply(body), key)).toBe('already-delivered');
          const got = (await h.received(to)).filter((t) => t.includes(body));
          expect(got, `${to} got "${body}"`).toHaveLength(1);
        }
        // Another key to the same recipient is another message.
        expect(await later.deliver('conductor', reply('left in place'), 'k-left-2')).toBe('delivered');
        expect((await h.received('conductor')).filter((t) => t.includes('left in place'))).toHaveLength(2);
      }),
    );

    it(
      'should, where it stages replies ahead, hand a staged one over once, whatever the recipient did with it and across restarts',
      withHarness(async (h) => {
        const mb = h.open();
        // Optional in the port: an adapter that cannot stage delivers in one call (the test above).
        if (!mb.stage) return;
        // What the engine journals of each staging: staged, and under which name of the adapter's (`as`), if any.
        const as = new Map<string, { as?: string }>();
        const sent = [
          ['conductor', 's-left'],
          ['sentinel', 's-moved'],
          ['breaker', 's-deleted'],
          // A second reply to each: it may be staged in a spare made after the first (`{ as }`).
          ['conductor', 'again-left'],
          ['sentinel', 'again-moved'],
          ['breaker', 'again-deleted'],
        ] as const;
        for (const [to, key] of sent) {
          const staged = await mb.stage(to, reply(key), key);
          expect(staged === true || (typeof staged === 'object' && typeof staged.as === 'string')).toBe(true);
          as.set(key, typeof staged === 'object' ? { as: staged.as } : {});
          expect((await h.received(to)).filter((t) => t.includes(key)), `${to} sees nothing before the hand-over`).toHaveLength(0);
          expect(await mb.deliver(to, reply(key), key, { staged: true, ...as.get(key) })).toBe('delivered');
        }
        await h.consume('sentinel', 'move');
        await h.consume('breaker', 'delete');
        const later = h.open();
        for (const [to, key] of sent) {
          expect(await later.deliver(to, reply(key), key, { staged: true, ...as.get(key) })).toBe('already-delivered');
          expect((await h.received(to)).filter((t) => t.includes(key)), `${to} got "${key}"`).toHaveLength(1);
        }
      }),
    );

    it(
      'should wake its watcher when a message arrives',
      withHarness(async (h) => {
        let woken = 0;
        const w = h.open().watch(() => (woken += 1));
        try {
          await eventually('a wake-up', async () => {
            await h.send(text(`wake ${woken}`));
            return woken > 0 ? true : undefined;
          });
        } finally {
          await w.close();
        }
      }),
    );
  });
}
