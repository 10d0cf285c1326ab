// `shuyu product ...`: data-product registration (数据产品登记). Providers apply through their connector's
// management API (which signs the application as the connector's DID and keeps the authority's decisions);
// reviewers register or reject over the authority's admin API.
import { AdminApiError } from '../catalog/authority/admin-client.js';
import type { ProductRecord } from '../catalog/authority/products/types.js';
import type { Json } from '../connector/management/client.js';
import { CONNECTOR_DIR_FLAG, connectorDir, DEFAULT_AUTHORITY_DIR } from './dirs.js';
import { CliError, EXIT, readJsonFile, type Output } from './io.js';
import { managementClient } from './management-client.js';
import { adminClient } from './member.js';
import { JSON_FLAG, parseFlags, type CommandGroup, type Flags } from './spec.js';

const OPTIONS = {
  ...CONNECTOR_DIR_FLAG,
  url: { type: 'string', value: 'URL', help: "the connector's URL (default: DIR/connector.json)" },
  ...JSON_FLAG,
  dataset: { type: 'string', value: 'ID', multiple: true, help: 'a dataset of the product' },
  file: { type: 'string', value: 'DESCRIPTION.json', help: 'the product description (数据产品说明书)' },
  'authority-dir': {
    type: 'string',
    value: 'DIR',
    help: `the authority directory (default: $SHUYU_AUTHORITY_DIR, else ${DEFAULT_AUTHORITY_DIR})`,
  },
  'admin-url': {
    type: 'string',
    value: 'URL',
    help: "the authority's admin listener (default: $SHUYU_ADMIN_URL, else DIR/admin-url)",
  },
  note: { type: 'string', value: 'TEXT', help: 'a note kept with the decision' },
  reason: { type: 'string', value: 'TEXT', help: 'why it is rejected' },
} as const satisfies Flags;

const pick = <K extends keyof typeof OPTIONS>(...keys: K[]): Pick<typeof OPTIONS, K> =>
  Object.fromEntries(keys.map((k) => [k, OPTIONS[k]])) as Pick<typeof OPTIONS, K>;
const PROVIDER = pick('dir', 'url', 'json');
const REVIEWER = pick('authority-dir', 'admin-url', 'json');

export const PRODUCT_COMMAND: CommandGroup = {
  name: 'product',
  summary: 'data-product registration (数据产品登记): apply, list, show; approve, reject',
  subcommands: {
    apply: {
      usage: '--dataset ID [--dataset ID ...] --file DESCRIPTION.json',
      summary:
        'Providers: apply through the connector. DESCRIPTION.json is the 数据产品说明书: name, dataSource,\n' +
        'scope ({"zh","en"} each), updateFrequency, dataGrade (general|important|core), complianceAssessment\n' +
        '{summary {"zh","en"}, assessor, date}; the datasets come from --dataset, the DSP endpoint is the connector\'s.',
      flags: { ...PROVIDER, ...pick('dataset', 'file') },
    },
    list: { usage: '', summary: 'Providers: our applications and registrations.', flags: PROVIDER },
    show: { usage: 'ID', summary: 'Providers: one application (id) or product (SY-...).', flags: PROVIDER },
    pending: { usage: '', summary: 'Reviewers: applications awaiting review.', flags: REVIEWER },
    approve: {
      usage: 'ID [--note TEXT]',
      summary: 'Reviewers: register a product.',
      flags: { ...REVIEWER, ...pick('note') },
    },
    reject: {
      usage: 'ID --reason TEXT',
      summary: 'Reviewers: reject an application.',
      flags: { ...REVIEWER, ...pick('reason') },
    },
  },
};

function need(value: string | undefined, what: string, sub: string): string {
  if (!value) throw new CliError(`${what} is required; run "shuyu product ${sub} --help"`, EXIT.usage);
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

export async function productCommand(sub: string, args: string[], out: Output): Promise<number> {
  const { values, positionals } = parseFlags<typeof OPTIONS>(PRODUCT_COMMAND, sub, args);
  const required = (value: string | undefined, what: string) => need(value, what, sub);
  const connector = () =>
    managementClient({ dir: connectorDir(values.dir, values.url === undefined), url: values.url });
  const show = (value: unknown, readable: () => void): number => {
    if (values.json) out.line(JSON.stringify(value, null, 2));
    else readable();
    return EXIT.ok;
  };
  const admin = () => adminClient({ dir: values['authority-dir'], 'admin-url': values['admin-url'] });
  try {
    switch (sub) {
      case 'apply': {
        const file = readJsonFile(required(values.file, '--file'));
        if (file === null || typeof file !== 'object' || Array.isArray(file)) {
          throw new CliError(`${values.file ?? ''} must hold a JSON object (the product description)`);
        }
        const datasets = values.dataset ?? [];
        const description = datasets.length > 0 ? { ...file, datasetIds: datasets } : file;
        const api = connector();
        const record = await api.call<Json>('POST', '/products', description);
        return show(record, () => {
          out.line(`Applied: product application ${String(record.id)} is ${String(record.state)}.`);
          out.line('A reviewer decides it (console, or "shuyu product approve ID" on the authority side).');
        });
      }
      case 'list': {
        const api = connector();
        const body = await api.call<{ products: Json[] }>('GET', '/products');
        return show(body, () => {
          out.line(`${body.products.length} product registration${body.products.length === 1 ? '' : 's'}`);
          body.products.forEach((p) => print(out, p));
        });
      }
      case 'show': {
        const api = connector();
        const record = await api.call<Json>(
          'GET',
          `/products/${encodeURIComponent(required(positionals[0], 'ID'))}`,
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
        const record = await admin().approveProduct(required(positionals[0], 'ID'), values.note);
        return show(record, () => {
          out.line(
            `Registered ${record.description.name.zh} / ${record.description.name.en} as ${String(record.productId)}.`,
          );
          out.line(`  credential ${String(record.credentialId)}  ${record.credentialUrl}`);
        });
      }
      case 'reject': {
        const record: ProductRecord = await admin().rejectProduct(
          required(positionals[0], 'ID'),
          required(values.reason, '--reason'),
        );
        return show(record, () =>
          out.line(`Rejected product application ${record.id}: ${String(record.decisionNote)}`),
        );
      }
      default:
        return EXIT.usage;
    }
  } catch (error) {
    if (error instanceof AdminApiError) {
      const fields = (error.problem?.errors ?? []).map((e) => `\n  ${e.pointer}: ${e.reason}`).join('');
      throw new CliError(`${error.message}${fields}`);
    }
    throw error;
  }
}
