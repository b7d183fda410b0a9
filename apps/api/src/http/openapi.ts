/**
 * The OpenAPI document of the HTTP API, generated from the controllers' decorators, served as JSON
 * at /api/docs/openapi.json and as an interactive page (Swagger UI from the installed
 * swagger-ui-dist: no CDN, the machine may have no internet) at /api/docs. The document is built
 * once, on its first request, so start-up does not pay for it.
 *
 * Shared pieces for the controllers: the error responses (ApiErrors, ApiPageErrors), success
 * responses (ApiJson, ApiContent), request bodies in several media types (ApiRequestBody), the
 * security requirement of keyed routes (ApiKeyRequired) and schema building blocks.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyDecorators, type INestApplication } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiExtension,
  ApiResponse,
  ApiSecurity,
  DocumentBuilder,
  SwaggerModule,
  type HeadersObject,
  type OpenAPIObject,
  type OperationObject,
  type ReferenceObject,
  type RequestBodyObject,
  type SchemaObject,
} from '@nestjs/swagger';

export const DOCS_PATH = '/api/docs';
export const DOCS_JSON_PATH = '/api/docs/openapi.json';

/** The service's version: package.json's, read once. */
export const PACKAGE_VERSION = readVersion();

function readVersion(): string {
  // From the sources (apps/api/src/http) or from dist/ (dist/apps/api/src/http): the first package.json up.
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'paceline' && pkg.version) return pkg.version;
    } catch {
      // no package.json here: look further up
    }
    if (path.dirname(dir) === dir) return '0.0.0';
  }
}

/* ------------------------------------------------------------------------------------------ */
/* Schema building blocks                                                                      */

export type Schema = SchemaObject | ReferenceObject;

const described = (description: string) => (description ? { description } : {});
export const str = (description: string, extra: SchemaObject = {}): SchemaObject => ({
  type: 'string',
  ...described(description),
  ...extra,
});
export const int = (description: string, extra: SchemaObject = {}): SchemaObject => ({
  type: 'integer',
  ...described(description),
  ...extra,
});
export const bool = (description: string): SchemaObject => ({ type: 'boolean', description });
export const arr = (description: string, items: Schema, extra: SchemaObject = {}): SchemaObject => ({
  type: 'array',
  description,
  items,
  ...extra,
});
/** A schema that may also be null (a $ref is wrapped, as OpenAPI 3.0 wants). */
export const nullable = (schema: Schema, description?: string): SchemaObject =>
  '$ref' in schema
    ? { allOf: [schema], nullable: true, ...(description ? { description } : {}) }
    : { ...schema, nullable: true, ...(description ? { description } : {}) };

/** An object; every property is required except those named in `optional`. */
export function obj(description: string, properties: Record<string, Schema>, optional: string[] = []): SchemaObject {
  const required = Object.keys(properties).filter((k) => !optional.includes(k));
  return { type: 'object', ...described(description), properties, ...(required.length ? { required } : {}) };
}

/** A map from keys to values of one schema. */
export const dict = (description: string, values: Schema): SchemaObject => ({
  type: 'object',
  description,
  additionalProperties: values,
});

/** Yuan as a decimal string with 2 decimals (never a JSON number). */
export const amount = (description: string): SchemaObject =>
  str(`${description} (yuan, decimal string with 2 decimals)`, { pattern: '^-?\\d+\\.\\d{2}$', example: '1263391.60' });
/** A percent or percentage points as a decimal string with 2 decimals, e.g. "39.92". */
export const percent = (description: string): SchemaObject =>
  str(`${description} (percent, decimal string with 2 decimals)`, { pattern: '^-?\\d+\\.\\d{2}$', example: '39.92' });
export const date = (description: string): SchemaObject => str(description, { format: 'date', example: '2023-06-30' });
export const dateTime = (description: string): SchemaObject => str(description, { format: 'date-time' });
export const LEVELS = ['green', 'yellow', 'red'];
export const level = (description: string): SchemaObject => str(description, { enum: LEVELS });
export const DEPARTMENT: SchemaObject = str('Department id (slug)', {
  pattern: '^[a-z0-9-]{1,64}$',
  example: 'yantian-emergency',
});
export const YEAR: SchemaObject = int('Fiscal (calendar) year', { minimum: 2000, maximum: 2100, example: 2023 });
export const SOURCE: SchemaObject = str('Fund source filter: fiscal (财政资金) or all (全部资金)', {
  enum: ['fiscal', 'all'],
});
/** Any JSON value (the described object's shape is given in words). */
export const anyValue = (description: string): SchemaObject => ({ description });

