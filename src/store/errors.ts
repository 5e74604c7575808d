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

/**
 * A journal that vanished or was replaced or rewritten while the engine held it: deleted
 * with its run folder or with runs/, or written by something else. Appending would
 * write to a file nobody reads, or fork the run, so the store refuses.
 */
export class JournalGoneError extends UserError {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`journal ${file} ${reason} while the engine ran; nothing more is written to it`);
  }
}
