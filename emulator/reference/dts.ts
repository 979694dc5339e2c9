// Every parameter of the DTS actions the product calls, as Alibaba's API reference and SDK models give them
// (docs/dts-api.md §11). The emulator checks each call against this table, and the client's request builders
// are unit-tested against it, so a parameter or value the reference does not allow fails on both sides.

export type ParamType = 'string' | 'integer' | 'boolean' | 'json' | 'region';

export interface ParamSpec {
  /** Wire name, exactly as sent (dotted for the legacy family, undotted for DtsJob). */
  name: string;
  type: ParamType;
  required?: boolean;
  /** Required when another parameter has one of these values (compared case-insensitively). */
  requiredWhen?: { param: string; values: readonly string[] };
  /** Allowed values; `integer` values are compared as numbers. */
  values?: readonly string[];
  /** Enum compared case-insensitively (the pages show more than one spelling). */
  anyCase?: boolean;
  min?: number;
  max?: number;
  maxLength?: number;
  /** ASCII only (ClientToken). */
  ascii?: boolean;
  /** Not in the reference: sent by the product on purpose, with the reason in docs/dts-api.md. */
  undocumented?: string;
}

export interface ActionSpec {
  family: 'synchronizationjob' | 'dtsjob';
  /** The reference page the parameters come from; the SDK model is [A1] in docs/dts-api.md. */
  source: string;
  params: readonly ParamSpec[];
}

const REFERENCE = 'https://www.alibabacloud.com/help/en/dts/developer-reference/';

const DIRECTION: ParamSpec = { name: 'SynchronizationDirection', type: 'string', values: ['Forward', 'Reverse'] };
const REGION: ParamSpec = { name: 'RegionId', type: 'region' };
const CLIENT_TOKEN: ParamSpec = { name: 'ClientToken', type: 'string', maxLength: 64, ascii: true };
/** Discontinued or account-level parameters every legacy action accepts and the product never sends. */
const ACCOUNT: readonly ParamSpec[] = [
  { name: 'AccountId', type: 'string' },
  { name: 'OwnerId', type: 'string' },
  { name: 'ResourceGroupId', type: 'string' },
];
/** Deployment kinds that reach a self-managed database: IP, port, account and password come with them. */
const SELF_MANAGED = ['ECS', 'Express', 'dg', 'cen'] as const;
const IP_KINDS = ['Express', 'dg', 'cen'] as const;

function endpoint(prefix: 'SourceEndpoint' | 'DestinationEndpoint'): ParamSpec[] {
  const type = `${prefix}.InstanceType`;
  const kinds =
    prefix === 'SourceEndpoint'
      ? ['RDS', 'Redis', 'PolarDB', 'ECS', 'Express', 'dg', 'cen']
      : [
          'Redis',
          'RDS',
          'PolarDB',
          'ECS',
          'Express',
          'dg',
          'cen',
          'DataHub',
          'MaxCompute',
          'AnalyticDB',
          'AnalyticDB30',
          'Greenplum',
        ];
  return [
    { name: type, type: 'string', values: kinds, anyCase: true },
    { name: `${prefix}.InstanceId`, type: 'string', requiredWhen: { param: type, values: ['Redis', 'ECS'] } },
    // The SDK model names ECS for IP too; the page's destination row does not, so ECS IP stays optional (§1.2).
    { name: `${prefix}.IP`, type: 'string', requiredWhen: { param: type, values: IP_KINDS } },
    {
      name: `${prefix}.Port`,
      type: 'integer',
      min: 1,
      max: 65535,
      requiredWhen: { param: type, values: SELF_MANAGED },
    },
    { name: `${prefix}.UserName`, type: 'string', requiredWhen: { param: type, values: SELF_MANAGED } },
    { name: `${prefix}.Password`, type: 'string', requiredWhen: { param: type, values: SELF_MANAGED } },
    { name: `${prefix}.OwnerID`, type: 'string' },
    { name: `${prefix}.Role`, type: 'string', requiredWhen: { param: `${prefix}.OwnerID`, values: ['*'] } },
    { name: prefix === 'SourceEndpoint' ? `${prefix}.DatabaseName` : `${prefix}.DataBaseName`, type: 'string' },
  ];
}

const perDirection = (page: string): ActionSpec => ({
  family: 'synchronizationjob',
  source: `${REFERENCE}${page}`,
  params: [
    { name: 'SynchronizationJobId', type: 'string', required: true },
    DIRECTION,
    REGION,
    CLIENT_TOKEN,
    ...ACCOUNT,
  ],
});