/** Named schemas of the document (components.schemas), registered by the *.openapi.ts files. */
const MODELS = new Map<string, SchemaObject>();

/** Registers a named schema and returns a reference to it. */
export function model(name: string, schema: SchemaObject): ReferenceObject {
  MODELS.set(name, schema);
  return { $ref: `#/components/schemas/${name}` };
}

/* ------------------------------------------------------------------------------------------ */
/* Errors                                                                                      */

const ERROR_DETAIL = model(
  'ErrorDetail',
  obj(
    'One problem: where it is and why',
    {
      index: int('Index of the event (0-based; NDJSON line = index + 1), or 0 for a request parameter or field'),
      id: str("The event's id, when it had one"),
      path: str(
        'The parameter, field or event path at fault (e.g. "knownOn", "data.amount"); empty for the whole body',
      ),
      reason: str('What is wrong, in words'),
    },
    ['id'],
  ),
);

const ERROR = model(
  'Error',
  obj(
    'An error: nothing was stored or changed by the request',
    {
      statusCode: int('The HTTP status', { example: 404 }),
      error: str('The status text, e.g. "Not Found"'),
      message: str('What went wrong, in words'),
    },
    [],
  ),
);

const DETAILED_ERROR = model('DetailedError', {
  description: 'An error with every problem found (400 and 409): nothing was stored',
  allOf: [ERROR, obj('', { errors: arr('Every problem found', ERROR_DETAIL) })],
});

const RETRYABLE_ERROR = model('RetryableError', {
  description: 'An error that says whether retrying the same request may succeed',
  allOf: [ERROR, obj('', { retryable: bool('True: send the same request again later') }, ['retryable'])],
});

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 503;

const ERRORS: Record<ErrorStatus, { description: string; schema: ReferenceObject; headers?: HeadersObject }> = {
  400: {
    description: 'Invalid input: a parameter, the body or an event in it is invalid; `errors[]` names each problem',
    schema: DETAILED_ERROR,
  },
  401: {
    description: 'No API key, or one that is unknown, revoked or malformed (only when access control is on: AUTH=on)',
    schema: ERROR,
  },
  403: { description: "The key's role or departments do not allow this request", schema: ERROR },
  404: { description: 'Not found', schema: ERROR },
  409: {
    description:
      'Conflict: an expectedVersion did not match, or an id was reused with other content; `errors[]` lists each',
    schema: DETAILED_ERROR,
  },
  413: { description: 'The body is larger than the configured limit', schema: ERROR },
  415: {
    description: 'The body is not of a type this route reads (`errors[0].path` is `content-type`): nothing was done',
    schema: DETAILED_ERROR,
  },
  429: {
    description: 'Too many ingest requests for this key (or address): retry after `Retry-After` seconds',
    schema: RETRYABLE_ERROR,
    headers: { 'Retry-After': { description: 'Seconds until the window resets', schema: { type: 'integer' } } },
  },
  503: {
    description: 'The database is unavailable (`retryable: true`: nothing was stored, send the request again)',
    schema: RETRYABLE_ERROR,
  },
};

/** An error status, or an error status with this route's own description of it. */
export type ErrorSpec = ErrorStatus | [ErrorStatus, string];

/** The error responses a route can give, each with the shared error body (application/json). */
export function ApiErrors(...specs: ErrorSpec[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...specs.map((spec) => {
      const [status, description] = Array.isArray(spec) ? spec : [spec, undefined];
      const e = ERRORS[status];
      return ApiResponse({
        status,
        description: description ?? e.description,
        content: { 'application/json': { schema: e.schema } },
        ...(e.headers ? { headers: e.headers } : {}),
      });
    }),
  );
}

const HTML: SchemaObject = { type: 'string', description: 'An HTML page (Chinese)' };

