import { Type, type Static } from '@fastify/type-provider-typebox';
import {
  ATTENTION_KINDS,
  DIRECTIONS,
  DTS_APIS,
  DTS_DIRECTION_STATUSES,
  ENDPOINT_KINDS,
  JOB_CLASSES,
  PAY_TYPES,
  PREPAID_PERIODS,
  RELEASE_OUTCOMES,
  SETUP_PHASES,
  TOPOLOGIES,
  VERIFICATION_OUTCOMES,
  VERIFY_DEPTHS,
} from '../core/vocabulary';
import { CHANGE_KINDS, CHANGE_OUTCOMES, MAX_PAUSE_MS } from '../core/changes';
import { AUTO_RENEW_DAYS_BEFORE, AUTO_RENEW_MAX_DAYS_BEFORE, RENEW_PERIODS } from '../core/renewal';
import { oneOf } from './literals';
import { AcceptRisks, PreflightRefusal, PreflightReportReply } from './preflight-schemas';

/** A setup's phase in a reply; `unknown` when Temporal keeps none (a setup read without its worker). */
export const REPLY_PHASES = [...SETUP_PHASES, 'unknown'] as const;
/** A setup's topology in a reply; `unknown` for a setup started before the request was kept in its memo. */
export const REPLY_TOPOLOGIES = [...TOPOLOGIES, 'unknown'] as const;

// DTS's own formats (docs/dts-api.md §1, §7), checked before anything is started or bought.
const RedisInstanceId = '^r-[a-z0-9][a-z0-9-]{5,40}$';
const EcsInstanceId = '^i-[a-z0-9]{8,30}$';
const Region = Type.String({ pattern: '^[a-z]{2,}(-[a-z0-9]+){1,3}$', description: 'Region id, e.g. cn-hangzhou' });
const Password = Type.String({
  minLength: 1,
  maxLength: 128,
  description: 'Redis password (write-only; never returned)',
  writeOnly: true,
});
const DurationText = Type.String({ pattern: '^[1-9][0-9]{0,5}(s|m|h|d)$', description: 'e.g. 48h' });
const durationText = (description: string) => Type.String({ pattern: '^[1-9][0-9]{0,5}(s|m|h|d)$', description });
const NamePattern = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$';
// No quote, space or comparison sign: a tag and a name prefix go into a visibility query as a literal.
const Tag = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.:=/-]{0,63}$',
  description: 'a label for the fleet view, e.g. team=payments',
});
const DbNumber = Type.Integer({ minimum: 0, maximum: 255 });
const Databases = Type.Array(Type.Object({ from: DbNumber, to: DbNumber }, { additionalProperties: false }), {
  minItems: 1,
  maxItems: 256,
});
const WallClock = Type.String({
  pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$',
  description: 'local time HH:MM (24-hour)',
  examples: ['01:00'],
});

/** When the full initialization may run: it loads both databases, so off-peak (README.md). */
export const InitializationWindowBody = Type.Object(
  {
    start: WallClock,
    end: { ...WallClock, description: 'local time HH:MM; before start means the window crosses midnight' },
    timeZone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Asia/Shanghai' }),
  },
  { additionalProperties: false },
);

/** Take over an existing DTS job instead of buying one (README.md, "Adopting a DTS job"). */
export const AdoptBody = Type.Object(
  {
    dtsJobId: Type.String({
      pattern: '^[A-Za-z0-9]{6,43}$',
      description:
        'the DTS sync instance to adopt: a SynchronizationJobId or DtsInstanceId (dtsb0rr0699xczrn), or a DtsJobId ' +
        '(b0rr0699xczrn) of one of its tasks; it must run between source and destination',
    }),
  },
  { additionalProperties: false },
);

