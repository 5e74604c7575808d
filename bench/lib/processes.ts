import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { packageRoot } from '../../src/package-root.js';
import { initWorkspace } from '../../src/workspace/init.js';
import { WorkspacePaths } from '../../src/workspace/paths.js';

/** The built CLI as a user runs it (package.json's bin): the bundle `npm run build` makes. */
export function cliPath(): string {
  const cli = path.join(packageRoot(), 'dist', 'bundle', 'main.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing; run \`npm run build\` first`);
  return cli;
}

/** A fresh workspace with the `instant` preset (every step done at once), fsync on. */
export async function benchWorkspace(tag: string, edit: (config: string) => string = (c) => c): Promise<WorkspacePaths> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `teamstate-bench-${tag}-`));
  await initWorkspace(dir, { preset: 'instant' });
  const paths = new WorkspacePaths(dir);
  const text = await fs.readFile(paths.configFile, 'utf8');
  await fs.writeFile(paths.configFile, edit(text.replace(/\/\/\s*"project":[^\n]*/, '"project": "project",')));
  await fs.mkdir(path.join(dir, 'project'), { recursive: true });
  return paths;
}

/** A started responder: its process and how long it took to print READY (ms, from spawn). */
export interface Started {
  child: ChildProcess;
  readyMs: number;
}

/**
 * What answers the inbox: the engine (`teamstate start --headless`), the null responder,
 * or a peer of bench/peers/ (a naive XState program, LangGraph.js with SqliteSaver).
 */
export type ResponderKind = 'engine' | 'null' | 'xstate' | 'langgraph';

/** Every responder, in the order the benchmark runs and prints them. */
export const RESPONDERS: ResponderKind[] = ['null', 'xstate', 'langgraph', 'engine'];

/** How the tables name each responder. */
export const RESPONDER_NAMES: Record<ResponderKind, string> = {
  null: 'null responder (no state, no fsync)',
  xstate: "naive XState, JSON snapshot fsync'd per transition",
  langgraph: 'LangGraph.js + SqliteSaver',
  engine: 'teamstate',
};

/** The node arguments that run a stand-in responder: the null responder, or a peer's program. */
function scriptOf(kind: Exclude<ResponderKind, 'engine'>): string {
  return kind === 'null' ? path.join(packageRoot(), 'bench', 'null-responder.ts') : path.join(peerDir(kind), 'peer.ts');
}

export const peerDir = (kind: 'xstate' | 'langgraph'): string => path.join(packageRoot(), 'bench', 'peers', kind);

/**
 * Installs a peer's own dependencies from its lock (`npm ci --prefix bench/peers/<kind>`)
 * unless they were installed from this very lock (a hash of it is kept beside them). Not
 * part of the product's `npm ci`.
 */
export async function ensurePeer(kind: ResponderKind): Promise<void> {
  if (kind === 'engine' || kind === 'null') return;
  const dir = peerDir(kind);
  const lock = createHash('sha256').update(readFileSync(path.join(dir, 'package-lock.json'))).digest('hex');
  const stamp = path.join(dir, 'node_modules', '.installed-from-lock');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === lock) return;
  process.stderr.write(`  installing the ${kind} peer's dependencies (npm ci --prefix ${path.relative(process.cwd(), dir)})…\n`);
  await new Promise<void>((resolve, reject) => {
    const child = spawn('npm', ['ci', '--prefix', dir, '--prefer-offline', '--no-audit', '--no-fund'], { stdio: ['ignore', 'ignore', 'pipe'], cwd: packageRoot() });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-4000)));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`npm ci for the ${kind} peer failed (${code}): ${err}`))));
  });
  await fs.writeFile(stamp, lock);
}

/** Runs a peer's `--seed N` mode: N unfinished runs written as that peer would leave them. */
export function seedPeer(kind: 'xstate' | 'langgraph', dir: string, count: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', scriptOf(kind), '--workspace', dir, '--seed', String(count)], { stdio: ['ignore', 'ignore', 'pipe'], cwd: packageRoot() });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-4000)));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`seeding the ${kind} peer failed (${code}): ${err}`))));
  });
}

/** Spawns a responder on `dir` (`nodeArgs` such as `--cpu-prof` go to node) and resolves when it prints READY; rejects if it exits first. */
export function startResponder(kind: ResponderKind, dir: string, nodeArgs: string[] = []): Promise<Started> {
  const argv = [...nodeArgs, ...(
    kind === 'engine'
      ? [cliPath(), 'start', '--headless', '--workspace', dir]
      : ['--import', 'tsx', scriptOf(kind), '--workspace', dir])];
  const t0 = performance.now();
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: packageRoot() });
  return new Promise<Started>((resolve, reject) => {
    let out = '';
    let err = '';
    let ready = false;
    child.stdout!.on('data', (b: Buffer) => {
      if (ready) return;
      out += b.toString();
      if (out.includes('READY')) {
        ready = true;
        resolve({ child, readyMs: performance.now() - t0 });
      }
    });
    child.stderr!.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-2000)));
    child.on('exit', (code, signal) => {
      if (!ready) reject(new Error(`${kind} exited before READY (code ${code}, ${signal}): ${err}`));
    });
  });
}

/** Resident set now and at its peak (VmHWM), in bytes, from /proc (Linux). */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s*(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** CPU the process has used so far, all its threads, user + system (ms), from /proc (Linux; clock ticks of 10 ms). */
export function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** SIGTERM, and waits for the exit (SIGKILL after `graceMs`). */
export async function stopProcess(child: ChildProcess, graceMs = 30_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Runs a script of bench/ under tsx and returns its stdout's last line parsed as JSON. */
export function runScript<T>(script: string, args: string[]): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(packageRoot(), 'bench', script), ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: packageRoot() });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-4000)));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${script} exited ${code}: ${err}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as T);
      } catch (e) {
        reject(new Error(`${script} printed no JSON result: ${(e as Error).message}; ${err}`));
      }
    });
  });
}
