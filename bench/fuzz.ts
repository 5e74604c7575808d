// `npm run fuzz`: generated and mutated message files and configs through the parser and
// the inbox. Counts crashes (an exception instead of a result: must be 0) and rejections
// without a reason (must be 0); accepted messages must also read back the same after
// being written (render → parse).
//
//   tsx bench/fuzz.ts [--messages 100000] [--configs 20000] [--files 5000] [--seed N]
import { isDeepStrictEqual } from 'node:util';
import { parseMessage } from '../src/protocol/parse.js';
import { renderMessage } from '../src/protocol/render.js';
import { describeParseError } from '../src/mailbox/folder/index.js';
import { UserError } from '../src/errors.js';
import { parseConfigText } from '../src/workspace/config.js';
import { configTemplate } from '../src/workspace/config-template.js';
import { argNumber } from './lib/args.js';
import { prng } from './lib/crash-trials.js';
import { inboxFuzz } from './lib/fuzz-inbox.js';
import { messageSeeds, note, tally, type Tally } from './lib/fuzz-seeds.js';
import { mutateJson, mutateText, rngFrom, type Rng } from './lib/mutate.js';

const PARSE_OPTS = { aliases: { builder: 'backend-engineer' }, defaultTo: 'backend-engineer' };

/** A fuzzed input: a seed edited 1–4 times, or now and then bytes with no seed at all. */
function fuzzed(rng: Rng, seeds: string[], json: (s: string) => boolean): string {
  if (rng() < 0.02) return Array.from({ length: rng.int(400) }, () => String.fromCharCode(rng.int(0x300))).join('');
  let text = rng.pick(seeds);
  for (let k = 1 + rng.int(4); k > 0; k--) text = json(text) && rng() < 0.4 ? mutateJson(rng, text) : mutateText(rng, text, rng.pick(seeds));
  return text;
}

function fuzzMessages(rng: Rng, n: number, sample: (text: string) => void): Tally {
  const t = tally();
  const seeds = messageSeeds();
  for (let i = 0; i < n; i++) {
    const text = fuzzed(rng, seeds, (s) => s.trimStart().startsWith('{'));
    t.inputs++;
    sample(text);
    const fileName = `${rng.pick(['analyst', 'conductor', 'breaker', 'sentinel', 'nobody', ''])}--m${i}.md`;
    try {
      // Now and then raw bytes, so invalid UTF-8 reaches the decoder too.
      const input = rng() < 0.1 ? Buffer.from(text, 'latin1') : text;
      const r = parseMessage(input, { ...PARSE_OPTS, fileName });
      if (!r.ok) {
        t.rejected++;
        if (!describeParseError(r.error).trim() || !r.error.message.trim()) {
          t.silent++;
          note(t, 'rejected without a reason', text);
        }
        continue;
      }
      t.accepted++;
      const again = parseMessage(renderMessage(r.value), { ...PARSE_OPTS, fileName });
      if (!again.ok || !isDeepStrictEqual(again.value, r.value)) {
        t.roundTrip++;
        note(t, `reads back differently (${again.ok ? 'changed' : again.error.message})`, text);
      }
    } catch (e) {
      t.crashes++;
      note(t, `threw ${(e as Error).message}`, text);
    }
  }
  return t;
}

function fuzzConfigs(rng: Rng, n: number): Tally {
  const t = tally();
  const minimal = JSON.stringify({ members: ['analyst', 'conductor', 'backend-engineer'], engine: { member: 'backend-engineer', machine: 'backend-engineer' } }, null, 2);
  const seeds = [configTemplate('default'), configTemplate('instant'), minimal];
  for (let i = 0; i < n; i++) {
    const text = fuzzed(rng, seeds, () => true);
    t.inputs++;
    try {
      parseConfigText(text, 'teamstate.json');
      t.accepted++;
    } catch (e) {
      if (!(e instanceof UserError)) {
        t.crashes++;
        note(t, `threw ${(e as Error).name}: ${(e as Error).message}`, text);
        continue;
      }
      t.rejected++;
      // A reason beyond the file name: "teamstate.json:" alone says nothing.
      if (!e.message.replace(/^teamstate\.json:?[\d:]*/, '').trim()) {
        t.silent++;
        note(t, 'rejected without a reason', text);
      }
    }
  }
  return t;
}

async function main(): Promise<void> {
  const seed = argNumber('seed', 20261127);
  const rng = rngFrom(prng(seed));
  const nMessages = argNumber('messages', 100_000);
  const nFiles = argNumber('files', 5_000);
  const t0 = performance.now();
  const sampled: string[] = [];
  const every = Math.max(1, Math.floor(nMessages / Math.max(1, nFiles)));
  let k = 0;
  const messages = fuzzMessages(rng, nMessages, (text) => {
    if (k++ % every === 0 && sampled.length < nFiles) sampled.push(text);
  });
  const configs = fuzzConfigs(rng, argNumber('configs', 20_000));
  const inbox = await inboxFuzz(rng, sampled);
  const results = { seed, seconds: (performance.now() - t0) / 1000, messages, configs, inbox };
  const row = (name: string, t: Tally) =>
    `  ${name.padEnd(28)} ${String(t.inputs).padStart(7)} inputs  ${String(t.accepted).padStart(6)} accepted  ${String(t.rejected).padStart(6)} rejected  crashes ${t.crashes}  without reason ${t.silent}${name.startsWith('message') ? `  round-trip mismatches ${t.roundTrip}` : ''}`;
  const lines = [
    `fuzz (seed ${seed}), ${results.seconds.toFixed(0)} s`,
    row('messages (parser)', messages),
    row('configs (parser)', configs),
    row('inbox files (engine intake)', inbox),
    `  total inputs ${messages.inputs + configs.inputs + inbox.inputs}, crashes ${messages.crashes + configs.crashes + inbox.crashes}`,
    ...[messages, configs, inbox].flatMap((t) => t.examples.map((e) => `  example: ${e}`)),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const bad = messages.crashes + configs.crashes + inbox.crashes + messages.silent + configs.silent + inbox.silent;
  process.exitCode = bad === 0 ? 0 : 1;
}

await main();