export const EndpointBody = Type.Object(
  {
    kind: Type.Optional(oneOf(ENDPOINT_KINDS, { default: 'enterprise' })),
    instanceId: Type.Optional(
      Type.String({
        pattern: `(${RedisInstanceId})|(${EcsInstanceId})`,
        description: 'r-… for Redis instances, i-… for a self-managed Redis on ECS',
      }),
    ),
    region: Region,
    password: Password,
    username: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$',
        description:
          'database account (a Tair custom account, or the Redis user on ECS / by IP); default: the default account',
      }),
    ),
    ip: Type.Optional(Type.String({ format: 'ipv4' })),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
  },
  { additionalProperties: false },
);

export const CreateSetupBody = Type.Object(
  {
    name: Type.String({ pattern: NamePattern, description: 'DTS job name' }),
    topology: oneOf(TOPOLOGIES),
    region: Region,
    source: EndpointBody,
    destination: EndpointBody,
    databases: Type.Optional(Databases),
    jobClass: Type.Optional(oneOf(JOB_CLASSES)),
    payType: Type.Optional(oneOf(PAY_TYPES)),
    period: Type.Optional(oneOf(PREPAID_PERIODS)),
    usedTime: Type.Optional(Type.Integer({ minimum: 1, maximum: 60 })),
    keepInstanceOnFailure: Type.Optional(Type.Boolean()),
    waitDeadline: Type.Optional(DurationText),
    attentionDeadline: Type.Optional(DurationText),
    maxDelay: Type.Optional(durationText('replication delay tolerated, default 5m')),
    delayGrace: Type.Optional(durationText('how long above maxDelay before needs-attention, default 10m')),
    acceptRisks: Type.Optional(AcceptRisks),
    canary: Type.Optional(
      Type.Object(
        {
          intervalSeconds: Type.Integer({ minimum: 1, maximum: 3600, description: 'how often the canary is written' }),
        },
        {
          additionalProperties: false,
          description:
            'measure the end-to-end lag: a key of its own (CANARY_KEY_PREFIX) written at one end and read at the other',
        },
      ),
    ),
    initializationWindow: Type.Optional(InitializationWindowBody),
    adopt: Type.Optional(AdoptBody),
    resourceGroupId: Type.Optional(
      Type.String({
        pattern: '^rg-[a-z0-9]{1,60}$',
        description: 'the resource group the DTS instance is bought in (CreateDtsInstance ResourceGroupId); fixed',
      }),
    ),
    tags: Type.Optional(
      Type.Array(Tag, {
        maxItems: 20,
        uniqueItems: true,
        description:
          'labels GET /v1/syncs filters by (?tag=), also put on the DTS instance (TagResources) right after ' +
          'the purchase, with redis-dts-sync:setup=<id>; changed with PATCH',
      }),
    ),
    renew: Type.Optional(
      Type.Object(
        {
          auto: Type.Boolean({ description: 'true: renew by itself; false or absent: never renews by itself' }),
          period: Type.Optional(oneOf(RENEW_PERIODS, { description: 'the unit of the renewal, default Month' })),
          usedTime: Type.Optional(
            Type.Integer({ minimum: 1, maximum: 60, description: 'periods added: Year 1–5, Month 1–60; default 1' }),
          ),
          daysBefore: Type.Optional(
            Type.Integer({
              minimum: 1,
              maximum: AUTO_RENEW_MAX_DAYS_BEFORE,
              description: `renew when fewer days than this are left, default ${AUTO_RENEW_DAYS_BEFORE}`,
            }),
          ),
        },
        {
          additionalProperties: false,
          description:
            'PrePaid only (400 otherwise): one RenewInstance order once per end (ExpireTime), recorded in ' +
            'changes with by "auto-renew". Absent: the instance never renews by itself',
          examples: [{ auto: true, period: 'Month', usedTime: 1, daysBefore: 7 }],
        },
      ),
    ),
  },
  {
    additionalProperties: false,
    // Shown in /docs and used by API fuzzing as a starting point that passes the cross-field rules.
    examples: [
      {
        name: 'orders-sync',
        topology: 'oneway',
        region: 'cn-hangzhou',
        source: { instanceId: 'r-example-src-0001', region: 'cn-hangzhou', password: 'example-password' },
        destination: { instanceId: 'r-example-dst-0002', region: 'cn-hangzhou', password: 'example-password-2' },
      },
    ],
  },
);
export type CreateSetupBody = Static<typeof CreateSetupBody>;

