import { Client, Connection } from '@temporalio/client';
import { inject, it } from 'vitest';
it('leaks on purpose (temporary)', async () => {
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  const client = new Client({ connection });
  const h = await client.workflow.start('nothing', { taskQueue: 'nobody-polls', workflowId: `leak-${Date.now()}`, args: [{ password: 'leaky-Pa55' }] });
  await h.terminate();
  await connection.close();
});
