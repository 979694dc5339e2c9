import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    /** The dev server's UI (port + 1000). */
    temporalUiUrl: string;
    workflowBundlePath: string;
  }
}