export const SetupId = Type.Object(
  { id: Type.String({ pattern: '^redis-sync\\.[A-Za-z0-9.:_-]{3,200}$' }) },
  { additionalProperties: false },
);

const Failure = Type.Object({
  item: Type.String(),
  message: Type.String(),
  repairMethod: Type.Optional(Type.String()),
});
const DirectionState = Type.Object({
  configured: Type.Boolean(),
  status: Type.Optional(oneOf(DTS_DIRECTION_STATUSES, { description: "DTS's status of the direction, normalised" })),
  rawStatus: Type.Optional(Type.String({ description: "DTS's own spelling" })),
  progress: Type.Optional(Type.Number()),
  precheckFailures: Type.Optional(Type.Array(Failure)),
  errorMessage: Type.Optional(Type.String()),
  delaySeconds: Type.Optional(Type.Number()),
  checkpoint: Type.Optional(Type.String()),
  configuredAt: Type.Optional(Type.String()),
  synchronizingAt: Type.Optional(Type.String()),
  restarts: Type.Integer(),
});
const EndpointSummary = Type.Object({
  kind: oneOf(ENDPOINT_KINDS),
  instanceId: Type.Optional(Type.String()),
  region: Type.String(),
  ip: Type.Optional(Type.String()),
  port: Type.Optional(Type.Integer()),
});
const ChangeRecordReply = Type.Object({
  id: Type.Integer(),
  kind: oneOf(CHANGE_KINDS),
  what: Type.Record(Type.String(), Type.Unknown(), { description: 'the change as asked, e.g. {"jobClass":"medium"}' }),
  by: Type.Optional(Type.String({ description: "the caller's name, or `schedule` for a pause that ends by itself" })),
  requestedAt: Type.String(),
  endedAt: Type.Optional(Type.String()),
  outcome: oneOf(CHANGE_OUTCOMES),
  applied: Type.Array(Type.String(), {
    description: 'the steps DTS accepted; on a failure, what was applied before it',
  }),
  error: Type.Optional(
    Type.Object({ type: Type.String(), message: Type.String(), code: Type.Optional(Type.String()) }),
  ),
});

const PausedReply = Type.Object(
  {
    since: Type.String(),
    resumeAt: Type.String({ description: 'when the setup resumes by itself' }),
    limitAt: Type.String({ description: 'DTS cannot start a direction suspended past this time (6 hours)' }),
    by: Type.Optional(Type.String()),
    warning: Type.Optional(Type.String({ description: 'the resume keeps failing as the limit nears' })),
  },
  { description: 'paused on request (POST /pause); a pause from the DTS console is `needs-attention` instead' },
);
const VerificationReply = Type.Object(
  {
    id: Type.String(),
    state: oneOf(['running', 'done']),
    depth: oneOf(VERIFY_DEPTHS, {
      description: 'type: exists with the same type; length: and the same length; value: and the same value',
    }),
    directions: oneOf(['forward', 'both'], { description: 'both: a two-way setup is checked from each end' }),
    trigger: oneOf(['synchronizing', 'request']),
    by: Type.Optional(Type.String({ description: 'who asked (a token name or JWT subject)' })),
    startedAt: Type.String(),
    finishedAt: Type.Optional(Type.String()),
    outcome: Type.Optional(oneOf(VERIFICATION_OUTCOMES)),
    rounds: Type.Optional(Type.Integer()),
    keysCompared: Type.Optional(Type.Integer()),
    keysDiffering: Type.Optional(Type.Integer({ description: 'after the re-check rounds' })),
    examples: Type.Optional(
      Type.Array(Type.Object({ key: Type.String(), reason: Type.String() }), {
        maxItems: 100,
        description: 'keys that still differed, with why (never a value)',
      }),
    ),
    reason: Type.Optional(Type.String({ description: 'why it is unverifiable' })),
  },
  { description: 'the latest comparison of the data at both ends' },
);
export const VerifyBody = Type.Union([
  Type.Object(
    { depth: Type.Optional(oneOf(VERIFY_DEPTHS, { description: 'default value' })) },
    { additionalProperties: false },
  ),
  Type.Null(),
]);
export const VerificationAccepted = Type.Object({ id: Type.String(), verification: VerificationReply });

