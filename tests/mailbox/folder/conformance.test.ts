import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe } from 'vitest';
import { createFolderMailbox } from '../../../src/mailbox/folder/index.js';
import { loadConfig } from '../../../src/workspace/config.js';
import { initWorkspace } from '../../../src/workspace/init.js';
import { WorkspacePaths } from '../../../src/workspace/paths.js';
import { tempDir } from '../../workspace/helpers.js';
import { mailboxConformance } from '../conformance.js';

const ME = 'backend-engineer';

describe('the folder mailbox', () => {
  mailboxConformance('folder', async () => {
    const dir = await tempDir();
    await initWorkspace(dir, { preset: 'instant', fsync: false });
    const paths = new WorkspacePaths(dir);
    const config = await loadConfig(dir);
    const gone = new Map<string, string[]>();
    let n = 0;
    const texts = async (d: string): Promise<string[]> => Promise.all((await fs.readdir(d).catch(() => [] as string[])).map((f) => fs.readFile(path.join(d, f), 'utf8')));
    return {
      open: () => createFolderMailbox({ paths, config, settleMs: 0 }),
      send: async (text) => {
        const inbox = paths.inbox(ME);
        const name = `breaker--${String(++n).padStart(4, '0')}.md`;
        await fs.writeFile(path.join(inbox.tmp, name), text);
        await fs.rename(path.join(inbox.tmp, name), path.join(inbox.new, name));
      },
      received: async (member) => {
        const inbox = paths.inbox(member);
        return [...(gone.get(member) ?? []), ...(await texts(inbox.new)), ...(await texts(inbox.cur))];
      },
      consume: async (member, how) => {
        const inbox = paths.inbox(member);
        for (const f of await fs.readdir(inbox.new)) {
          const file = path.join(inbox.new, f);
          if (how === 'move') {
            await fs.rename(file, path.join(inbox.cur, `read-${++n}.md`));
          } else {
            gone.set(member, [...(gone.get(member) ?? []), await fs.readFile(file, 'utf8')]);
            await fs.rm(file);
          }
        }
      },
      rejected: async () => {
        const rejected = paths.inbox(ME).rejected;
        const names = (await fs.readdir(rejected)).filter((f) => !f.endsWith('.reason.txt'));
        return Promise.all(names.map(async (f) => ({ text: await fs.readFile(path.join(rejected, f), 'utf8'), reason: (await fs.readFile(path.join(rejected, `${f}.reason.txt`), 'utf8')).split('\n')[0]! })));
      },
      close: () => fs.rm(dir, { recursive: true, force: true }),
    };
  });
});
