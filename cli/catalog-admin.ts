// `shuyu catalog status|crawl` (admins): how the federated catalog's crawls went per member, and a crawl
// now, waiting for its result. Both call the authority's admin API with the admin key, like `member list`.
import { parseArgs } from 'node:util';
import { AdminApiError } from '../catalog/authority/admin-client.js';
import type { CatalogOverview, CrawlSummary } from '../catalog/federation/types.js';
import { CliError, EXIT, type Output } from './io.js';
import { DEFAULT_AUTHORITY_DIR } from './authority.js';
import { adminClient } from './member.js';

export const CATALOG_ADMIN_HELP = `Usage (admins; the key comes from SHUYU_ADMIN_KEY or DIR/admin-api-key):
  shuyu catalog status [--json]
      The federated catalog's crawls: per member the last crawl (when, result, datasets) and the next one,
      the next scheduled crawl and the size of the index.
  shuyu catalog crawl [--member DID] [--json]
      Crawl every member's catalog now (or only DID's), wait for it and show the result. Members' connectors
      also ask for a crawl by themselves when their offers change; this is for when one did not.
      Exits 1 when a member's catalog could not be read (the reason is shown).
  common: [--dir AUTHORITY_DIR (default ${DEFAULT_AUTHORITY_DIR})] [--admin-url URL (its admin listener)]`;

const OPTIONS = {
  dir: { type: 'string', default: DEFAULT_AUTHORITY_DIR },
  'admin-url': { type: 'string' },
  member: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type ProviderEntry = CatalogOverview['providers'][number];

export async function catalogAdminCommand(args: string[], out: Output): Promise<number> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({ args: rest, options: OPTIONS });
  if (values.help) {
    out.line(CATALOG_ADMIN_HELP);
    return EXIT.ok;
  }
  const client = adminClient(values);
  try {
    if (sub === 'status') {
      if (values.member !== undefined) throw new CliError('--member goes with "catalog crawl"', EXIT.usage);
      const overview = await client.catalogStatus();
      if (values.json) out.line(JSON.stringify(overview, null, 2));
      else printOverview(out, overview);
      return EXIT.ok;
    }
    const result = await client.crawl(values.member);
    if (values.json) {
      out.line(JSON.stringify(result, null, 2));
    } else {
      if (result.alreadyRunning) out.line('A crawl was running; it finished first.');
      out.line(describeCrawl(result.summary));
      for (const provider of result.providers) printProvider(out, provider, undefined);
    }
    return result.summary.failed > 0 ? EXIT.invalid : EXIT.ok;
  } catch (error) {
    if (error instanceof AdminApiError) throw new CliError(error.message);
    throw error;
  }
}

function describeCrawl(s: CrawlSummary): string {
  return (
    `Crawl ${s.id} of ${s.providers} member(s), finished ${s.finishedAt} in ${s.durationMs} ms: ` +
    `${s.changed} changed, ${s.unchanged} unchanged, ${s.failed} failed` +
    `${s.skipped > 0 ? `, ${s.skipped} in back-off` : ''}; datasets +${s.datasets.added} ` +
    `~${s.datasets.updated} -${s.datasets.removed}`
  );
}

function printOverview(out: Output, o: CatalogOverview): void {
  out.line(
    `Federated catalog: ${o.index.datasets} dataset(s) and ${o.index.offers} offer(s) from ` +
      `${o.index.providers} member(s)${o.crawling ? '; a crawl is running' : ''}`,
  );
  out.line(
    o.lastCrawl ? `  last crawl: ${describeCrawl(o.lastCrawl)}` : '  last crawl: none since the start',
  );
  out.line(
    o.crawlIntervalMs <= 0
      ? '  automatic crawling is off: crawl with "shuyu catalog crawl"'
      : `  next scheduled crawl: ${o.nextScheduledCrawlAt ?? 'running now'} (every ${Math.round(o.crawlIntervalMs / 1000)} s; ` +
          'members whose offers change are crawled within seconds)',
  );
  out.line(`Members: ${o.providers.length}`);
  for (const provider of o.providers) printProvider(out, provider, o.nextScheduledCrawlAt);
}

function printProvider(out: Output, p: ProviderEntry, nextScheduled: string | undefined): void {
  out.line(`  ${p.did}  ${p.state.padEnd(13)} ${p.organisationName ?? ''}`.trimEnd());
  const last = p.lastAttemptAt
    ? `last crawl ${p.lastAttemptAt}: ${p.lastError ? `failed (${p.lastError.code}: ${p.lastError.message})` : 'ok'}`
    : 'never crawled';
  out.line(`      ${last}; ${p.datasetCount} dataset(s), ${p.offerCount} offer(s)`);
  const next =
    p.recrawlRequestedFor !== undefined
      ? `${p.recrawlRequestedFor} (asked for by the member)`
      : p.state === 'not-crawlable'
        ? undefined
        : p.nextAttemptAt !== undefined && (nextScheduled === undefined || p.nextAttemptAt > nextScheduled)
          ? `${p.nextAttemptAt} (back-off after failures)`
          : nextScheduled;
  if (next !== undefined) out.line(`      next crawl: ${next}`);
  for (const note of p.notes) out.line(`      note: ${note}`);
}