export const SetupStatusReply = Type.Object({
  id: Type.String(),
  name: Type.String(),
  topology: oneOf(REPLY_TOPOLOGIES),
  phase: oneOf(REPLY_PHASES),
  workflowStatus: Type.Optional(Type.String({ description: "Temporal's execution status of the setup's workflow" })),
  dtsJobId: Type.Optional(Type.String()),
  dtsApi: Type.Optional(
    oneOf(DTS_APIS, { description: 'the DTS API family the setup speaks (absent: the legacy synchronizationjob)' }),
  ),
  payType: Type.Optional(oneOf(PAY_TYPES)),
  source: Type.Optional(EndpointSummary),
  destination: Type.Optional(EndpointSummary),
  forward: Type.Optional(DirectionState),
  reverse: Type.Optional(DirectionState),
  window: Type.Optional(
    Type.Object({
      start: Type.String(),
      end: Type.String(),
      timeZone: Type.String(),
      opensAt: Type.String({ description: 'when Forward starts (or started): the next opening of the window' }),
    }),
  ),
  error: Type.Optional(
    Type.Object({
      type: Type.String({ description: 'FailureType (core/failures.ts), or the name of an unexpected error' }),
      message: Type.String(),
      code: Type.Optional(Type.String()),
      requestId: Type.Optional(Type.String()),
    }),
  ),
  attention: Type.Optional(
    Type.Object({
      direction: oneOf(DIRECTIONS),
      reason: Type.String(),
      failures: Type.Array(Failure),
      since: Type.String(),
      deadline: Type.Optional(Type.String()),
      kind: Type.Optional(oneOf(ATTENTION_KINDS)),
    }),
  ),
  released: Type.Optional(Type.Object({ at: Type.String(), outcome: oneOf(RELEASE_OUTCOMES) })),
  adopted: Type.Optional(
    Type.Object(
      {
        dtsJobId: Type.String(),
        at: Type.String({ description: 'when the setup took the job over' }),
        releaseInstance: Type.Optional(Type.Boolean({ description: 'a DELETE ?release=true is deleting the job' })),
      },
      { description: 'the setup adopted an existing DTS job instead of buying one' },
    ),
  ),
  verification: Type.Optional(VerificationReply),
  canary: Type.Optional(
    Type.Object(
      {
        lagSeconds: Type.Object({ forward: Type.Optional(Type.Number()), reverse: Type.Optional(Type.Number()) }),
        at: Type.String({ description: 'when it was last measured' }),
        error: Type.Optional(Type.String({ description: 'why the canary cannot measure now' })),
      },
      { description: "the end-to-end lag the canary measures (a request's `canary`)" },
    ),
  ),
  preflightWarnings: Type.Optional(PreflightReportReply.properties.items),
  databases: Type.Optional(Databases),
  jobClass: Type.Optional(oneOf(JOB_CLASSES)),
  tags: Type.Optional(Type.Array(Type.String())),
  changes: Type.Optional(
    Type.Array(ChangeRecordReply, { description: 'day-two changes asked of this setup, oldest first (the last 20)' }),
  ),
  paused: Type.Optional(PausedReply),
  expiresAt: Type.Optional(
    Type.String({
      description:
        "when the PrePaid DTS instance ends, as DTS last reported it (read with the setup's own status reads); " +
        'absent for PostPaid. A notice `expiring` and the alert DtsInstanceExpiringSoon come 7 days before',
    }),
  ),
  createdAt: Type.Optional(Type.String()),
  updatedAt: Type.Optional(Type.String()),
});