/** Errors of dashboard pages: answered as an HTML page (Chinese) saying what was wrong. */
export function ApiPageErrors(...specs: [400 | 404, string][]): MethodDecorator {
  return applyDecorators(
    ...specs.map(([status, description]) =>
      ApiResponse({ status, description, content: { 'text/html': { schema: HTML } } }),
    ),
  );
}

/* ------------------------------------------------------------------------------------------ */
/* Success responses and request bodies                                                        */

/** A JSON response. */
export function ApiJson(status: number, description: string, schema: Schema, headers?: HeadersObject) {
  return ApiResponse({
    status,
    description,
    content: { 'application/json': { schema } },
    ...(headers ? { headers } : {}),
  });
}

/** A response in one or more media types (files, pages, documents). */
export function ApiContent(
  status: number,
  description: string,
  content: Record<string, Schema>,
  headers?: HeadersObject,
) {
  return ApiResponse({
    status,
    description,
    content: Object.fromEntries(Object.entries(content).map(([type, schema]) => [type, { schema }])),
    ...(headers ? { headers } : {}),
  });
}

/** The ingest rate limit's headers (events and imports). */
export const RATE_LIMIT_HEADERS: HeadersObject = {
  'X-RateLimit-Limit': { description: 'Ingest requests allowed per minute', schema: { type: 'integer' } },
  'X-RateLimit-Remaining': { description: 'Ingest requests left in this minute', schema: { type: 'integer' } },
};

/** A binary file download (xlsx, pdf). */
export const BINARY: SchemaObject = { type: 'string', format: 'binary' };

/** The Content-Disposition of a file download: an ASCII name and the UTF-8 (Chinese) one. */
export const DOWNLOAD_HEADERS: HeadersObject = {
  'Content-Disposition': {
    description: "attachment (inline for HTML) with an ASCII file name and the Chinese one (filename*=UTF-8''…)",
    schema: { type: 'string' },
  },
};

type MediaContent = Record<string, { schema: Schema; examples?: Record<string, { summary: string; value: unknown }> }>;

const REQUEST_CONTENT = 'x-request-content';

/**
 * A request body in one or more media types, each with its own schema (the document gets the
 * content exactly as given; Nest's own ApiBody would put one schema under every type).
 */
export function ApiRequestBody(description: string, content: MediaContent, required = true): MethodDecorator {
  const first = Object.values(content)[0];
  return applyDecorators(
    ApiConsumes(...Object.keys(content)),
    ApiBody({ description, required, schema: first?.schema ?? {} }),
    ApiExtension(REQUEST_CONTENT, content),
  );
}

/* ------------------------------------------------------------------------------------------ */
/* Security                                                                                    */

export const SECURITY_SCHEMES = { bearer: 'bearer', apiKey: 'apiKey', cookie: 'cookie' } as const;

/** The operation's extension holding who may call it, in words (also appended to its description). */
export const ACCESS_EXTENSION = 'x-access';

/**
 * A route that needs an API key (any one of the three ways to send it), with who may call it in
 * words, and its 401/403 responses.
 */
export function ApiKeyRequired(who: string): MethodDecorator {
  return applyDecorators(
    ApiSecurity(SECURITY_SCHEMES.bearer),
    ApiSecurity(SECURITY_SCHEMES.apiKey),
    ApiSecurity(SECURITY_SCHEMES.cookie),
    ApiExtension(ACCESS_EXTENSION, who),
    ApiErrors(401, 403),
  );
}

/** A public route: no key, no 401/403. */
export function ApiPublicAccess(who: string): MethodDecorator {
  return ApiExtension(ACCESS_EXTENSION, who);
}

/* ------------------------------------------------------------------------------------------ */
/* The document                                                                                */

