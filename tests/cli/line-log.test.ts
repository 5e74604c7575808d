import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LineLog } from '../../src/cli/line-log.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const LINE_LOG = pathToFileURL(path.join(ROOT, 'src/cli/line-log.ts')).href;

/** Runs `body` in a node process that has a LineLog `log`; its stdout and how it ended, once it has. */
function child(body: string, onLine?: (stdout: string, kill: () => void) => void): Promise<{ stdout: string; code: number | null; signal: string | null }> {
  const script = `import { LineLog } from ${JSON.stringify(LINE_LOG)};\nconst log = new LineLog();\n${body}`;
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', TSX, '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      onLine?.(stdout, () => p.kill('SIGKILL'));
    });
    p.on('error', reject);
    p.on('close', (code, signal) => resolve({ stdout, code, signal }));
  });
}

const lines = (stdout: string) => stdout.split('\n').filter(Boolean);

describe('LineLog', () => {
  it('writes the lines of a few milliseconds in one write, each whole, stamped and on one line', async () => {
    const writes: string[] = [];
    let now = Date.parse('2026-12-01T10:00:00.000Z');
    const log = new LineLog((t) => writes.push(t), 5, () => now);
    try {
      log.line('run-1: idle → readingLog (HANDOFF from analyst)');
      log.line('a line\nwith a newline and an \u001b[31mescape');
      now += 1;
      log.line('third');
      expect(writes).toEqual([]);
      for (let i = 0; i < 1000 && writes.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(writes).toEqual([
        '2026-12-01T10:00:00.000Z run-1: idle → readingLog (HANDOFF from analyst)\n' +
          '2026-12-01T10:00:00.000Z a line\\nwith a newline and an \\e[31mescape\n' +
          '2026-12-01T10:00:00.001Z third\n',
      ]);
      log.line('later');
      log.flush();
      expect(writes.at(-1)).toBe('2026-12-01T10:00:00.001Z later\n');
    } finally {
      log.close();
    }
  });

  it('writes a large batch at once, without waiting', () => {
    const writes: string[] = [];
    const log = new LineLog((t) => writes.push(t), 60_000);
    try {
      for (let i = 0; i < 2000; i++) log.line(`line ${i} ${'x'.repeat(40)}`);
      expect(writes.length).toBeGreaterThan(0);
      expect(writes.every((w) => w.endsWith('\n'))).toBe(true);
    } finally {
      log.close();
    }
  });

  it('writes what waits when the process exits, also after an uncaught error', async () => {
    const ended = await child(`for (let i = 0; i < 3; i++) log.line('line ' + i);`);
    expect(lines(ended.stdout).map((l) => l.replace(/^\S+ /, ''))).toEqual(['line 0', 'line 1', 'line 2']);
    const crashed = await child(`log.line('before the error'); setImmediate(() => { throw new Error('boom'); });`);
    expect(crashed.code).not.toBe(0);
    expect(crashed.stdout).toMatch(/Z before the error\n$/);
  });

  it('leaves whole lines, in order, when the process is killed with SIGKILL', async () => {
    // One line every millisecond; killed once 20 lines are out: the lines written by then are whole and in order.
    const killed = await child(`let i = 0; setInterval(() => log.line('line ' + i++), 1);`, (stdout, kill) => {
      if (lines(stdout).length >= 20) kill();
    });
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.stdout.endsWith('\n')).toBe(true);
    const got = lines(killed.stdout).map((l) => l.replace(/^\S+ /, ''));
    expect(got.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => `line ${i}`));
  });
});
