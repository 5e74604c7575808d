export * from './schema.js';
export type { ParseError, ParseOptions } from './parse.js';
export { parseMessage } from './parse.js';
export { renderMessage } from './render.js';
export { decisionOf } from './decision.js';
export { endsWithActionBlock, firstLine, normalizeBody } from './text.js';
export { HEADER_KEYS } from './text-form.js';
