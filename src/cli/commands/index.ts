import type { Command } from 'commander';
import { registerInit } from './init.js';
import { registerSend } from './send.js';
import { registerInbox } from './inbox.js';
import { registerValidate } from './validate.js';
import { registerStart } from './start.js';
import { registerRuns } from './runs.js';
import { registerShow } from './show.js';
import { registerReplay } from './replay.js';
import { registerComplete } from './complete.js';
import { registerLog } from './log.js';
import { registerCheck } from './check.js';
import { registerDemo } from './demo.js';
import { registerWorktrees } from './worktrees.js';
import { registerDoctor } from './doctor.js';
import { registerRequeue } from './requeue.js';

/** Every command, in the order --help lists them. */
export const commands: ((program: Command) => void)[] = [
  registerInit,
  registerStart,
  registerSend,
  registerInbox,
  registerValidate,
  registerRuns,
  registerShow,
  registerReplay,
  registerComplete,
  registerLog,
  registerCheck,
  registerWorktrees,
  registerDoctor,
  registerRequeue,
  registerDemo,
];
