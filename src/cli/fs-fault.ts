/** What a person does about each file-system fault a command can meet. */
const FAULTS: Record<string, { meaning: string; todo: string }> = {
  ENOSPC: { meaning: 'the disk is full', todo: 'free some space' },
  EDQUOT: { meaning: 'the disk quota is used up', todo: 'free some space or raise the quota' },
  EROFS: { meaning: 'the file system is read-only', todo: 'make it writable' },
  EACCES: { meaning: 'permission denied', todo: 'give this user access to it' },
  EPERM: { meaning: 'the operation is not permitted', todo: 'give this user access to it' },
  EMFILE: { meaning: 'too many files are open in this process', todo: 'raise the open-files limit (ulimit -n)' },
  ENFILE: { meaning: 'too many files are open on this machine', todo: 'close some programs or raise the limit' },
  EIO: { meaning: 'the disk reports I/O errors', todo: 'check the disk' },
};

/**
 * A command's failure that the machine, not teamstate, caused (a full disk, a read-only
 * folder, missing permission), said as the person's to fix; undefined for anything else.
 */
export function fileSystemFault(e: unknown): string | undefined {
  const { code, path } = (e ?? {}) as NodeJS.ErrnoException;
  const fault = code ? FAULTS[code] : undefined;
  if (!fault) return undefined;
  return `${fault.meaning} (${code}${path ? ` at ${path}` : ''}); ${fault.todo}, then run the command again`;
}