const DESCRIPTION = `Paceline monitors budget execution (预算执行) for Chinese government finance offices. Every fact — \
budgets, adjustments, spending, plans, tasks, performance indicators, self-evaluations — enters as a JSON event in an \
append-only log (\`POST /api/v1/events\`, or a spreadsheet import); the API answers with execution rates against the \
quarterly schedule (序时进度), monthly notices and early alerts, and the year-end performance self-evaluation (绩效自评), \
each "as of" a date and, for replays, "as known on" a date. Amounts are yuan and rates are percent, both as decimal \
strings (never floating-point numbers). Names, notices, notes and downloaded reports are in Chinese, as their readers \
use them. The event contract is docs/events.md.

**Authentication.** When access control is on (\`AUTH=on\`, the default with PostgreSQL), every route but the public ones \
needs an API key \`pl_…\`, sent in one of three ways: \`Authorization: Bearer pl_…\`, the header \`X-Api-Key: pl_…\`, or the \
\`paceline_key\` cookie that \`POST /login\` sets for browsers. No key or an invalid one is a 401; a key whose role or \
departments do not allow the request is a 403. Roles: admin (everything), writer (ingest, imports, month closes and \
reading, for its departments), finance (reads its departments), unit (reads only its own unit's figures, notices and \
alerts in one department). With \`AUTH=off\` (the embedded single-user default) every route is open.

**Errors** are JSON \`{ statusCode, error, message }\`, with \`errors: [{ index, id?, path, reason }]\` on 400 and 409 and \
\`retryable\` on 429 and 503; a refused request stores nothing. Dashboard pages answer their errors as HTML pages.`;

const TAGS: [string, string][] = [
  ['events', 'The event log: ingest events (one, an array or NDJSON) and read a stream back'],
  ['imports', 'Spreadsheet uploads (xlsx or CSV) turned into events, with a report of what was stored'],
  ['execution', 'Execution figures of a department-year: rates, schedule, lag, alert level, forecasts'],
  ['overview', 'The department list and the cumulative execution curve (what the dashboard shows)'],
  ['notices', 'Month closes, the monthly notices (Chinese) and early alerts'],
  [
    'subscriptions & deliveries',
    'Who receives notices and alerts (webhook, WeCom, DingTalk, log) and the delivery outbox',
  ],
  ['evaluation', 'The year-end performance self-evaluation (绩效自评): JSON, xlsx, HTML and PDF'],
  ['dashboard', 'Server-rendered dashboard pages (Chinese) and their static files'],
  ['session', 'Browser sign-in for the dashboard (the paceline_key cookie)'],
  ['health', 'Liveness and readiness probes'],
];

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;

/** Puts each operation's access line into its description and its request content in place. */
function finish(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const op = item[method] as (OperationObject & Record<string, unknown>) | undefined;
      if (!op) continue;
      const who = op[ACCESS_EXTENSION];
      if (typeof who === 'string') op.description = [op.description, `**Access:** ${who}`].filter(Boolean).join('\n\n');
      const content = op[REQUEST_CONTENT] as RequestBodyObject['content'] | undefined;
      if (content && op.requestBody && !('$ref' in op.requestBody)) op.requestBody.content = content;
      delete op[REQUEST_CONTENT];
    }
  }
  return document;
}

/** The OpenAPI document of the application's routes. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Paceline API')
    .setDescription(DESCRIPTION)
    .setVersion(PACKAGE_VERSION)
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'pl_…', description: 'Authorization: Bearer pl_… (an API key)' },
      SECURITY_SCHEMES.bearer,
    )
    .addApiKey(
      { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'X-Api-Key: pl_… (an API key)' },
      SECURITY_SCHEMES.apiKey,
    )
    .addCookieAuth(
      'paceline_key',
      {
        type: 'apiKey',
        in: 'cookie',
        name: 'paceline_key',
        description: 'The key as set by POST /login (HttpOnly, SameSite=Strict; browsers)',
      },
      SECURITY_SCHEMES.cookie,
    );
  for (const [name, description] of TAGS) builder.addTag(name, description);
  const config = builder.build();
  config.components = { ...config.components, schemas: Object.fromEntries(MODELS) };
  return finish(SwaggerModule.createDocument(app, config));
}

/** Serves the document: the interactive page at /api/docs, the JSON at /api/docs/openapi.json. */
export function setupOpenApi(app: INestApplication): void {
  SwaggerModule.setup(DOCS_PATH, app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: DOCS_JSON_PATH,
    raw: ['json'],
    customSiteTitle: 'Paceline API',
    // No validator badge: it would call validator.swagger.io (the machine may be offline).
    swaggerOptions: { validatorUrl: null, docExpansion: 'list' },
  });
}
