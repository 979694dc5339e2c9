// Remembers SignatureNonces for the timestamp window, with a hard cap on memory.
export const NONCE_WINDOW_MS = 15 * 60_000;

export class NonceStore {
  // Insertion order is arrival order, so the oldest entries are first.
  private readonly seenAt = new Map<string, number>();

  constructor(private readonly maxEntries = 200_000) {}

  /** Records the nonce; false when it was already used inside the window. */
  use(key: string, now: number): boolean {
    this.prune(now);
    if (this.seenAt.has(key)) return false;
    this.seenAt.set(key, now);
    if (this.seenAt.size > this.maxEntries) {
      const oldest = this.seenAt.keys().next().value;
      if (oldest !== undefined) this.seenAt.delete(oldest);
    }
    return true;
  }

  clear(): void {
    this.seenAt.clear();
  }

  private prune(now: number): void {
    for (const [key, at] of this.seenAt) {
      if (now - at <= NONCE_WINDOW_MS) break;
      this.seenAt.delete(key);
    }
  }
}
