// The one place the API's error replies are built: every 4xx/5xx body has the shape ErrorReply documents
// (api/schemas.ts). Routes throw `app.httpErrors.*` (@fastify/sensible); the app's error handler answers.
import { STATUS_CODES } from 'node:http';
import { HttpError, httpErrors } from '@fastify/sensible';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { PreflightReport } from '../core/preflight-checks';
import type { FieldProblem } from './setup-request';

/** What a refusal may carry beside its message; each is a documented field of the error body. */
export interface RefusalDetails {
  /** Every bad field of the request (400), or the fields a conflicting request differs in (409). */
  fields?: FieldProblem[];
  /** The DTS job a refusal is about (a kept job of an earlier setup). */
  dtsJobId?: string;
  /** The preflight's report when it refused to start anything (422). */
  preflight?: PreflightReport;
}
const DETAILS = ['fields', 'dtsJobId', 'preflight'] as const satisfies (keyof RefusalDetails)[];

/** A refusal with details, to throw from a handler; a plain one is `app.httpErrors.conflict(message)` etc. */
export function refusal(statusCode: number, message: string, details: RefusalDetails): HttpError {
  return httpErrors.createError(statusCode, message, details);
}

/** 400 naming every bad field, in the message and one by one. */
export function badFields(fields: FieldProblem[]): HttpError {
  return refusal(400, fields.map((f) => `${f.field}: ${f.message}`).join('; '), { fields });
}

/**
 * The app's error handler. Schema violations become a 400 naming each field; refusals thrown by the routes keep
 * their status, message and details; Fastify's own 4xx keep their message; anything else is a 500 whose details
 * stay in the log (they may name internals).
 */
export function replyWithError(fastifyError: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const err: Error & { statusCode?: number } = fastifyError.validation
    ? badFields(validationProblems(fastifyError))
    : fastifyError;
  const deliberate = err instanceof HttpError;
  const code = err.statusCode ?? 500;
  const statusCode = deliberate || (code >= 400 && code < 500) ? code : 500;
  if (statusCode === 500) req.log.error({ err: { type: err.name, message: err.message } }, 'request failed');
  const details = deliberate
    ? Object.fromEntries(DETAILS.filter((k) => k in err).map((k) => [k, (err as RefusalDetails)[k]]))
    : {};
  return reply.code(statusCode).send({
    statusCode,
    error: STATUS_CODES[statusCode] ?? 'Error',
    message: statusCode === 500 ? 'internal error' : err.message,
    ...details,
  });
}

/** Ajv's findings as field problems: `/source/instanceId`, `/querystring/phase`, an unknown field by its name. */
function validationProblems(err: FastifyError): FieldProblem[] {
  return (err.validation ?? []).map((v) => {
    const missing = (v.params as { missingProperty?: string }).missingProperty;
    const extra = (v.params as { additionalProperty?: string }).additionalProperty;
    const allowed = (v.params as { allowedValues?: unknown[] }).allowedValues;
    const base = `${err.validationContext === 'body' ? '' : `/${err.validationContext}`}${v.instancePath}`;
    const field = missing ? `${base}/${missing}` : extra ? `${base}/${extra}` : base || '/';
    const message = extra
      ? `unknown field ${extra}`
      : allowed
        ? `must be one of ${allowed.join(', ')}`
        : (v.message ?? 'invalid');
    return { field, rule: v.keyword, message };
  });
}
