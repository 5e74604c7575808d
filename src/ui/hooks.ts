import type { Key } from 'ink';
import { useStdout } from 'ink';
import { createContext, useContext, useEffect, useState } from 'react';

/** The terminal's size, following resizes (80×24 when the output is not a terminal). */
export function useTerminalSize(): { rows: number; columns: number } {
  const { stdout } = useStdout();
  const read = () => ({ rows: stdout.rows || 24, columns: stdout.columns || 80 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}

export type KeyHandler = (input: string, key: Key) => void;

/** Where the App's one input listener sends keys: the open overlay's handler, else the view's. */
export interface KeyRegistry {
  view?: KeyHandler;
  overlay?: KeyHandler;
}

export const KeysContext = createContext<KeyRegistry | null>(null);

/**
 * Takes the keys for the view or the overlay. The handler is registered while rendering,
 * not in an effect: Ink's `useInput` subscribes in an effect, which may run after the
 * next key arrives, and that key would be lost or meet the previous screen's handler.
 */
export function useKeys(handler: KeyHandler, slot: keyof KeyRegistry): void {
  const registry = useContext(KeysContext);
  if (registry) registry[slot] = handler;
}
