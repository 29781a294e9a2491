import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { JsonSchema } from './json-schema';

/** Paths outside the document: Bull Board's pages and its own JSON API. */
const UNDOCUMENTED = /^\/admin(\/|$)/;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  responses: Record<string, JsonSchema>;
}

type Check = (body: unknown) => string | undefined;

/**
 * Checks every response the app sends against the OpenAPI document (FLOCK_CHECK_RESPONSES,
 * on in tests), so the document cannot drift from the code: a JSON body must match the
 * schema documented for its route and status, an undocumented status or route fails,
 * and each event of a stream must match its event's schema. A response that does not
 * match is replaced by a 500 `internal_error` naming the mismatch (a stream's event by an
 * `error` event), which fails any test that looks at it, and is logged. Requests are
 * not checked here: joi does that, with the seed's messages.
 */
export function responseCheck(document: JsonSchema): RequestHandler {
  const ajv = new Ajv2020({ strict: true, allErrors: false });
  addFormats(ajv);
  // The document's schemas refer to each other within the document; given to ajv as one
  // schema of their own, they are referred to by that schema's id instead.
  const resolved = JSON.parse(JSON.stringify(document).replaceAll('"#/components/schemas/', '"components.json#/$defs/')) as {
    paths: Record<string, Record<string, { responses: Record<string, JsonSchema> }>>;
    components: { schemas: Record<string, JsonSchema>; responses: Record<string, JsonSchema> };
  };
  ajv.addSchema({ $id: 'components.json', $defs: resolved.components.schemas });
  const compiled = new Map<unknown, ValidateFunction>();
  const checkOf = (schema: JsonSchema): Check => {
    let validate = compiled.get(schema);
    if (!validate) compiled.set(schema, (validate = ajv.compile(schema)));
    const run = validate;
    return (body) => (run(body) ? undefined : ajv.errorsText(run.errors, { dataVar: 'body' }));
  };

  const operations: Operation[] = Object.entries(resolved.paths).flatMap(([template, item]) =>
    METHODS.filter((method) => item[method]).map((method) => ({
      method,
      template,
      // Express matches paths case-insensitively and with or without a trailing slash.
      pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+').replace(/\./g, '\\.')}/?$`, 'i'),
      responses: item[method]!.responses,
    })),
  );
  const responseOf = (operation: Operation, status: number): JsonSchema | undefined => {
    const found = operation.responses[String(status)] ?? operation.responses[`${String(status)[0]}XX`] ?? operation.responses.default;
    const name = typeof found?.$ref === 'string' ? found.$ref.split('/').pop()! : undefined;
    return name ? resolved.components.responses[name] : found;
  };

  /** Why `body`, sent as `mediaType` with `status`, is not what the document says, or undefined. */
  const mismatch = (req: Request, status: number, mediaType: string, body: unknown): string | undefined => {
    const path = req.originalUrl.split('?')[0]!;
    if (UNDOCUMENTED.test(path)) return undefined;
    const method = req.method === 'HEAD' ? 'get' : req.method.toLowerCase();
    const operation = operations.find((candidate) => candidate.method === method && candidate.pattern.test(path));
    const where = operation ? `${req.method} ${operation.template}` : `${req.method} ${path}`;
    // A path or method no route takes is answered in the error envelope of its status (404, or 401 without credentials).
    const response = operation ? responseOf(operation, status) : resolved.components.responses[`Error${status}`];
    if (!operation && !response) return `${where} is not in the document`;
    if (!response) return `${where} does not document status ${status}`;
    const content = (response.content ?? {}) as Record<string, { schema?: JsonSchema }>;
    const documented = content[mediaType];
    if (!documented) return `${where} ${status} does not document ${mediaType} (only ${Object.keys(content).join(', ') || 'no body'})`;
    return mediaType === 'application/json' ? prefixed(where, status, checkOf(documented.schema ?? {})(body)) : undefined;
  };

  /** The checks of a stream's events, by event name. */
  const eventChecks = (req: Request): Record<string, Check> | undefined => {
    const path = req.originalUrl.split('?')[0]!;
    const operation = operations.find((candidate) => candidate.method === 'get' && candidate.pattern.test(path));
    const events = operation ? (responseOf(operation, 200)?.['x-events'] as Record<string, JsonSchema> | undefined) : undefined;
    return events && Object.fromEntries(Object.entries(events).map(([name, schema]) => [name, checkOf(schema)]));
  };

  return (req, res, next) => {
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      const problem = mismatch(req, res.statusCode, 'application/json', body);
      if (!problem) return json(body);
      res.status(500);
      return json(refused(req, problem));
    };
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => Response;
    res.writeHead = ((status: number, ...rest: unknown[]) => {
      const headers = rest.find((arg) => typeof arg === 'object') as Record<string, string> | undefined;
      const type = headers?.['Content-Type'];
      if (type?.startsWith('text/event-stream')) {
        const problem = mismatch(req, status, 'text/event-stream', undefined);
        // Too late for a 500: the stream is refused event by event instead.
        if (problem) refused(req, problem);
        checkEvents(req, res, eventChecks(req) ?? {});
      }
      return writeHead(status, ...rest);
    }) as typeof res.writeHead;
    next();
  };
}

function prefixed(where: string, status: number, problem: string | undefined): string | undefined {
  return problem && `${where} ${status}: ${problem}`;
}

/** The error envelope that replaces a response not matching the document; logged, since a client sees only the envelope. */
function refused(req: Request, problem: string): object {
  req.log.error({ event: 'response_mismatch', problem }, 'response does not match the OpenAPI document');
  return {
    error: { code: 'internal_error', message: `The response does not match the OpenAPI document: ${problem}`, error_id: randomUUID() },
  };
}

/** Checks each `event: name\ndata: json` a stream writes; one that does not match is written as an `error` event. */
function checkEvents(req: Request, res: Response, checks: Record<string, Check>): void {
  const write = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    const event = typeof chunk === 'string' ? /^event: (\S+)\ndata: (.*)\n\n$/s.exec(chunk) : null;
    if (!event) return write(chunk, ...rest);
    const [, name, data] = event;
    const check = checks[name!];
    const problem = check ? check(JSON.parse(data!)) : `event '${name}' is not in the document`;
    if (!problem) return write(chunk, ...rest);
    const body = refused(req, `event ${name}: ${problem}`);
    return write(`event: error\ndata: ${JSON.stringify(body)}\n\n`, ...rest);
  }) as typeof res.write;
}
