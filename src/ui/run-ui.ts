import { UserError } from '../errors.js';

/** The terminal UI's entry (built in src/ui); until it lands, say how to run headless. */
export async function runUi(_opts: { workspaceDir: string }): Promise<void> {
  throw new UserError('the terminal UI is not built yet; run `teamstate start --headless`');
}
