import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../src/package-root.js';

const lib = path.join(packageRoot(), 'dist', 'src', 'signals.js');

/** A process with proper-lockfile loaded (and with it signal-exit) that finishes its work 300 ms after its first signal; resolves with its exit. */
function stopping(signals: NodeJS.Signals[]): Promise<{ code: number | null; signal: string | null; out: string }> {
  if (!existsSync(lib)) throw new Error(`${lib} is missing; run \`npm run build\` first`);
  const script = `
    await import('proper-lockfile');
    const { onFirstSignal } = await import(${JSON.stringify(lib)});
    onFirstSignal(['SIGINT', 'SIGTERM'], (s) => { console.log('finishing after ' + s); setTimeout(() => { console.log('done'); process.exit(0); }, 300); });
    console.log('ready');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: packageRoot(), stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  // Each signal once the one before was taken (two of a kind sent together may arrive as one).
  let sent = 0;
  child.stdout.on('data', (b: Buffer) => {
    out += b.toString();
    const due = (out.includes('ready') ? 1 : 0) + (out.includes('finishing') ? 1 : 0);
    while (sent < Math.min(due, signals.length)) child.kill(signals[sent++]!);
  });
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, out })));
}

describe('the first signal', () => {
  it('should let the work finish and exit as it says, though signal-exit (loaded by proper-lockfile) listens too', async () => {
    expect(await stopping(['SIGTERM'])).toEqual({ code: 0, signal: null, out: 'ready\nfinishing after SIGTERM\ndone\n' });
  });

  it('should end the process at once at a second signal', async () => {
    const r = await stopping(['SIGINT', 'SIGINT']);
    expect(r.code).toBe(130);
    expect(r.out).not.toContain('done');
  });
});
