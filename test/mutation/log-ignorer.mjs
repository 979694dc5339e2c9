// A StrykerJS ignorer (stryker.config.mjs `ignorers`): no mutants in the workflow's log lines
// (`log.debug/info/warn/error(...)` of @temporalio/workflow). They change what the worker log says, not what a
// setup does; the steps' fast tests do not assert log text on purpose. Stryker reports them as Ignored, with
// this reason, and leaves them out of the score (docs/reliability.md "Mutation testing").
import { declareClassPlugin, PluginKind } from '@stryker-mutator/api/plugin';

const LEVELS = new Set(['debug', 'info', 'warn', 'error']);

class WorkflowLogIgnorer {
  shouldIgnore(path) {
    if (!path.isExpressionStatement()) return undefined;
    const call = path.node.expression;
    if (call.type !== 'CallExpression' || call.callee.type !== 'MemberExpression') return undefined;
    const { object, property } = call.callee;
    if (
      object.type === 'Identifier' &&
      object.name === 'log' &&
      property.type === 'Identifier' &&
      LEVELS.has(property.name)
    )
      return 'a workflow log line: what the worker log says, not what the setup does';
    return undefined;
  }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.Ignore, 'workflow-log', WorkflowLogIgnorer)];
