// The authority's metrics beyond HTTP, read from its store at scrape time: members by state, applications
// by state (pending ones wait for an admin), signed status events published to members.
import { Router } from 'express';
import type { Registry } from 'prom-client';
import {
  metricsHandler,
  queriedCounter,
  queriedGauge,
  type ServerMetrics,
} from '../../connector/metrics/index.js';
import type { Queries } from '../../connector/store/database.js';
import { requireAdmin } from './http.js';
import { AUTHORITY_API_PREFIX, type AuthorityService } from './service.js';

export const AUTHORITY_METRICS_PATH = `${AUTHORITY_API_PREFIX}/admin/metrics`;

/** GET /authority/v1/admin/metrics: the authority's and its catalog's metrics, behind an admin key. */
export function authorityMetricsRouter(service: AuthorityService, metrics: ServerMetrics): Router {
  const router = Router();
  router.get(AUTHORITY_METRICS_PATH, requireAdmin(service), metricsHandler(metrics));
  return router;
}

export function registerAuthorityGauges(registry: Registry, db: Queries): void {
  const countByState = async (table: 'members' | 'applications') => {
    const rows = await db.all<{ state: string; n: number }>(
      `SELECT state, COUNT(*) AS n FROM ${table} GROUP BY state`,
    );
    return rows.map((r) => ({ labels: { state: r.state }, value: Number(r.n) }));
  };
  queriedGauge({
    registry,
    name: 'shuyu_authority_members',
    help: 'Members of the data space by state',
    labelNames: ['state'],
    zeros: ['active', 'suspended', 'revoked'].map((state) => ({ state })),
    read: () => countByState('members'),
  });
  queriedGauge({
    registry,
    name: 'shuyu_authority_applications',
    help: 'Membership applications by state (pending: waiting for an admin)',
    labelNames: ['state'],
    zeros: ['pending', 'approved', 'rejected'].map((state) => ({ state })),
    read: () => countByState('applications'),
  });
  queriedCounter({
    registry,
    name: 'shuyu_authority_status_events_total',
    help: 'Signed member status events published to the status stream',
    read: async () =>
      Number((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM status_events'))?.n ?? 0),
  });
}
