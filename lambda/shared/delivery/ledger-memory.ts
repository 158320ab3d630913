import {
  claimVerdict,
  type ClaimOptions,
  type ClaimResult,
  type DeliveryLedger,
  type LedgerEntry,
  type LedgerKey,
  type LedgerReader,
  type MailEventRecord,
  type MailEventRecorder,
} from './ledger.ts';

/** In-memory ledger with the same semantics as the DynamoDB one, for fast tests and the property test. */
export class MemoryLedger implements DeliveryLedger, LedgerReader, MailEventRecorder {
  private readonly items = new Map<string, LedgerEntry>();

  private id(key: LedgerKey): string {
    return `${key.runId}\u0000${key.subscriberId}`;
  }

  async claim(key: LedgerKey, { claimId, now, leaseMs }: ClaimOptions): Promise<ClaimResult> {
    const existing = this.items.get(this.id(key));
    if (existing) {
      const verdict = claimVerdict(existing, now);
      // Given up while a holder's lease ran out: record it so, under a new claim id, out of that holder's reach.
      if (verdict !== 'take-over' && verdict.outcome === 'done' && verdict.state === 'unknown' && existing.state === 'claimed') {
        this.items.set(this.id(key), { ...existing, state: 'unknown', claimId, updatedAt: now });
      }
      if (verdict !== 'take-over') return verdict;
    }
    const tries = (existing?.tries ?? (existing ? 1 : 0)) + 1;
    this.items.set(this.id(key), { ...key, state: 'claimed', claimId, leaseUntil: now + leaseMs, tries, updatedAt: now });
    return { outcome: 'claimed', tries };
  }

  private held(key: LedgerKey, claimId: string): LedgerEntry | undefined {
    const existing = this.items.get(this.id(key));
    return existing?.state === 'claimed' && existing.claimId === claimId ? existing : undefined;
  }

  private finish(key: LedgerKey, claimId: string, change: Partial<LedgerEntry>): boolean {
    const existing = this.held(key, claimId);
    if (!existing) return false;
    const { leaseUntil: _lease, ...rest } = existing;
    this.items.set(this.id(key), change.state === 'unknown' ? { ...existing, ...change } : { ...rest, ...change });
    return true;
  }

  async markSent(key: LedgerKey, claimId: string, messageId: string, now: number): Promise<boolean> {
    return this.finish(key, claimId, { state: 'sent', messageId, updatedAt: now });
  }

  async markRejected(key: LedgerKey, claimId: string, reason: string, now: number): Promise<boolean> {
    return this.finish(key, claimId, { state: 'rejected', reason, updatedAt: now });
  }

  async markUnknown(key: LedgerKey, claimId: string, now: number): Promise<boolean> {
    return this.finish(key, claimId, { state: 'unknown', updatedAt: now });
  }

  async release(key: LedgerKey, claimId: string): Promise<void> {
    const existing = this.held(key, claimId);
    if (!existing) return;
    const tries = existing.tries ?? 1;
    if (tries <= 1) this.items.delete(this.id(key));
    else this.items.set(this.id(key), { ...existing, state: 'unknown', tries: tries - 1, leaseUntil: 0 });
  }

  async get(key: LedgerKey): Promise<LedgerEntry | null> {
    const e = this.items.get(this.id(key));
    return e ? { ...e } : null;
  }

  async recordMailEvent(key: LedgerKey, record: MailEventRecord): Promise<'recorded' | 'duplicate' | 'unknown'> {
    const existing = this.items.get(this.id(key));
    if (!existing) return 'unknown';
    if (existing[record.kind] !== undefined) return 'duplicate';
    this.items.set(this.id(key), { ...existing, [record.kind]: { ...record.event } });
    return 'recorded';
  }

  /** Every entry (tests). */
  entries(): LedgerEntry[] {
    return [...this.items.values()].map((e) => ({ ...e }));
  }

  async runEntries(runId: string): Promise<LedgerEntry[]> {
    return [...this.items.values()].filter((e) => e.runId === runId).map((e) => ({ ...e }));
  }
}
