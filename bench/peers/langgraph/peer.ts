// Benchmark peer: the team's lifecycle as a LangGraph.js graph, checkpointed by SqliteSaver
// (@langchain/langgraph-checkpoint-sqlite, better-sqlite3, WAL, synchronous=FULL), one
// thread per task, with interrupt() for each wait on a peer (the conductor's decision, the
// testers' verdicts). A message starts a thread (HANDOFF) or resumes it (Command), and the
// replies the nodes produced go out once the graph stops at its next interrupt. Served
// through the same intake as the null responder (bench/lib/intake.ts).
//
//   tsx bench/peers/langgraph/peer.ts --workspace DIR             (prints READY, SIGTERM stops it)
//   tsx bench/peers/langgraph/peer.ts --workspace DIR --seed N    (writes N unfinished runs, exits)
import { promises as fs } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Annotation, Command, END, START, StateGraph, interrupt } from '@langchain/langgraph';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import type { Message } from '../../../src/protocol/schema.js';
import { argNumber, argString } from '../../lib/args.js';
import { approves, replies, serveInbox } from '../../lib/intake.js';

/** What a peer's message resumes a waiting thread with. */
interface Resume {
  type: string;
  approved: boolean;
}

const State = Annotation.Root({
  task: Annotation<string>(),
  outbox: Annotation<Message[]>(),
  approved: Annotation<boolean>(),
  verdict: Annotation<string>(),
});
type S = typeof State.State;

function graphOf(checkpointer: SqliteSaver) {
  return new StateGraph(State)
    .addNode('plan', (s: S) => ({ outbox: replies.plan(s.task) }))
    .addNode('awaitApproval', () => ({ approved: interrupt<string, Resume>('approval').approved }))
    .addNode('implement', (s: S) => ({ outbox: replies.handoffs(s.task) }))
    .addNode('awaitVerdict', () => ({ verdict: interrupt<string, Resume>('verdict').type }))
    .addNode('fix', (s: S) => ({ outbox: replies.bugFix(s.task) }))
    .addNode('complete', (s: S) => ({ outbox: replies.complete(s.task) }))
    .addEdge(START, 'plan')
    .addEdge('plan', 'awaitApproval')
    .addConditionalEdges('awaitApproval', (s: S) => (s.approved ? 'implement' : 'plan'), ['implement', 'plan'])
    .addEdge('implement', 'awaitVerdict')
    .addConditionalEdges('awaitVerdict', (s: S) => (s.verdict === 'PASS' ? 'complete' : 'fix'), ['complete', 'fix'])
    .addEdge('fix', 'awaitVerdict')
    .addEdge('complete', END)
    .compile({ checkpointer });
}

function open(workspace: string): { db: Database.Database; graph: Graph } {
  const db = new Database(path.join(workspace, 'peer-langgraph.sqlite'));
  db.pragma('journal_mode = WAL');
  // Every commit fsync'd (better-sqlite3's default here, said outright).
  db.pragma('synchronous = FULL');
  const saver = new SqliteSaver(db);
  return { db, graph: graphOf(saver) };
}

/** Streams one input through the thread and returns the replies its nodes produced. */
type Graph = ReturnType<typeof graphOf>;

async function advance(graph: Graph, task: string, input: Parameters<Graph['stream']>[0]): Promise<Message[]> {
  const out: Message[] = [];
  const stream = await graph.stream(input, { configurable: { thread_id: task }, streamMode: 'updates' });
  for await (const chunk of stream) {
    for (const update of Object.values(chunk as Record<string, unknown>)) {
      const outbox = (update as { outbox?: Message[] } | undefined)?.outbox;
      if (Array.isArray(outbox)) out.push(...outbox);
    }
  }
  return out;
}

async function serve(workspace: string): Promise<void> {
  const { db, graph } = open(workspace);
  await serveInbox(
    workspace,
    'langgraph peer',
    async (m) => {
      const task = m.task;
      if (!task) return [];
      if (m.type === 'HANDOFF') return advance(graph, task, { task });
      if (!['STATUS', 'BUG', 'FAIL', 'PASS'].includes(m.type)) return [];
      return advance(graph, task, new Command({ resume: { type: m.type, approved: m.type === 'STATUS' && approves(m) } satisfies Resume })).catch(() => []);
    },
    async () => void db.close(),
  );
}

/** Writes `count` threads waiting on the conductor, copies of one real thread's checkpoints and writes. */
async function seed(workspace: string, count: number): Promise<void> {
  await fs.mkdir(workspace, { recursive: true });
  const { db, graph } = open(workspace);
  await advance(graph, 'TEMPLATE', { task: 'TEMPLATE' });
  db.pragma('synchronous = OFF');
  const copy = db.transaction((ids: string[]) => {
    const checkpoints = db.prepare(
      `INSERT INTO checkpoints SELECT ?, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, CAST(replace(CAST(checkpoint AS TEXT), 'TEMPLATE', ?) AS BLOB), metadata FROM checkpoints WHERE thread_id = 'TEMPLATE'`,
    );
    const writes = db.prepare(
      `INSERT INTO writes SELECT ?, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, CAST(replace(CAST(value AS TEXT), 'TEMPLATE', ?) AS BLOB) FROM writes WHERE thread_id = 'TEMPLATE'`,
    );
    for (const id of ids) {
      checkpoints.run(id, id);
      writes.run(id, id);
    }
  });
  copy(Array.from({ length: count }, (_, i) => `idle-${String(i + 1).padStart(5, '0')}`));
  db.close();
}

const workspace = argString('workspace');
const seedCount = argNumber('seed', 0);
if (seedCount > 0) await seed(workspace, seedCount);
else await serve(workspace);
