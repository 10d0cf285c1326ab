// The federated catalog's metrics: crawl status per member (last success, last failure, failures in a
// row) and the index size, read from the store at scrape time; search latency, observed by the router.
// The member label is the provider's DID: one series per crawled member, bounded by the membership.
import { Histogram, type Registry } from 'prom-client';
import { queriedGauge, unixSeconds } from '../../connector/metrics/index.js';
import type { Queries } from '../../connector/store/database.js';

export interface FederationMetrics {
  /** Records one search's duration in seconds. */
  observeSearch(seconds: number): void;
}

export function registerFederationMetrics(registry: Registry, db: Queries): FederationMetrics {
  const providers = () =>
    db.all<{
      did: string;
      last_success_at: string | null;
      last_attempt_at: string | null;
      last_error: string | null;
      consecutive_failures: number;
    }>(
      'SELECT did, last_success_at, last_attempt_at, last_error, consecutive_failures FROM federation_providers',
    );
  queriedGauge({
    registry,
    name: 'shuyu_catalog_crawl_last_success_timestamp_seconds',
    help: "Unix time of the last successful crawl of a member's catalog (0: never)",
    labelNames: ['member'],
    read: async () =>
      (await providers()).map((p) => ({ labels: { member: p.did }, value: unixSeconds(p.last_success_at) })),
  });
  queriedGauge({
    registry,
    name: 'shuyu_catalog_crawl_last_error_timestamp_seconds',
    help: "Unix time of the last crawl of a member's catalog when it failed (0: the last crawl succeeded)",
    labelNames: ['member'],
    read: async () =>
      (await providers()).map((p) => ({
        labels: { member: p.did },
        value: p.last_error ? unixSeconds(p.last_attempt_at) : 0,
      })),
  });
  queriedGauge({
    registry,
    name: 'shuyu_catalog_crawl_consecutive_failures',
    help: "Failed crawls of a member's catalog since its last success",
    labelNames: ['member'],
    read: async () =>
      (await providers()).map((p) => ({ labels: { member: p.did }, value: Number(p.consecutive_failures) })),
  });
  queriedGauge({
    registry,
    name: 'shuyu_catalog_index_datasets',
    help: 'Datasets in the federated index',
    read: async () => [
      {
        value: Number((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM federation_datasets'))?.n ?? 0),
      },
    ],
  });
  queriedGauge({
    registry,
    name: 'shuyu_catalog_index_offers',
    help: 'Offers in the federated index',
    read: async () => [
      { value: Number((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM federation_offers'))?.n ?? 0) },
    ],
  });
  const searches = new Histogram({
    name: 'shuyu_catalog_search_duration_seconds',
    help: 'Time to answer a federated search (authentication of the asker excluded)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return { observeSearch: (seconds) => searches.observe(seconds) };
}
