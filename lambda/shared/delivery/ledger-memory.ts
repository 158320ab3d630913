import type { ClaimOptions, ClaimResult, DeliveryLedger, LedgerEntry, LedgerKey } from './ledger.ts';

/** In-memory ledger with the same semantics as the DynamoDB one, for fast tests and the property test. */
export class MemoryLedger implements DeliveryLedger {
  private readonly items = new Map<string, LedgerEntry>();

  private id(key: LedgerKey): string {
    return `${key.runId}\u0000${key.subscriberId}`;
  }

  async claim(key: LedgerKey, { claimId, now, leaseMs }: ClaimOptions): Promise<ClaimResult> {
    const existing = this.items.get(this.id(key));
    if (existing) {
      if (existing.state !== 'claimed') return { outcome: 'done', state: existing.state };
      if ((existing.leaseUntil ?? 0) >= now) return { outcome: 'leased', leaseUntil: existing.leaseUntil ?? 0 };
    }
    this.items.set(this.id(key), { ...key, state: 'claimed', claimId, leaseUntil: now + leaseMs, updatedAt: now });
    return { outcome: 'claimed' };
  }

  private finish(key: LedgerKey, claimId: string, entry: Omit<LedgerEntry, 'runId' | 'subscriberId'>): boolean {
    const existing = this.items.get(this.id(key));
    if (!existing || existing.state !== 'claimed' || existing.claimId !== claimId) return false;
    this.items.set(this.id(key), { ...key, claimId, ...entry });
    return true;
  }

  async markSent(key: LedgerKey, claimId: string, messageId: string, now: number): Promise<boolean> {
    return this.finish(key, claimId, { state: 'sent', messageId, updatedAt: now });
  }

  async markRejected(key: LedgerKey, claimId: string, reason: string, now: number): Promise<boolean> {
    return this.finish(key, claimId, { state: 'rejected', reason, updatedAt: now });
  }

  async release(key: LedgerKey, claimId: string): Promise<void> {
    const existing = this.items.get(this.id(key));
    if (existing?.state === 'claimed' && existing.claimId === claimId) this.items.delete(this.id(key));
  }

  async get(key: LedgerKey): Promise<LedgerEntry | null> {
    const e = this.items.get(this.id(key));
    return e ? { ...e } : null;
  }

  /** Every entry (tests). */
  entries(): LedgerEntry[] {
    return [...this.items.values()].map((e) => ({ ...e }));
  }
}
