// Prometheus metrics for Shuyu servers (prom-client, one Registry per server).
export { createServerMetrics, metricsHandler, type ServerMetrics } from './registry.js';
export { httpMetricsMiddleware, UNMATCHED_ROUTE } from './http.js';
export { ageSeconds, queriedCounter, queriedGauge, unixSeconds } from './gauges.js';
export { identityMetrics, registerConnectorGauges, type IdentityMetrics } from './connector-metrics.js';
