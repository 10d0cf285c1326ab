// `shuyu product ...`: data-product registration (数据产品登记). Providers apply through their connector's
// management API (which signs the application as the connector's DID and keeps the authority's decisions);
// reviewers register or reject over the authority's admin API.
import { parseArgs } from 'node:util';
import { AdminApiError } from '../catalog/authority/admin-client.js';
import type { ProductRecord } from '../catalog/authority/products/types.js';
import type { Json } from '../connector/management/client.js';
import { DEFAULT_AUTHORITY_DIR } from './authority.js';
import { CliError, EXIT, readJsonFile, type Output } from './io.js';
import { managementClient } from './management-client.js';
import { adminClient, DEFAULT_CONNECTOR_DIR } from './member.js';

export const PRODUCT_HELP = `Usage (providers, through the connector's management API; [--dir CONNECTOR_DIR (default ${DEFAULT_CONNECTOR_DIR})] [--url URL] [--json]):
  shuyu product apply --dataset ID [--dataset ID ...] --file DESCRIPTION.json
      DESCRIPTION.json is the 数据产品说明书: name, dataSource, scope ({"zh","en"} each), updateFrequency,
      dataGrade (general|important|core), complianceAssessment {summary {"zh","en"}, assessor, date};
      the datasets come from --dataset, the DSP endpoint is the connector's.
  shuyu product list                   our applications and registrations (after reading the authority's decisions)
  shuyu product show ID                application id or product identifier (SY-...)
Usage (reviewers, over the authority's admin API; [--authority-dir DIR (default ${DEFAULT_AUTHORITY_DIR})] [--admin-url URL]):
  shuyu product pending                applications awaiting review
  shuyu product approve ID [--note TEXT]
  shuyu product reject ID --reason TEXT`;

const OPTIONS = {
  dir: { type: 'string', default: DEFAULT_CONNECTOR_DIR },
  url: { type: 'string' },
  json: { type: 'boolean' },
  dataset: { type: 'string', multiple: true },
  file: { type: 'string' },
  'authority-dir': { type: 'string', default: DEFAULT_AUTHORITY_DIR },
  'admin-url': { type: 'string' },
  note: { type: 'string' },
  reason: { type: 'string' },
} as const;

function need(value: string | undefined, what: string): string {
  if (!value) throw new CliError(`${what} is required\n${PRODUCT_HELP}`, EXIT.usage);
  return value;
}

function print(out: Output, p: Json): void {
  const description = p.description as {
    name?: { zh?: string; en?: string };
    datasetIds?: string[];
    dataGrade?: string;
  };
  out.line(
    `  ${String(p.productId ?? p.id)}  ${String(p.state).padEnd(10)} ${description.name?.zh ?? ''} / ${description.name?.en ?? ''}` +
      `  (${description.dataGrade ?? '?'})`,
  );
  out.line(`      application ${String(p.id)}; datasets ${(description.datasetIds ?? []).join(', ')}`);
  if (p.credentialId)
    out.line(`      credential ${String(p.credentialId)}  ${String(p.credentialUrl ?? '')}`);
  if (p.decisionNote)
    out.line(`      ${p.state === 'rejected' ? 'reason' : 'note'}: ${String(p.decisionNote)}`);
}

export async function productCommand(args: string[], out: Output): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === 'help') {
    out.line(PRODUCT_HELP);
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  const { values, positionals } = parseArgs({ args: rest, options: OPTIONS, allowPositionals: true });
  const show = (value: unknown, readable: () => void): number => {
    if (values.json) out.line(JSON.stringify(value, null, 2));
    else readable();
    return EXIT.ok;
  };
  const admin = () => adminClient({ dir: values['authority-dir'], 'admin-url': values['admin-url'] });
  try {
    switch (sub) {
      case 'apply': {
        const file = readJsonFile(need(values.file, '--file'));
        if (file === null || typeof file !== 'object' || Array.isArray(file)) {
          throw new CliError(`${values.file ?? ''} must hold a JSON object (the product description)`);
        }
        const datasets = values.dataset ?? [];
        const description = datasets.length > 0 ? { ...file, datasetIds: datasets } : file;
        const api = managementClient({ dir: values.dir, url: values.url });
        const record = await api.call<Json>('POST', '/products', description);
        return show(record, () => {
          out.line(`Applied: product application ${String(record.id)} is ${String(record.state)}.`);
          out.line('A reviewer decides it (console, or "shuyu product approve ID" on the authority side).');
        });
      }
      case 'list': {
        const api = managementClient({ dir: values.dir, url: values.url });
        const body = await api.call<{ products: Json[] }>('GET', '/products');
        return show(body, () => {
          out.line(`${body.products.length} product registration${body.products.length === 1 ? '' : 's'}`);
          body.products.forEach((p) => print(out, p));
        });
      }
      case 'show': {
        const api = managementClient({ dir: values.dir, url: values.url });
        const record = await api.call<Json>(
          'GET',
          `/products/${encodeURIComponent(need(positionals[0], 'ID'))}`,
        );
        return show(record, () => print(out, record));
      }
      case 'pending': {
        const products = await admin().products('pending');
        return show({ products }, () => {
          out.line(`Product applications awaiting review: ${products.length}`);
          products.forEach((p) => {
            print(out, p as unknown as Json);
            out.line(
              `      by ${p.provider.organisationName} (${p.provider.did}), submitted ${p.submittedAt}`,
            );
          });
        });
      }
      case 'approve': {
        const record = await admin().approveProduct(need(positionals[0], 'ID'), values.note);
        return show(record, () => {
          out.line(
            `Registered ${record.description.name.zh} / ${record.description.name.en} as ${String(record.productId)}.`,
          );
          out.line(`  credential ${String(record.credentialId)}  ${record.credentialUrl}`);
        });
      }
      case 'reject': {
        const record: ProductRecord = await admin().rejectProduct(
          need(positionals[0], 'ID'),
          need(values.reason, '--reason'),
        );
        return show(record, () =>
          out.line(`Rejected product application ${record.id}: ${String(record.decisionNote)}`),
        );
      }
      default:
        throw new CliError(`unknown product command "${sub}"\n${PRODUCT_HELP}`, EXIT.usage);
    }
  } catch (error) {
    if (error instanceof AdminApiError) {
      const fields = (error.problem?.errors ?? []).map((e) => `\n  ${e.pointer}: ${e.reason}`).join('');
      throw new CliError(`${error.message}${fields}`);
    }
    throw error;
  }
}
