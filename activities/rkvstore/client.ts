// The only module that knows @alicloud/r-kvstore20150101: the reads the preflight needs, credentials per call,
// errors classified and scrubbed like DTS's (activities/dts/errors.ts).
import RKVStore, * as $RKV from '@alicloud/r-kvstore20150101';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import * as $dara from '@darabonba/typescript';
import { classifyDtsError } from '../dts/errors';
import type { Lane, RateLimiter } from '../dts/rate-limiter';
import type { CloudCredentials, CredentialsGetter } from '../credentials';
import { text } from '../../common/text';
import type { InstanceFacts } from '../../core/preflight-checks';

export interface RkvstoreClientConfig {
  /** e.g. https://r-kvstore.aliyuncs.com, or the emulator's http://127.0.0.1:PORT */
  endpoint: string;
  timeoutMs: number;
}

export class RkvstoreClient {
  private readonly sdk: RKVStore;
  private readonly runtime: $dara.RuntimeOptions;
  private lastCredentials: CloudCredentials | undefined;

  constructor(
    private readonly config: RkvstoreClientConfig,
    private readonly credentials: CredentialsGetter,
    /** R-KVStore's own budget (RKVSTORE_MAX_CALLS_PER_SECOND): every call waits for its slot. */
    private readonly limiter?: RateLimiter,
    /** The limiter's lane of every call: a preflight's reads ('answer') go before the verifications' reads. */
    private readonly lane: Lane = 'read',
  ) {
    const url = new URL(config.endpoint);
    this.sdk = new RKVStore(
      new $OpenApiUtil.Config({
        endpoint: url.host,
        protocol: url.protocol.replace(':', ''),
        // The classic RPC signature (HMAC-SHA1 in the query), which R-KVStore and the emulator both check.
        signatureAlgorithm: 'v2',
        credential: { getCredential: () => this.credentialModel() } as never,
      }),
    );
    this.runtime = new $dara.RuntimeOptions({
      readTimeout: config.timeoutMs,
      connectTimeout: config.timeoutMs,
      autoretry: false,
    });
  }

  /** The same account and budget, every call in the answer lane: reads a person waits on (a POST's preflight). */
  forAnswers(): RkvstoreClient {
    return new RkvstoreClient(this.config, this.credentials, this.limiter, 'answer');
  }

  /**
   * The facts the preflight checks. `attributeOnly` (a source: its eviction policy and direct connection are not
   * checked, core/preflight-checks.ts) reads one call instead of three.
   */
  async describeInstance(instanceId: string, regionId: string, attributeOnly = false): Promise<InstanceFacts> {
    const attribute = await this.call('DescribeInstanceAttribute', () =>
      this.sdk.describeInstanceAttributeWithOptions(
        new $RKV.DescribeInstanceAttributeRequest({ instanceId }),
        this.runtime,
      ),
    );
    const a = attribute.body?.instances?.DBInstanceAttribute?.[0];
    if (!a)
      throw classifyDtsError(
        { code: 'InvalidInstanceId.NotFound', message: `${instanceId} not found` },
        'DescribeInstanceAttribute',
        [],
      );
    const facts: InstanceFacts = {
      instanceId,
      status: a.instanceStatus ?? 'Unknown',
      regionId: a.regionId ?? '',
      instanceType: a.instanceType ?? '',
      engineVersion: a.engineVersion ?? '',
      ...(a.architectureType ? { architecture: a.architectureType } : {}),
      directConnection: false,
    };
    if (attributeOnly) return facts;
    // Both after the attribute (a missing instance is reported by it), together.
    const [parameters, net] = await Promise.all([
      this.call('DescribeParameters', () =>
        this.sdk.describeParametersWithOptions(
          new $RKV.DescribeParametersRequest({ DBInstanceId: instanceId, regionId }),
          this.runtime,
        ),
      ),
      this.call('DescribeDBInstanceNetInfo', () =>
        this.sdk.describeDBInstanceNetInfoWithOptions(
          new $RKV.DescribeDBInstanceNetInfoRequest({ instanceId }),
          this.runtime,
        ),
      ),
    ]);
    const policy = parameters.body?.runningParameters?.parameter?.find((p) => p.parameterName === 'maxmemory-policy');
    const items = net.body?.netInfoItems?.instanceNetInfo ?? [];
    return {
      ...facts,
      ...(policy?.parameterValue ? { maxmemoryPolicy: policy.parameterValue } : {}),
      directConnection: items.some((i) => Number(i.directConnection) === 1),
    };
  }

  /** Where the instance answers (its private address; the direct-connection one is not needed here). */
  async describeAddress(instanceId: string): Promise<{ host: string; port: number }> {
    const net = await this.call('DescribeDBInstanceNetInfo', () =>
      this.sdk.describeDBInstanceNetInfoWithOptions(
        new $RKV.DescribeDBInstanceNetInfoRequest({ instanceId }),
        this.runtime,
      ),
    );
    const items = net.body?.netInfoItems?.instanceNetInfo ?? [];
    const item = items.find((i) => Number(i.directConnection) !== 1) ?? items[0];
    const port = Number(item?.port);
    if (!item?.IPAddress || !Number.isInteger(port) || port <= 0)
      throw classifyDtsError(
        { code: 'InvalidInstanceId.NotFound', message: `${instanceId} has no network address` },
        'DescribeDBInstanceNetInfo',
        [],
      );
    return { host: item.IPAddress, port };
  }

  private async credentialModel() {
    const c = await this.credentials();
    this.lastCredentials = c;
    return {
      accessKeyId: c.accessKeyId,
      accessKeySecret: c.accessKeySecret,
      securityToken: c.securityToken,
      type: c.securityToken ? 'sts' : 'access_key',
    };
  }

  private async call<T>(action: string, run: () => Promise<T>): Promise<T> {
    await this.limiter?.take(this.lane);
    try {
      return await run();
    } catch (err) {
      const secrets = [this.lastCredentials?.accessKeySecret ?? '', this.lastCredentials?.securityToken ?? ''];
      throw classifyDtsError(toPopShape(err), action, secrets);
    }
  }
}

// The SDK's errors carry code, statusCode and data; classifyDtsError reads pop-core's shape.
function toPopShape(err: unknown): unknown {
  const e = (err ?? {}) as {
    name?: string;
    code?: unknown;
    message?: string;
    statusCode?: number;
    data?: Record<string, unknown>;
  };
  if (/timeout/i.test(e.name ?? '') || /timeout/i.test(e.message ?? ''))
    return { name: 'RequestTimeoutError', message: e.message };
  const data = e.data && typeof e.data === 'object' ? e.data : undefined;
  return {
    name: e.name,
    code: typeof e.code === 'string' ? e.code : undefined,
    message: text(data?.Message ?? e.message),
    data: data ? { RequestId: data.RequestId, Message: data.Message } : undefined,
    entry: {
      response: { statusCode: e.statusCode ?? (typeof data?.statusCode === 'number' ? data.statusCode : undefined) },
    },
  };
}

/** Alibaba's R-KVStore endpoint next to Alibaba's DTS; otherwise (the emulator) the DTS endpoint itself. */
export function defaultRkvstoreEndpoint(dtsEndpoint: string): string {
  return /(^|\.)aliyuncs\.com$/.test(new URL(dtsEndpoint).hostname) ? 'https://r-kvstore.aliyuncs.com' : dtsEndpoint;
}
