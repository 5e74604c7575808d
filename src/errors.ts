/**
 * A mistake the user can fix: bad input, a missing file, a refused command.
 * The CLI prints its one-line message and exits 1. Anything else that escapes is a
 * bug and exits 2.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    message: string,
    readonly exitCode: 1 = 1,
  ) {
    super(message);
  }
}

/** The one result shape used inside: like zod's safeParse. */
export type Result<T, E = string> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const err = <E>(error: E): Result<never, E> => ({ ok: false, error });