export const AcceptedReply = Type.Object({
  id: Type.String(),
  phase: oneOf([...REPLY_PHASES, 'cancelling'], {
    description: '`cancelling`: the cancel was sent and no worker has answered with the phase yet',
  }),
  existing: Type.Optional(Type.Boolean()),
  /** The preflight's warnings for a setup just started (they are also in its memo). */
  preflightWarnings: Type.Optional(PreflightReportReply.properties.items),
});

export const ListQuery = Type.Object(
  {
    pageSize: Type.Optional(Type.String({ pattern: '^(100|[1-9][0-9]?)$', description: '1 to 100, default 20' })),
    pageToken: Type.Optional(Type.String({ maxLength: 4096, pattern: '^[A-Za-z0-9+/=_-]*$' })),
    phase: Type.Optional(oneOf(SETUP_PHASES)),
    namePrefix: Type.Optional(
      Type.String({
        pattern: NamePattern,
        description: 'setups whose name starts with this (set up since names were kept)',
      }),
    ),
    tag: Type.Optional({ ...Tag, description: 'setups started with this tag' }),
    summary: Type.Optional(
      Type.Union([Type.Literal('true'), Type.Literal('false')], {
        description: 'true: also count every matching setup per phase and per region (all pages)',
      }),
    ),
  },
  { additionalProperties: false },
);

const Counts = Type.Record(Type.String(), Type.Integer());
export const ListReply = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.Optional(Type.String()),
      region: Type.Optional(Type.String()),
      tags: Type.Optional(Type.Array(Type.String())),
      phase: Type.Optional(oneOf(REPLY_PHASES)),
      topology: Type.Optional(oneOf(REPLY_TOPOLOGIES)),
      dtsJobId: Type.Optional(Type.String()),
      sourceInstanceId: Type.Optional(Type.String()),
      destinationInstanceId: Type.Optional(Type.String()),
      workflowStatus: Type.String(),
      startedAt: Type.Optional(Type.String()),
    }),
  ),
  nextPageToken: Type.Optional(Type.String()),
  summary: Type.Optional(
    Type.Object(
      { total: Type.Integer(), byPhase: Counts, byRegion: Counts },
      { description: 'with ?summary=true: every setup the filters match, not only this page' },
    ),
  ),
});

/** POST /v1/syncs/plan: what POST /v1/syncs would do with this body, nothing started. */
export const PlanReply = Type.Object({
  id: Type.String({ description: 'the setup id of the pair' }),
  action: Type.Union(
    [Type.Literal('create'), Type.Literal('unchanged'), Type.Literal('change'), Type.Literal('blocked')],
    {
      description:
        'create: no live setup of the pair; unchanged: a live one with this request; change: a live one that differs (fields); blocked: POST would be refused (message)',
    },
  ),
  phase: Type.Optional(oneOf(REPLY_PHASES)),
  fields: Type.Optional(
    Type.Array(Type.Object({ field: Type.String(), rule: Type.String(), message: Type.String() }), {
      description: 'change: each field the live setup differs in',
    }),
  ),
  message: Type.Optional(Type.String()),
  dtsJobId: Type.Optional(Type.String()),
});

export const ErrorReply = Type.Object({
  statusCode: Type.Integer(),
  error: Type.String(),
  message: Type.String(),
  /** The DTS job a refusal is about (a kept job of an earlier setup). */
  dtsJobId: Type.Optional(Type.String()),
  fields: Type.Optional(Type.Array(Type.Object({ field: Type.String(), rule: Type.String(), message: Type.String() }))),
});

/** A route's error responses: each listed status answers an ErrorReply. */
export function errorReplies<const C extends number>(...codes: C[]): Record<C, typeof ErrorReply> {
  return Object.fromEntries(codes.map((code) => [code, ErrorReply])) as Record<C, typeof ErrorReply>;
}

