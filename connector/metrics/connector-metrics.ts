// A connector's own metrics beyond HTTP: negotiations and transfers by role and state, the outbox (depth,
// age of the oldest pending message), the evidence log (entries, entries not yet in a checkpoint, age of
// the last checkpoint), DCP verifications and the claims cache, rate-limit refusals.
import { Counter, type Registry } from 'prom-client';
import { NEGOTIATION_STATES } from '../negotiation/states.js';
import type { Queries } from '../store/database.js';
import { TRANSFER_STATES } from '../transfer/states.js';
import { ageSeconds, queriedGauge } from './gauges.js';

const ROLES = ['provider', 'consumer'];

/** Counts the identity layer reports as it authenticates callers. */
export interface IdentityMetrics {
  /** A DCP verification: accepted (claims from the cache or a fresh query), or refused. */
  verification(result: { ok: true; fromCache: boolean } | { ok: false }): void;
}

export function identityMetrics(registry: Registry): IdentityMetrics {
  const verifications = new Counter({
    name: 'shuyu_dcp_verifications_total',
    help: 'DCP request verifications of callers, by result (ok, refused)',
    labelNames: ['result'],
    registers: [registry],
  });
  const lookups = new Counter({
    name: 'shuyu_claims_cache_lookups_total',
    help: "Verified callers' claims served from the cache (hit) or queried from their Credential Service (miss)",
    labelNames: ['result'],
    registers: [registry],
  });
  for (const result of ['ok', 'refused']) verifications.inc({ result }, 0);
  for (const result of ['hit', 'miss']) lookups.inc({ result }, 0);
  return {
    verification(result) {
      verifications.inc({ result: result.ok ? 'ok' : 'refused' });
      if (result.ok) lookups.inc({ result: result.fromCache ? 'hit' : 'miss' });
    },
  };
}

/** The store-backed gauges of a connector with the control plane, data plane and evidence log. */
export function registerConnectorGauges(registry: Registry, db: Queries, clock: () => Date): void {
  const byRoleAndState = (states: readonly string[]) =>
    ROLES.flatMap((role) => states.map((state) => ({ role, state })));
  const countByRoleAndState = async (table: 'negotiation' | 'transfer') => {
    const rows = await db.all<{ role: string; state: string; n: number }>(
      `SELECT role, state, COUNT(*) AS n FROM ${table} GROUP BY role, state`,
    );
    return rows.map((r) => ({ labels: { role: r.role, state: r.state }, value: Number(r.n) }));
  };
  queriedGauge({
    registry,
    name: 'shuyu_negotiations',
    help: 'Contract negotiations by our role and state',
    labelNames: ['role', 'state'],
    zeros: byRoleAndState(NEGOTIATION_STATES),
    read: () => countByRoleAndState('negotiation'),
  });
  queriedGauge({
    registry,
    name: 'shuyu_transfers',
    help: 'Transfer processes by our role and state',
    labelNames: ['role', 'state'],
    zeros: byRoleAndState(TRANSFER_STATES),
    read: () => countByRoleAndState('transfer'),
  });
  const pendingOutbox = () =>
    db.get<{ n: number; oldest: string | null }>(
      "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox WHERE status = 'pending'",
    );
  queriedGauge({
    registry,
    name: 'shuyu_outbox_pending',
    help: 'DSP messages waiting in the outbox to be delivered',
    read: async () => [{ value: Number((await pendingOutbox())?.n ?? 0) }],
  });
  queriedGauge({
    registry,
    name: 'shuyu_outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest message waiting in the outbox (0 when empty)',
    read: async () => [{ value: ageSeconds((await pendingOutbox())?.oldest, clock()) }],
  });
  queriedGauge({
    registry,
    name: 'shuyu_evidence_entries',
    help: 'Entries in the evidence log',
    read: async () => [{ value: await evidenceSize(db) }],
  });
  const lastCheckpoint = () =>
    db.get<{ size: number; time: string }>(
      'SELECT size, time FROM evidence_checkpoint ORDER BY size DESC, id DESC LIMIT 1',
    );
  queriedGauge({
    registry,
    name: 'shuyu_evidence_unchecked_entries',
    help: 'Evidence entries appended since the last signed checkpoint',
    read: async () => [{ value: (await evidenceSize(db)) - Number((await lastCheckpoint())?.size ?? 0) }],
  });
  queriedGauge({
    registry,
    name: 'shuyu_evidence_checkpoint_age_seconds',
    help: 'Seconds since the last signed evidence checkpoint (0 before the first)',
    read: async () => [{ value: ageSeconds((await lastCheckpoint())?.time, clock()) }],
  });
}

async function evidenceSize(db: Queries): Promise<number> {
  const row = await db.get<{ n: number | null }>('SELECT MAX(seq) + 1 AS n FROM evidence_entry');
  return Number(row?.n ?? 0);
}
