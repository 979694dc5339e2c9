/** The CLI's exit codes (docs/cli.md): scripts branch on them, so they never change meaning. */
export const EXIT = {
  ok: 0,
  /** Anything unexpected: the API unreachable, a 5xx, a reply that is not what the API documents. */
  error: 1,
  /** Bad arguments or a bad file, or a 400 from the API naming the field. */
  usage: 2,
  notFound: 3,
  /** The API refused: a conflict (409), a failed preflight (422). */
  refused: 4,
  /** No token, or a token the API does not accept (401/403). */
  unauthorized: 5,
  /** `watch`/`apply`: a setup needs an operator (a failed precheck, a delay over its bound). */
  needsAttention: 6,
  /** `watch`/`apply`: a setup ended (failed, cancelled, released) without reaching synchronizing. */
  ended: 7,
  /** `watch`/`apply`: `--timeout` passed before every setup reached synchronizing. */
  timeout: 8,
  /** `apply`: everything else done; changes of running setups left that cannot be made in place (pay type, topology…). */
  notApplicable: 9,
} as const;

/** An error the CLI reports as one message and an exit code, never as a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}
