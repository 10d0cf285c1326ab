// `shuyu catalog status|crawl` (admins): how the federated catalog's crawls went per member, and a crawl
// now, waiting for its result. Both call the authority's admin API with the admin key, like `member list`.
import { AdminApiError } from '../catalog/authority/admin-client.js';
import type { CatalogOverview, CrawlSummary } from '../catalog/federation/types.js';
import { CliError, EXIT, type Output } from './io.js';
import { ADMIN_FLAGS, adminClient } from './member.js';
import { JSON_FLAG, parseFlags, type CommandGroup, type Flags, type Subcommand } from './spec.js';

const ADMIN = { ...ADMIN_FLAGS, ...JSON_FLAG } as const satisfies Flags;

const OPTIONS = {
  ...ADMIN,
  member: { type: 'string', value: 'DID', help: "crawl only this member's connector" },
} as const satisfies Flags;

/** `shuyu catalog status|crawl` (admins), added to the catalog command's subcommands. */
export const CATALOG_ADMIN_SUBCOMMANDS: Readonly<Record<'status' | 'crawl', Subcommand>> = {
  status: {
    usage: '[--dir AUTHORITY_DIR] [--admin-url URL] [--json]',
    summary:
      "Admins: the federated catalog's crawls: per member the last crawl (when, result, datasets) and the\n" +
      'next one, the next scheduled crawl and the size of the index.',
    flags: ADMIN,
  },
  crawl: {
    usage: '[--member DID] [--dir AUTHORITY_DIR] [--admin-url URL] [--json]',
    summary:
      "Admins: crawl every member's catalog now (or only DID's), wait for it and show the result. Members'\n" +
      'connectors also ask for a crawl by themselves when their offers change; this is for when one did not.',
    flags: OPTIONS,
  },
};

type ProviderEntry = CatalogOverview['providers'][number];

export async function catalogAdminCommand(
  group: CommandGroup,
  sub: 'status' | 'crawl',
  args: string[],
  out: Output,
): Promise<number> {
  const { values } = parseFlags<typeof OPTIONS>(group, sub, args);
  const client = adminClient(values);
  try {
    if (sub === 'status') {
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
