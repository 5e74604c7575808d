import { UserError } from '../errors.js';

/**
 * A journal damaged before its end: a bad line followed by good ones, or a seq gap or
 * repeat. A crash cannot cause this, so the store refuses to guess and names the spot.
 */
export class JournalCorruptError extends UserError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(
      `journal ${file} is corrupt at line ${line} (byte ${offset}): ${reason}; ` +
        'this is not a torn tail from a crash, so nothing was skipped. ' +
        'Restore the file from a backup, or move the run folder aside to drop the run',
    );
  }
}
