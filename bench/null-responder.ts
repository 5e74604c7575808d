// The null responder: the least any responder over these folders can do. Through the
// intake every stand-in shares (bench/lib/intake.ts: chokidar as a wake-up, a readdir of
// new/ as the truth, plus a timed scan) it parses each message and at once writes the
// same reply files the engine would, keeping nothing: no journal, no state, no fsync.
// The benchmark's ratios are taken against it.
//
//   tsx bench/null-responder.ts --workspace DIR      (prints READY, SIGTERM stops it)
import type { Message } from '../src/protocol/schema.js';
import { argString } from './lib/args.js';
import { replies, serveInbox } from './lib/intake.js';

/** The replies the engine sends for each message of the benchmark lifecycle (DESIGN §1). */
function repliesTo(m: Message): Message[] {
  switch (m.type) {
    case 'HANDOFF':
      return replies.plan(m.task);
    case 'STATUS':
      return replies.handoffs(m.task);
    case 'BUG':
      return replies.bugFix(m.task);
    case 'PASS':
      return replies.complete(m.task);
    default:
      return [];
  }
}

await serveInbox(argString('workspace'), 'null responder', async (m) => repliesTo(m));
