// Every parameter of the DTS actions the product calls, as Alibaba's API reference and SDK models give them
// (docs/dts-api.md §11). The emulator checks each call against this table, and the client's request builders
// are unit-tested against it, so a parameter or value the reference does not allow fails on both sides.

export type ParamType = 'string' | 'integer' | 'boolean' | 'json' | 'region';

export interface ParamSpec {
  /** Wire name, exactly as sent (dotted for the legacy family, flat for DtsJob). */
  name: string;
  type: ParamType;
  required?: boolean;
  /** Required when another parameter has one of these values (compared case-insensitively). */
  requiredWhen?: { param: string; values: readonly string[] };
  /** Required unless this other parameter is given ("specify one of this parameter and JobId"). */
  requiredUnless?: string;
  /** A comma-separated list of at most this many items. */
  maxItems?: number;
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
/** The one resource type of the tag actions. */
export const DTS_RESOURCE_TYPE = 'ALIYUN::DTS::INSTANCE';

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

// ---- The DtsJob family (docs/dts-api.md §12): flat parameter names, the task (DtsJobId) inside an instance. ----

const SELF_MANAGED_KINDS = ['OTHER', 'ECS', 'EXPRESS', 'CEN', 'DG'] as const;
const CLOUD_SOURCE_KINDS = [
  'RDS',
  'PolarDB',
  'ADS',
  'REDIS',
  'DISTRIBUTED_POLARDBX10',
  'POLARDBX20',
  'MONGODB',
  'DISTRIBUTED_DMSLOGICDB',
  'LINDORM',
];
const CLOUD_DESTINATION_KINDS = [
  'RDS',
  'PolarDB',
  'DISTRIBUTED_POLARDBX10',
  'POLARDBX20',
  'REDIS',
  'ADS',
  'MONGODB',
  'ROCKETMQ',
  'GREENPLUM',
  'DATAHUB',
  'ELK',
  'Tablestore',
  'ODPS',
  'LINDORM',
];
const SOURCE_ENGINES = [
  'MYSQL',
  'MARIADB',
  'PolarDB',
  'POLARDB_O',
  'POLARDBX10',
  'POLARDBX20',
  'ADB30',
  'ORACLE',
  'POSTGRESQL',
  'MSSQL',
  'MONGODB',
  'DB2',
  'AS400',
  'DMSPOLARDB',
  'HBASE',
  'TERADATA',
  'TiDB',
  'REDIS',
  'LINDORM',
];
const DESTINATION_ENGINES = [
  'MYSQL',
  'MARIADB',
  'PolarDB',
  'POLARDB_O',
  'POLARDBX10',
  'POLARDBX20',
  'ORACLE',
  'POSTGRESQL',
  'MSSQL',
  'ADS',
  'ADB30',
  'MONGODB',
  'ROCKETMQ',
  'GREENPLUM',
  'KAFKA',
  'DATAHUB',
  'DB2',
  'AS400',
  'ODPS',
  'Tablestore',
  'ELK',
  'REDIS',
  'LINDORM',
];
/** CreateDtsInstance's engine list (one list for both ends). */
const INSTANCE_ENGINES = [
  'MySQL',
  'PolarDB',
  'polardb_o',
  'polardb_pg',
  'Redis',
  'DRDS',
  'PostgreSQL',
  'odps',
  'oracle',
  'mongodb',
  'tidb',
  'ADS',
  'ADB30',
  'Greenplum',
  'MSSQL',
  'kafka',
  'DataHub',
  'DB2',
  'as400',
  'Tablestore',
];
const JOB_ID: ParamSpec = { name: 'DtsJobId', type: 'string', required: true };
const ZERO_ETL: ParamSpec = { name: 'ZeroEtlJob', type: 'boolean' };
const RESOURCE_GROUP: ParamSpec = { name: 'ResourceGroupId', type: 'string' };
const JOB_TYPES = ['MIGRATION', 'SYNC', 'SUBSCRIBE'];

function dtsEndpoint(prefix: 'SourceEndpoint' | 'DestinationEndpoint'): ParamSpec[] {
  const type = `${prefix}InstanceType`;
  const cloud = prefix === 'SourceEndpoint' ? CLOUD_SOURCE_KINDS : CLOUD_DESTINATION_KINDS;
  const params: ParamSpec[] = [
    { name: type, type: 'string', required: true, values: [...cloud, ...SELF_MANAGED_KINDS], anyCase: true },
    {
      name: `${prefix}EngineName`,
      type: 'string',
      values: prefix === 'SourceEndpoint' ? SOURCE_ENGINES : DESTINATION_ENGINES,
      anyCase: true,
    },
    // A cloud database is named by its id (and ECS/DG by theirs); EXPRESS/CEN may name their VPC.
    { name: `${prefix}InstanceID`, type: 'string', requiredWhen: { param: type, values: [...cloud, 'ECS', 'DG'] } },
    { name: `${prefix}Region`, type: 'region', requiredWhen: { param: type, values: cloud } },
    { name: `${prefix}IP`, type: 'string', requiredWhen: { param: type, values: ['OTHER', 'EXPRESS', 'DG', 'CEN'] } },
    {
      name: `${prefix}Port`,
      type: 'integer',
      min: 1,
      max: 65535,
      requiredWhen: { param: type, values: SELF_MANAGED_KINDS },
    },
    { name: `${prefix}UserName`, type: 'string' },
    { name: `${prefix}Password`, type: 'string' },
    { name: `${prefix}OracleSID`, type: 'string' },
    { name: `${prefix}OwnerID`, type: 'string' },
    { name: `${prefix}Role`, type: 'string', requiredWhen: { param: `${prefix}OwnerID`, values: ['*'] } },
    { name: prefix === 'SourceEndpoint' ? `${prefix}DatabaseName` : `${prefix}DataBaseName`, type: 'string' },
  ];
  if (prefix === 'SourceEndpoint') params.push({ name: `${prefix}VSwitchID`, type: 'string' });
  return params;
}

/** Start, Suspend, Reset, Delete: one task, named by DtsJobId (its instance and direction optional). */
const perTask = (page: string, extra: readonly ParamSpec[] = []): ActionSpec => ({
  family: 'dtsjob',
  source: `${REFERENCE}${page}`,
  params: [JOB_ID, { name: 'DtsInstanceId', type: 'string' }, DIRECTION, REGION, RESOURCE_GROUP, ...extra],
});

const DTSJOB_ACTIONS: Readonly<Record<string, ActionSpec>> = {
  CreateDtsInstance: {
    family: 'dtsjob',
    source: `${REFERENCE}api-createdtsinstance`,
    params: [
      // The page's later correction: PayType must be given.
      { name: 'PayType', type: 'string', required: true, values: ['PrePaid', 'PostPaid'] },
      { name: 'Type', type: 'string', values: JOB_TYPES, requiredUnless: 'JobId' },
      { name: 'SourceRegion', type: 'region', requiredUnless: 'JobId' },
      { name: 'DestinationRegion', type: 'region', requiredUnless: 'JobId' },
      {
        name: 'SourceEndpointEngineName',
        type: 'string',
        values: INSTANCE_ENGINES,
        anyCase: true,
        requiredUnless: 'JobId',
      },
      {
        name: 'DestinationEndpointEngineName',
        type: 'string',
        values: INSTANCE_ENGINES,
        anyCase: true,
        requiredUnless: 'JobId',
      },
      { name: 'JobId', type: 'string' },
      REGION,
      { name: 'DtsRegion', type: 'region' },
      // Migration classes xxlarge..small, synchronization classes large..micro.
      {
        name: 'InstanceClass',
        type: 'string',
        values: ['xxlarge', 'xlarge', 'large', 'medium', 'small', 'micro'],
      },
      {
        name: 'Period',
        type: 'string',
        values: ['Year', 'Month'],
        requiredWhen: { param: 'PayType', values: ['PrePaid'] },
      },
      // Month: 1–9; Year: 1, 2, 3 or 5 (the operation checks the pair).
      { name: 'UsedTime', type: 'integer', min: 1, max: 9, requiredWhen: { param: 'PayType', values: ['PrePaid'] } },
      { name: 'SyncArchitecture', type: 'string', values: ['oneway', 'bidirectional'] },
      // "You can purchase only one DTS instance each time you call this operation."
      { name: 'Quantity', type: 'integer', min: 1, max: 1 },
      { name: 'AutoPay', type: 'boolean' },
      { name: 'AutoStart', type: 'boolean' },
      { name: 'DatabaseCount', type: 'integer', min: 1 },
      { name: 'ComputeUnit', type: 'integer', min: 2 },
      { name: 'Du', type: 'integer', min: 1, max: 100 },
      { name: 'MaxDu', type: 'integer', min: 1 },
      { name: 'MinDu', type: 'integer', min: 1 },
      { name: 'FeeType', type: 'string', values: ['ONLY_CONFIGURATION_FEE', 'CONFIGURATION_FEE_AND_DATA_FEE'] },
      { name: 'InsightModule', type: 'boolean' },
      RESOURCE_GROUP,
    ],
  },
  ConfigureDtsJob: {
    family: 'dtsjob',
    source: `${REFERENCE}api-configuredtsjob`,
    params: [
      { name: 'DtsJobName', type: 'string', required: true },
      { name: 'JobType', type: 'string', required: true, values: ['MIGRATION', 'SYNC', 'CHECK'] },
      { name: 'StructureInitialization', type: 'boolean', required: true },
      { name: 'DataInitialization', type: 'boolean', required: true },
      { name: 'DataSynchronization', type: 'boolean', required: true },
      ...dtsEndpoint('SourceEndpoint'),
      ...dtsEndpoint('DestinationEndpoint'),
      // At most 1 MB, filters included.
      { name: 'DbList', type: 'json', maxLength: 1024 * 1024 },
      { name: 'DtsInstanceId', type: 'string' },
      { name: 'DtsJobId', type: 'string' },
      DIRECTION,
      REGION,
      { name: 'Reserve', type: 'json' },
      // A UNIX time in seconds (a string in the SDK model).
      { name: 'Checkpoint', type: 'integer', min: 0, max: 4102444800 },
      { name: 'DelayNotice', type: 'boolean' },
      { name: 'DelayPhone', type: 'string' },
      { name: 'DelayRuleTime', type: 'integer', min: 0, requiredWhen: { param: 'DelayNotice', values: ['true'] } },
      { name: 'ErrorNotice', type: 'boolean' },
      { name: 'ErrorPhone', type: 'string' },
      { name: 'DataCheckConfigure', type: 'json' },
      { name: 'DedicatedClusterId', type: 'string' },
      { name: 'DisasterRecoveryJob', type: 'boolean' },
      { name: 'DtsBisLabel', type: 'string', values: ['normal', 'online'] },
      { name: 'FileOssUrl', type: 'string' },
      { name: 'MaxDu', type: 'integer', min: 1 },
      { name: 'MinDu', type: 'integer', min: 1 },
      { name: 'OwnerId', type: 'string' },
      RESOURCE_GROUP,
    ],
  },
  DescribeDtsJobs: {
    family: 'dtsjob',
    source: `${REFERENCE}api-describedtsjobs`,
    params: [
      // 10, 20 or 30; 20 when absent.
      { name: 'PageSize', type: 'integer', values: ['10', '20', '30'] },
      { name: 'PageNumber', type: 'integer', min: 1, max: 2147483647 },
      // MIGRATION when absent: a list of synchronization tasks must say SYNC.
      { name: 'JobType', type: 'string', values: JOB_TYPES },
      { name: 'Region', type: 'region' },
      // "Deprecated parameter": accepted, filters nothing.
      REGION,
      // Comma-separated ids.
      { name: 'DtsInstanceId', type: 'string' },
      { name: 'DtsJobId', type: 'string' },
      {
        name: 'Status',
        type: 'string',
        values: [
          'NotStarted',
          'Prechecking',
          'PrecheckFailed',
          'PreCheckPass',
          'NotConfigured',
          'Initializing',
          'InitializeFailed',
          'Synchronizing',
          'Failed',
          'Suspending',
          'Modifying',
          'Finished',
          'Retrying',
          'Upgrade',
          'Locked',
          'Downgrade',
          'Migrating',
          'MigrationFailed',
          'Starting',
          'Normal',
          'Abnormal',
        ],
      },
      { name: 'Type', type: 'string', values: ['instance', 'name', 'srcRds', 'rds'] },
      { name: 'Params', type: 'string' },
      { name: 'OrderColumn', type: 'string', values: ['CreateTime', 'FinishTime', 'duLimit'] },
      { name: 'OrderDirection', type: 'string', values: ['ASC', 'DESC'] },
      { name: 'WithoutDbList', type: 'boolean' },
      { name: 'Tags', type: 'json' },
      { name: 'GroupId', type: 'string' },
      { name: 'InstanceId', type: 'string' },
      { name: 'InstanceType', type: 'string' },
      { name: 'SrcProductType', type: 'string' },
      { name: 'DestProductType', type: 'string' },
      { name: 'DedicatedClusterId', type: 'string' },
      { name: 'DtsBisLabel', type: 'string', values: ['normal', 'online'] },
      { name: 'OwnerId', type: 'string' },
      ZERO_ETL,
      RESOURCE_GROUP,
    ],
  },
  DescribeDtsJobDetail: {
    family: 'dtsjob',
    source: `${REFERENCE}api-describedtsjobdetail`,
    params: [
      JOB_ID,
      // Spelled with a capital ID on this action only.
      { name: 'DtsInstanceID', type: 'string' },
      DIRECTION,
      REGION,
      { name: 'SyncSubJobHistory', type: 'boolean' },
      { name: 'DbObjectOutputType', type: 'string' },
      ZERO_ETL,
      RESOURCE_GROUP,
    ],
  },
  StartDtsJob: perTask('api-startdtsjob', [ZERO_ETL]),
  SuspendDtsJob: perTask('api-suspenddtsjob', [ZERO_ETL]),
  ResetDtsJob: perTask('api-resetdtsjob'),
  DeleteDtsJob: perTask('api-deletedtsjob', [{ name: 'JobType', type: 'string', values: JOB_TYPES }, ZERO_ETL]),
  ModifyDtsJob: {
    family: 'dtsjob',
    source: `${REFERENCE}api-modifydtsjob`,
    params: [
      { name: 'DtsInstanceId', type: 'string', required: true },
      { name: 'DtsJobId', type: 'string' },
      DIRECTION,
      REGION,
      CLIENT_TOKEN,
      // Replaces the whole list (the page: pass every object to keep); at most 1 MB.
      { name: 'DbList', type: 'json' },
      // Absent: the objects change; UPDATE_RESERVED: Reserved is added to.
      { name: 'ModifyTypeEnum', type: 'string', values: ['UPDATE_RESERVED'], anyCase: true },
      { name: 'Reserved', type: 'json' },
      { name: 'StructureInitialization', type: 'boolean' },
      { name: 'DataInitialization', type: 'boolean' },
      { name: 'DataSynchronization', type: 'boolean' },
      { name: 'EtlOperatorColumnReference', type: 'string' },
      { name: 'FileOssUrl', type: 'string' },
      { name: 'FilterTableName', type: 'string' },
      ZERO_ETL,
      RESOURCE_GROUP,
    ],
  },
  ModifyDtsJobPassword: {
    family: 'dtsjob',
    source: `${REFERENCE}api-modifydtsjobpassword`,
    params: [
      JOB_ID,
      { name: 'DtsInstanceId', type: 'string' },
      DIRECTION,
      REGION,
      // Optional in the table, "must be specified" in each note: the strict reading.
      { name: 'Endpoint', type: 'string', required: true, values: ['src', 'dest'] },
      { name: 'UserName', type: 'string', required: true },
      { name: 'Password', type: 'string', required: true },
      ZERO_ETL,
      RESOURCE_GROUP,
    ],
  },
  DeleteDtsJobs: {
    family: 'dtsjob',
    source: `${REFERENCE}api-deletedtsjobs`,
    params: [{ name: 'DtsJobIds', type: 'string', required: true, maxItems: 10 }, REGION, ZERO_ETL, RESOURCE_GROUP],
  },
};

export const DTS_ACTIONS: Readonly<Record<string, ActionSpec>> = {
  ...DTSJOB_ACTIONS,
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
  // Subscription instances only; no ClientToken: a lost answer is looked at (ExpireTime), never resent blindly.
  RenewInstance: {
    family: 'dtsjob',
    source: `${REFERENCE}api-renewinstance`,
    params: [
      { name: 'DtsJobId', type: 'string', required: true },
      { name: 'ChargeType', type: 'string', required: true, values: ['PREPAY'] },
      { name: 'Period', type: 'string', values: ['Year', 'Month'] },
      // Year 1–5, Month 1–60 (the operation checks the pair).
      { name: 'BuyCount', type: 'integer', min: 1, max: 60 },
      REGION,
    ],
  },
  TagResources: {
    family: 'dtsjob',
    source: `${REFERENCE}api-tagresources-1`,
    params: [
      { ...REGION, required: true },
      { name: 'ResourceType', type: 'string', required: true, values: [DTS_RESOURCE_TYPE] },
      ...numbered('ResourceId.', '', 50, { name: '', type: 'string' }),
      ...numbered('Tag.', '.Key', 20, { name: '', type: 'string', maxLength: 128 }),
      ...numbered('Tag.', '.Value', 20, { name: '', type: 'string', maxLength: 128 }),
    ],
  },
  UntagResources: {
    family: 'dtsjob',
    source: `${REFERENCE}api-untagresources-1`,
    params: [
      { ...REGION, required: true },
      { name: 'ResourceType', type: 'string', required: true, values: [DTS_RESOURCE_TYPE] },
      ...numbered('ResourceId.', '', 50, { name: '', type: 'string' }),
      ...numbered('TagKey.', '', 20, { name: '', type: 'string' }),
      { name: 'All', type: 'boolean' },
    ],
  },
  ListTagResources: {
    family: 'dtsjob',
    source: `${REFERENCE}api-listtagresources-2`,
    params: [
      { ...REGION, required: true },
      { name: 'ResourceType', type: 'string', required: true, values: [DTS_RESOURCE_TYPE] },
      { name: 'NextToken', type: 'string' },
      ...numbered('ResourceId.', '', 50, { name: '', type: 'string' }),
      ...numbered('Tag.', '.Key', 20, { name: '', type: 'string' }),
      ...numbered('Tag.', '.Value', 20, { name: '', type: 'string' }),
    ],
  },
};

/** A repeated list as the SDKs flatten it, numbered from 1 (`ResourceId.1`, `Tag.1.Key`), up to `max` items. */
function numbered(prefix: string, suffix: string, max: number, spec: ParamSpec): ParamSpec[] {
  return Array.from({ length: max }, (_, i) => ({ ...spec, name: `${prefix}${i + 1}${suffix}` }));
}
