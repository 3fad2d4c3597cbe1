/** One CDS Hooks feedback item as stored, with who sent it (the verified issuer) and when it arrived. */
export interface FeedbackRecord {
  readonly serviceId: string;
  readonly cardUuid: string;
  readonly outcome: 'accepted' | 'overridden';
  readonly acceptedSuggestions: readonly string[];
  readonly overrideReason?: { readonly system?: string; readonly code?: string; readonly display?: string };
  readonly userComment?: string;
  readonly outcomeTimestamp: string;
  readonly receivedAt: string;
  readonly issuer: string;
  readonly tenant?: string;
}

export interface FeedbackStore {
  /** Stores all records or none; resolves only once they are durable. */
  save(records: readonly FeedbackRecord[]): Promise<void>;
  count(): Promise<number>;
  list(limit: number): Promise<FeedbackRecord[]>;
  isOpen(): boolean;
  close(): Promise<void>;
}
