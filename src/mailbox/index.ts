export type { Delivery, Inbound, Mailbox, Watch } from './port.js';
export { messageKey } from './key.js';
export { createFolderMailbox } from './folder/index.js';
export type { FolderMailboxOptions } from './folder/index.js';
export { MemoryMailbox } from './memory.js';