export const DTS_ACTIONS: Readonly<Record<string, ActionSpec>> = {
  CreateSynchronizationJob: {
    family: 'synchronizationjob',
    source: `${REFERENCE}api-createsynchronizationjob`,
    params: [
      REGION,
      { name: 'SourceRegion', type: 'region', required: true },
      { name: 'DestRegion', type: 'region', required: true },
      {
        name: 'SynchronizationJobClass',
        type: 'string',
        required: true,
        values: ['micro', 'small', 'medium', 'large'],
      },
      // PostPaid/PrePaid in the SDK model, Postpaid/Prepaid on the zh page.
      { name: 'PayType', type: 'string', required: true, values: ['PrePaid', 'PostPaid'], anyCase: true },
      {
        name: 'Period',
        type: 'string',
        values: ['Year', 'Month'],
        requiredWhen: { param: 'PayType', values: ['PrePaid'] },
      },
      { name: 'UsedTime', type: 'integer', min: 1, max: 60, requiredWhen: { param: 'PayType', values: ['PrePaid'] } },
      { name: 'Topology', type: 'string', values: ['oneway', 'bidirectional'] },
      {
        name: 'SourceEndpoint.InstanceType',
        type: 'string',
        values: ['MySQL', 'PolarDB', 'Redis', 'DRDS'],
        anyCase: true,
      },
      {
        name: 'DestinationEndpoint.InstanceType',
        type: 'string',
        values: ['MySQL', 'PolarDB', 'Redis', 'MaxCompute'],
        anyCase: true,
      },
      { name: 'networkType', type: 'string', values: ['Intranet'] },
      { name: 'DBInstanceCount', type: 'integer', min: 1, max: 1024 },
      CLIENT_TOKEN,
      ...ACCOUNT,
    ],
  },
  ConfigureSynchronizationJob: {
    family: 'synchronizationjob',
    source: `${REFERENCE}api-configuresynchronizationjob`,
    params: [
      { name: 'SynchronizationJobId', type: 'string', required: true },
      { name: 'SynchronizationObjects', type: 'json', required: true },
      { name: 'StructureInitialization', type: 'boolean', required: true },
      { name: 'DataInitialization', type: 'boolean', required: true },
      REGION,
      { name: 'SynchronizationJobName', type: 'string', maxLength: 128 },
      DIRECTION,
      ...endpoint('SourceEndpoint'),
      ...endpoint('DestinationEndpoint'),
      ...['Year', 'Month', 'Day', 'Hour', 'Minute'].map((unit): ParamSpec => ({
        name: `PartitionKey.ModifyTime_${unit}`,
        type: 'boolean',
      })),
      { name: 'MigrationReserved', type: 'json' },
      { name: 'Checkpoint', type: 'integer', min: 0, max: 4102444800 },
      ...ACCOUNT,
    ],
  },
  DescribeSynchronizationJobStatus: perDirection('api-describesynchronizationjobstatus'),
  DescribeSynchronizationJobStatusList: {
    family: 'synchronizationjob',
    source: `${REFERENCE}api-describesynchronizationjobstatuslist`,
    params: [
      { name: 'SynchronizationJobIdListJsonStr', type: 'json', required: true },
      REGION,
      CLIENT_TOKEN,
      {
        name: 'PageNumber',
        type: 'integer',
        min: 1,
        undocumented: 'the answer is paged but the request names no page parameter (§1.8)',
      },
      ...ACCOUNT,
    ],
  },
  DescribeSynchronizationJobs: {
    family: 'synchronizationjob',
    source: `${REFERENCE}api-describesynchronizationjobs`,
    params: [
      REGION,
      // The SDK model: 10, 20 or 30, at most 30 (an older page lists 30/50/100; §1.7).
      { name: 'PageSize', type: 'integer', values: ['10', '20', '30'] },
      { name: 'PageNum', type: 'integer', min: 1, max: 2147483647 },
      { name: 'SynchronizationJobName', type: 'string' },
      CLIENT_TOKEN,
      ...ACCOUNT,
    ],
  },
  StartSynchronizationJob: perDirection('api-startsynchronizationjob'),
  SuspendSynchronizationJob: perDirection('api-suspendsynchronizationjob'),
  ResetSynchronizationJob: perDirection('api-resetsynchronizationjob'),
  DeleteSynchronizationJob: {
    family: 'synchronizationjob',
    source: `${REFERENCE}api-deletesynchronizationjob`,
    params: [{ name: 'SynchronizationJobId', type: 'string', required: true }, REGION, ...ACCOUNT],
  },
  ModifySynchronizationObject: {
    family: 'synchronizationjob',
    source: `${REFERENCE}api-modifysynchronizationobject`,
    params: [
      { name: 'SynchronizationJobId', type: 'string', required: true },
      { name: 'SynchronizationObjects', type: 'json', required: true },
      DIRECTION,
      REGION,
      ...ACCOUNT,
    ],
  },
  DescribeSynchronizationObjectModifyStatus: {
    family: 'synchronizationjob',
    source: `${REFERENCE}api-describesynchronizationobjectmodifystatus`,
    params: [{ name: 'TaskId', type: 'string', required: true }, REGION, CLIENT_TOKEN, ...ACCOUNT],
  },
  // A DtsJob-family operation: the only one that changes an instance's class (upgrade only).
  TransferInstanceClass: {
    family: 'dtsjob',
    source: `${REFERENCE}api-transferinstanceclass`,
    params: [
      { name: 'DtsJobId', type: 'string', required: true },
      { name: 'OrderType', type: 'string', required: true, values: ['UPGRADE'] },
      { name: 'InstanceClass', type: 'string', required: true, values: ['micro', 'small', 'medium', 'large'] },
      REGION,
      { name: 'ResourceGroupId', type: 'string' },
    ],
  },
};
