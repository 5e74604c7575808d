/**
 * The bug classes the log tracks, each with the words that reveal it in a BUG title or
 * body and what addressing it proactively means. Breaker's focus list (auth bypass,
 * injection, race conditions) plus the classes its reports commonly carry.
 */
export const BUG_CLASSES: readonly { name: string; pattern: RegExp; proactive: string }[] = [
  {
    name: 'injection',
    pattern: /\b(injection|inject(ed|s)?|sqli|xss|raw sql|string concatenation|f-string (query|sql)|unescaped)\b/i,
    proactive: 'bind every query parameter through the ORM (no SQL built from strings) and validate inputs with schemas before they reach a repository',
  },
  {
    name: 'auth-bypass',
    pattern: /\b(auth(entication|orization)? bypass|bypass(es|ed)? auth|unauthori[sz]ed|forbidden|idor|privilege|access control|missing auth|jwt|token (reuse|expiry|forg))/i,
    proactive: "guard every new endpoint with the current-user dependency and check the caller owns the resource it names",
  },
  {
    name: 'race',
    pattern: /\b(race( condition)?|concurren(t|cy)|deadlock|double[- ]submit|toctou|lost update|parallel requests)\b/i,
    proactive: 'make check-then-write sequences atomic (unique constraints, row locks or a single UPDATE … WHERE) and test concurrent requests',
  },
  {
    name: 'null-handling',
    pattern: /\b(null|nullable|nonetype|undefined|missing (field|value|key)|attributeerror)\b/i,
    proactive: 'handle absent and null values on every optional field (schema defaults, explicit not-found paths) before handing off',
  },
  {
    name: 'validation',
    pattern: /\b(validation|invalid input|unvalidated|negative|overflow|boundary|too long|max(imum)? length|422|malformed)\b/i,
    proactive: 'state bounds and formats in the request schemas (lengths, ranges, enums) and test the edges',
  },
  {
    name: 'data-exposure',
    pattern: /\b(leak(s|ed)?|expos(es|ed|ure)|password (in|returned)|secret|sensitive|pii|hash returned)\b/i,
    proactive: 'return response schemas that list their fields explicitly, never the model, so secrets cannot leak',
  },
  {
    name: 'error-handling',
    pattern: /\b(500|unhandled|uncaught|stack ?trace|traceback|internal server error|crash(es|ed)?)\b/i,
    proactive: 'map domain errors to responses at the endpoint and test each failure path returns the response format',
  },
];

/** What fixing a class of bug before breaker finds it means; a generic line for unknown classes. */
export function proactiveFor(bugClass: string): string {
  return BUG_CLASSES.find((c) => c.name === bugClass)?.proactive ?? `look for ${bugClass} bugs in the changed code before handing off`;
}

/** The classes a BUG report's text (title and body) reveals, in table order; `['other']` when none. */
export function classifyBug(text: string): string[] {
  // Case-sensitive `None`: Python's null, not the English word.
  const found = BUG_CLASSES.filter((c) => c.pattern.test(text) || (c.name === 'null-handling' && /\bNone\b/.test(text))).map((c) => c.name);
  return found.length > 0 ? found : ['other'];
}