/** DELETE /v1/syncs/:id: `release=true` deletes an adopted job too; without it an adopted job is left as it is. */
export const ReleaseQuery = Type.Object(
  {
    release: Type.Optional(
      Type.Union([Type.Literal('true'), Type.Literal('false')], {
        description: 'true: delete the DTS job even though the setup adopted it (setups that bought theirs always do)',
      }),
    ),
  },
  { additionalProperties: false },
);

/** 422 of POST /v1/syncs: the preflight's report, or an adopted job that does not match (`fields` names each field). */
export const UnprocessableReply = Type.Union([PreflightRefusal, ErrorReply]);

/** GET /v1/syncs/:id/events: what happened to a setup, from its latest run's history, oldest first. */
export const EventsReply = Type.Object({
  id: Type.String(),
  events: Type.Array(
    Type.Object({
      at: Type.String({ format: 'date-time' }),
      kind: Type.Union(
        [
          Type.Literal('started'),
          Type.Literal('phase'),
          Type.Literal('dts-status'),
          Type.Literal('action'),
          Type.Literal('error'),
          Type.Literal('ended'),
        ],
        {
          description:
            'started, phase (entered), dts-status (reported by DTS), action (by an operator), error (a failed activity attempt), ended',
        },
      ),
      phase: Type.Optional(Type.String()),
      direction: Type.Optional(Type.String()),
      status: Type.Optional(Type.String()),
      delaySeconds: Type.Optional(Type.Number()),
      action: Type.Optional(Type.String({ description: 'retry, abort or release' })),
      by: Type.Optional(Type.String({ description: "the caller's token name or JWT subject, never the token" })),
      releaseInstance: Type.Optional(Type.Boolean()),
      activity: Type.Optional(Type.String()),
      type: Type.Optional(Type.String()),
      message: Type.Optional(Type.String()),
      code: Type.Optional(Type.String({ description: "DTS's error code, when DTS answered" })),
      requestId: Type.Optional(Type.String()),
      outcome: Type.Optional(Type.String()),
    }),
  ),
});

/** PATCH /v1/syncs/{id}: the fields of a create body, each optional; only databases, jobClass and tags change. */
export const PatchSyncBody = Type.Object(
  {
    ...Type.Partial(Type.Omit(CreateSetupBody, ['source', 'destination'])).properties,
    source: Type.Optional(Type.Partial(EndpointBody, { additionalProperties: false })),
    destination: Type.Optional(Type.Partial(EndpointBody, { additionalProperties: false })),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    description:
      'One change per request: `databases`, `jobClass` (up only: DTS cannot downgrade), `tags`, or a new Redis ' +
      'password for one end (`source.password` or `destination.password`, given to DTS with ModifyDtsJobPassword; ' +
      'setups of the legacy synchronization family answer 409 no-operation-in-family: that API has no such ' +
      'operation). Any other field that differs from the running setup answers 409 naming it.',
    examples: [
      {
        databases: [
          { from: 0, to: 0 },
          { from: 3, to: 3 },
        ],
      },
      { jobClass: 'medium' },
      { destination: { password: 'a-new-password' } },
    ],
  },
);
export type PatchSyncBody = Static<typeof PatchSyncBody>;

export const PauseBody = Type.Object(
  {
    for: Type.Optional(
      Type.String({
        pattern: '^[1-9][0-9]{0,5}(s|m|h)$',
        description: `how long to pause, at most ${MAX_PAUSE_MS / 60_000}m (DTS cannot start a direction suspended for more than 6 hours); default the most`,
      }),
    ),
  },
  { additionalProperties: false },
);

/** POST /v1/syncs/{id}/renew: RenewInstance's Period and BuyCount (Year 1–5, Month 1–60). */
export const RenewBody = Type.Object(
  {
    period: Type.Optional(oneOf(RENEW_PERIODS, { description: 'the unit of the renewal, default Month' })),
    usedTime: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 60,
        description: 'how many periods to add: Year 1–5, Month 1–60; default 1',
      }),
    ),
  },
  { additionalProperties: false, examples: [{ period: 'Month', usedTime: 1 }] },
);
export type RenewBody = Static<typeof RenewBody>;
