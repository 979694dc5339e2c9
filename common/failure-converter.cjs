// Plain CommonJS because Temporal loads it by path, both in the worker and inside the
// workflow bundle. Failure messages and stack traces go into an encoded payload, so the
// codec encrypts them like any other payload.
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
