import type { CheckAgent, Severity } from './types.js';

/** What a rule is, and what its findings say unless a check says more. */
export interface RuleInfo {
  id: string;
  agent: CheckAgent;
  severity: Severity;
  blocking: boolean;
  /** The heading a report gives its findings. */
  title: string;
  why: string;
  fix: string;
}

const rule = (id: string, agent: CheckAgent, severity: Severity, title: string, why: string, fix: string, blocking = true): RuleInfo => ({
  id,
  agent,
  severity,
  blocking,
  title,
  why,
  fix,
});

const AV = 'architecture-validator';
const CR = 'code-reviewer';
const SA = 'security-auditor';

/** Every built-in rule, in report order. Ids are stable: configs and `--rule` name them. */
export const RULES: readonly RuleInfo[] = [
  rule('layer-endpoint-repository', AV, 'HIGH', 'Endpoint bypasses Service layer',
    'Endpoints → Services → Repositories: an endpoint that reaches a repository skips the business rules in the service.',
    'Inject the entity service with Depends(get_<entity>_service) and call its method instead.'),
  rule('layer-endpoint-session', AV, 'HIGH', 'Endpoint accesses the database directly',
    'Endpoints handle HTTP only; a database session in an endpoint puts data access in the HTTP layer.',
    'Move the query into a repository method, call it from a service, and inject the service into the endpoint.'),
  rule('layer-service-http', AV, 'HIGH', 'HTTP logic in a service',
    'Services hold business logic and raise domain exceptions; HTTPException and status codes belong to endpoints.',
    'Raise a domain exception (e.g. NotFoundError, ValidationError from core/exceptions) and map it to HTTP in the endpoint or an exception handler.'),
  rule('layer-endpoint-logic', AV, 'HIGH', 'Business logic in an endpoint',
    'An endpoint should only delegate to a service and shape the response; decisions and data handling belong in the service.',
    'Move this logic into a service method and have the endpoint call it.'),
  rule('naming-model', AV, 'MEDIUM', 'Model file naming',
    'Models live in models/{Entity}.py holding class {Entity}, so each entity is found by name.',
    'Rename the file to models/{Entity}.py and name its class {Entity}.'),
  rule('naming-schema', AV, 'MEDIUM', 'Schema file naming',
    'Schemas live in schemas/{Entity}Schema.py holding {Entity}Create, {Entity}Update and {Entity}Response.',
    'Rename the file to schemas/{Entity}Schema.py and name its classes {Entity}Create/{Entity}Update/{Entity}Response.'),
  rule('naming-repository', AV, 'MEDIUM', 'Repository file naming',
    'Repositories live in repositories/{Entity}Repository.py holding class {Entity}Repository.',
    'Rename the file to repositories/{Entity}Repository.py and name its class {Entity}Repository.'),
  rule('naming-service', AV, 'MEDIUM', 'Service file naming',
    'Services live in services/{Entity}Service.py holding class {Entity}Service.',
    'Rename the file to services/{Entity}Service.py and name its class {Entity}Service.'),
  rule('response-envelope', AV, 'MEDIUM', 'Non-standard response format',
    'Every endpoint returns the {code, data, message} envelope so clients read all responses the same way.',
    'Return create_success_response(data=..., message=...) (or {"code": ..., "data": ..., "message": ...}).'),
  rule('no-optional', CR, 'MEDIUM', 'Optional[X] used',
    'The team writes `X | None = None`; Optional[X] without a default is still a required field.',
    'Write `X | None = None` instead of Optional[X].'),
  rule('no-pydantic-v1', CR, 'MEDIUM', 'Pydantic v1 pattern',
    'The project uses Pydantic v2; v1 patterns (class Config, orm_mode, @validator, .dict()) are deprecated and behave differently.',
    'Use model_config = ConfigDict(from_attributes=True), @field_validator/@model_validator and .model_dump().'),
  rule('no-blocking-in-async', CR, 'CRITICAL', 'Blocking call in async code',
    'A blocking call or sync driver inside async code stops the event loop and every request with it.',
    'Use the async alternative: await asyncio.sleep, httpx.AsyncClient, asyncpg/AsyncSession, redis.asyncio, or run it in a thread (asyncio.to_thread).'),
  rule('type-hints', CR, 'HIGH', 'Missing type hints',
    'Every function has complete type hints (parameters and return) so mistakes show before runtime.',
    'Annotate every parameter and the return type.'),
  rule('parse-error', CR, 'MEDIUM', 'File could not be parsed',
    'The Python parser found a syntax error here; the other rules may have missed things in this file.',
    'Fix the syntax error (run `python -m py_compile <file>` to see it).', false),
  rule('no-raw-sql', SA, 'CRITICAL', 'SQL injection risk',
    'SQL built with f-strings, + or % lets input become SQL (injection).',
    'Use SQLAlchemy expressions (select(User).where(User.email == email)) or bound parameters (text("... = :email"), {"email": email}).'),
  rule('no-eval', SA, 'CRITICAL', 'Code execution from data',
    'eval() and exec() run whatever text they are given; a value from a request or a token becomes code.',
    'Parse the value instead (int(), json.loads(), ast.literal_eval() for Python literals, a lookup table for names).'),
  rule('no-secret-in-response', SA, 'CRITICAL', 'Sensitive field in a response schema',
    'Passwords, hashes and secrets must never be returned in responses.',
    'Remove the field from the response schema (keep it only in Create/internal schemas).'),
  rule('no-hardcoded-secret', SA, 'CRITICAL', 'Hardcoded secret',
    'A secret in source is readable by anyone with the code and cannot be rotated per environment.',
    'Read it from the environment (pydantic-settings BaseSettings field without a default, or os.environ).'),
  rule('no-wildcard-cors', SA, 'HIGH', 'Wildcard CORS origin',
    'allow_origins ["*"] lets any site call the API from a browser.',
    'List the allowed origins explicitly (settings.ALLOWED_ORIGINS).'),
  rule('no-debug', SA, 'MEDIUM', 'Debug mode on',
    'Debug mode and SQL echo expose internals (tracebacks, queries) and must be off outside development.',
    'Default DEBUG to False and read it from the environment; pass echo=settings.DEBUG.'),
  rule('no-unapproved-dependency', SA, 'HIGH', 'Dependency added without approval',
    'Dependencies are added only with the conductor\'s approval; this one changed since the run began.',
    'Ask the conductor to approve it (REQUEST), or remove it.'),
];

export const RULES_BY_ID: ReadonlyMap<string, RuleInfo> = new Map(RULES.map((r) => [r.id, r]));

/** The rule's metadata; throws on an unknown id (a programming error inside the checks). */
export function ruleInfo(id: string): RuleInfo {
  const r = RULES_BY_ID.get(id);
  if (!r) throw new Error(`unknown rule ${id}`);
  return r;
}
