// The crawl status admins see: one entry per member, whether or not it has been crawled, with the
// last attempt, success and error, the counts, the back-off and notes that say what to do.
import type { AuthorityService } from '../../authority/service.js';
import type { Member } from '../../authority/types.js';
import type { IndexStore, ProviderRow } from '../store/index-store.js';
import type { CrawlError, ProviderCrawlStatus } from '../types.js';

const MEMBER_PAGE = 500;

async function allMembers(service: AuthorityService): Promise<Member[]> {
  const out: Member[] = [];
  for (let offset = 0; ; offset += MEMBER_PAGE) {
    const page = await service.listMembers({ limit: MEMBER_PAGE, offset });
    out.push(...page);
    if (page.length < MEMBER_PAGE) return out;
  }
}

function notes(member: Member | undefined, row: ProviderRow | undefined): string[] {
  const out: string[] = [];
  if (member === undefined) out.push('No longer a member: removed from the index at the next crawl.');
  else if (member.state !== 'active') {
    out.push(`The member is ${member.state}: its datasets are hidden and it is not crawled.`);
  } else if (member.connectorUrl === undefined) {
    out.push('The member registered no connector URL, so there is no catalog to crawl.');
  }
  for (const warning of row?.warnings ? (JSON.parse(row.warnings) as string[]) : []) {
    out.push(`Last crawl: ${warning}.`);
  }
  if (row !== undefined && row.offers_without_policy > 0) {
    out.push(
      `${row.offers_without_policy} offer(s) came without an access policy, so nobody but admins sees them ` +
        '(fail closed). The provider publishes access policies to callers with member role "catalog"; check ' +
        'that its connector is up to date.',
    );
  }
  return out;
}

function entry(member: Member | undefined, row: ProviderRow | undefined): ProviderCrawlStatus {
  const did = member?.did ?? (row as ProviderRow).did;
  const connectorUrl = member?.connectorUrl ?? row?.connector_url ?? undefined;
  const lastError = row?.last_error ? (JSON.parse(row.last_error) as CrawlError) : undefined;
  const state: ProviderCrawlStatus['state'] =
    connectorUrl === undefined
      ? 'not-crawlable'
      : row === undefined || row.last_attempt_at === null
        ? 'never-crawled'
        : row.consecutive_failures > 0
          ? 'failing'
          : 'ok';
  const optional = {
    organisationName: member?.organisationName,
    memberState: member?.state,
    connectorUrl,
    lastAttemptAt: row?.last_attempt_at ?? undefined,
    lastSuccessAt: row?.last_success_at ?? undefined,
    lastChangedAt: row?.last_changed_at ?? undefined,
    lastError: row && row.consecutive_failures > 0 ? lastError : undefined,
    nextAttemptAt: row?.next_attempt_at ?? undefined,
    lastDurationMs: row?.last_duration_ms ?? undefined,
    pages: row?.pages ?? undefined,
  };
  return {
    did,
    ...(Object.fromEntries(
      Object.entries(optional).filter(([, v]) => v !== undefined),
    ) as Partial<ProviderCrawlStatus>),
    state,
    consecutiveFailures: row?.consecutive_failures ?? 0,
    datasetCount: row?.dataset_count ?? 0,
    offerCount: row?.offer_count ?? 0,
    offersWithoutAccessPolicy: row?.offers_without_policy ?? 0,
    crawls: row?.crawls ?? 0,
    unchangedCrawls: row?.unchanged_crawls ?? 0,
    notes: notes(member, row),
  };
}

/** Every member and every crawled provider, by DID. */
export async function crawlStatus(
  service: AuthorityService,
  store: IndexStore,
): Promise<ProviderCrawlStatus[]> {
  const members = await allMembers(service);
  const rows = new Map((await store.providers()).map((r) => [r.did, r]));
  const out = members.map((m) => entry(m, rows.get(m.did)));
  const known = new Set(members.map((m) => m.did));
  for (const row of rows.values()) if (!known.has(row.did)) out.push(entry(undefined, row));
  return out.sort((a, b) => (a.did < b.did ? -1 : a.did > b.did ? 1 : 0));
}
