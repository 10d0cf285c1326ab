// The verification report: plain data, one line per check, every failure with a stable code, the entry it
// concerns (when there is one) and a sentence saying what was found. `firstFailure` is the failure with the
// lowest seq (failures about no particular entry come after those about entries).

export type FailureCode =
  | 'document-malformed'
  | 'entry-malformed'
  | 'entry-modified'
  | 'entry-missing'
  | 'entry-reordered'
  | 'entry-inserted'
  | 'chain-broken'
  | 'checkpoint-malformed'
  | 'checkpoint-wrong-log'
  | 'checkpoint-signature-invalid'
  | 'signer-key-unavailable'
  | 'checkpoint-root-mismatch'
  | 'checkpoint-fork'
  | 'countersignature-invalid'
  | 'consistency-proof-invalid'
  | 'inclusion-proof-invalid'
  | 'anchor-mismatch';

export interface VerificationFailure {
  readonly code: FailureCode;
  /** The entry concerned, or null when the failure is about a checkpoint or the document as a whole. */
  readonly seq: number | null;
  readonly reason: string;
}

export type CheckStatus = 'ok' | 'failed' | 'warning' | 'skipped';

export interface VerificationCheck {
  readonly name: string;
  readonly status: CheckStatus;
  readonly detail: string;
}

export interface VerificationCounts {
  /** Entries whose content hash and chain link were recomputed and matched. */
  entries: number;
  checkpoints: number;
  checkpointSignatures: number;
  countersignatures: number;
  consistencyProofs: number;
  inclusionProofs: number;
  anchors: number;
}

export interface VerificationReport {
  readonly ok: boolean;
  /** What was verified, in words ("export of did:web:... entries 0..69"). */
  readonly subject: string;
  readonly checked: Readonly<VerificationCounts>;
  readonly checks: readonly VerificationCheck[];
  readonly failures: readonly VerificationFailure[];
  readonly firstFailure?: VerificationFailure;
}

export class ReportBuilder {
  readonly checked: VerificationCounts = {
    entries: 0,
    checkpoints: 0,
    checkpointSignatures: 0,
    countersignatures: 0,
    consistencyProofs: 0,
    inclusionProofs: 0,
    anchors: 0,
  };
  readonly #checks: VerificationCheck[] = [];
  readonly #failures: VerificationFailure[] = [];
  subject = '';

  fail(code: FailureCode, seq: number | null, reason: string): void {
    this.#failures.push({ code, seq, reason });
  }

  check(name: string, status: CheckStatus, detail: string): void {
    this.#checks.push({ name, status, detail });
  }

  get failed(): boolean {
    return this.#failures.length > 0;
  }

  build(): VerificationReport {
    const ordered = [...this.#failures].sort(
      (a, b) => (a.seq ?? Number.POSITIVE_INFINITY) - (b.seq ?? Number.POSITIVE_INFINITY),
    );
    const firstFailure = ordered[0];
    return {
      ok: this.#failures.length === 0,
      subject: this.subject,
      checked: { ...this.checked },
      checks: [...this.#checks],
      failures: [...this.#failures],
      ...(firstFailure ? { firstFailure } : {}),
    };
  }
}

const MARK: Readonly<Record<CheckStatus, string>> = {
  ok: 'ok',
  failed: 'FAILED',
  warning: 'warn',
  skipped: 'skip',
};

/** The report as text: a heading, one line per check, then the verdict with the first failure's reason. */
export function formatVerificationReport(report: VerificationReport): string {
  const width = Math.max(...report.checks.map((c) => c.name.length), 8);
  const lines = [`Verifying ${report.subject}`];
  for (const c of report.checks)
    lines.push(`  ${MARK[c.status].padEnd(6)} ${c.name.padEnd(width)}  ${c.detail}`);
  if (report.ok) {
    lines.push('Result: verified.');
  } else {
    const first = report.firstFailure as VerificationFailure;
    const where = first.seq === null ? '' : ` at entry ${first.seq}`;
    lines.push(`Result: FAILED${where} (${first.code}): ${first.reason}`);
    if (report.failures.length > 1)
      lines.push(`  (${report.failures.length - 1} further failure(s) listed in the report)`);
  }
  return lines.join('\n');
}
