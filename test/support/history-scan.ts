import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { describeHits, findSecrets, TEST_SECRETS, type Secret } from './secret-scan';

const { HistoryEvent } = temporal.api.history.v1;
const { WorkflowExecutionInfo } = temporal.api.workflow.v1;
const { DescribeWorkflowExecutionResponse } = temporal.api.workflowservice.v1;

export interface RawRecord {
  /** e.g. "default/redis-sync.x/run-id event 5 ActivityTaskScheduled" */
  where: string;
  bytes: Uint8Array;
}

export interface ScanReport {
  executions: number;
  records: number;
  bytes: number;
  findings: string[];
}

/**
 * The raw protobuf bytes of one execution as the server stores and serves them, without any
 * data converter or codec: every history event (input, results, failures, memo, search
 * attributes, user metadata, markers), the visibility record and the describe answer (which
 * also carries pending activities' last failures, not yet in history).
 */
export async function rawExecutionRecords(
  connection: Pick<Connection, 'workflowService'>,
  namespace: string,
  execution: { workflowId: string; runId?: string },
): Promise<RawRecord[]> {
  const service = connection.workflowService;
  const name = `${namespace}/${execution.workflowId}/${execution.runId ?? 'latest'}`;
  const records: RawRecord[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await service.getWorkflowExecutionHistory({ namespace, execution, nextPageToken });
    for (const event of page.history?.events ?? []) {
      const type = temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? 'unknown';
      records.push({
        where: `${name} event ${String(event.eventId)} ${type}`,
        bytes: HistoryEvent.encode(event).finish(),
      });
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  const described = await service.describeWorkflowExecution({ namespace, execution });
  records.push({ where: `${name} describe`, bytes: DescribeWorkflowExecutionResponse.encode(described).finish() });
  return records;
}

/** Scans every execution of every user namespace on the server at address. */
export async function scanServerHistories(address: string, secrets: Secret[] = TEST_SECRETS): Promise<ScanReport> {
  const connection = await Connection.connect({ address });
  const report: ScanReport = { executions: 0, records: 0, bytes: 0, findings: [] };
  const scan = (record: RawRecord) => {
    report.records += 1;
    report.bytes += record.bytes.length;
    report.findings.push(...describeHits(record.where, findSecrets(record.bytes, secrets)));
  };
  try {
    const namespaces = (await connection.workflowService.listNamespaces({})).namespaces ?? [];
    for (const ns of namespaces) {
      const namespace = ns.namespaceInfo?.name ?? '';
      if (!namespace || namespace === 'temporal-system') continue;
      let nextPageToken: Uint8Array | undefined;
      do {
        const page = await connection.workflowService.listWorkflowExecutions({
          namespace,
          pageSize: 1000,
          nextPageToken,
        });
        for (const info of page.executions ?? []) {
          const execution = { workflowId: info.execution?.workflowId ?? '', runId: info.execution?.runId ?? undefined };
          report.executions += 1;
          // Visibility: memo, search attributes, summaries as the list API serves them.
          scan({
            where: `${namespace}/${execution.workflowId}/${execution.runId} visibility`,
            bytes: WorkflowExecutionInfo.encode(info).finish(),
          });
          for (const record of await rawExecutionRecords(connection, namespace, execution)) scan(record);
        }
        nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
      } while (nextPageToken);
    }
  } finally {
    await connection.close();
  }
  return report;
}

/** For the global teardown: throws, naming every place, when a test secret reached the server in clear. */
export async function assertNoSecretsOnServer(address: string): Promise<void> {
  const report = await scanServerHistories(address);
  console.log(
    `secret scan: ${report.executions} executions, ${report.records} records, ${Math.round(report.bytes / 1024)} KiB of raw history: ${report.findings.length} hits`,
  );
  if (report.findings.length > 0) {
    // Vitest only logs an error thrown by a global teardown ("error during close"); the exit code makes it fail the run.
    process.exitCode = 1;
    throw new Error(
      `test secrets found in clear on the Temporal server:\n${report.findings.slice(0, 50).join('\n')}${report.findings.length > 50 ? `\n… and ${report.findings.length - 50} more` : ''}`,
    );
  }
}
