// How each provider writes its transfer formats, as its own catalog showed them to us. Shuyu writes a
// format as "dspace:HttpData-PULL" (it survives JSON-LD expansion, dsp/messages/format.ts), but an EDC
// provider matches the TransferRequestMessage's format against its transfer types by the bare name
// ("HttpData-PULL", as its catalog writes it) and does not recognise the expanded DSP IRI. So a consumer
// requests a transfer in the form the provider's catalog used, learnt whenever we read its catalog or one
// of its datasets, and in Shuyu's form when it never showed us one (the DSP TCK has no catalog).

import { readFormat, wireFormat } from '../../dsp/messages/index.js';
import type { Store, Migration } from '../../store/database.js';

export const PEER_FORMAT_MIGRATIONS: readonly Migration[] = [
  {
    id: 'peer-formats/1',
    sql: `
      CREATE TABLE peer_formats (
        participant_id TEXT NOT NULL,
        name TEXT NOT NULL,
        wire TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (participant_id, name)
      ) WITHOUT ROWID;
    `,
  },
];

/** At most this many formats are kept per catalog read (a catalog names a handful). */
const MAX_FORMATS = 32;
const MAX_LENGTH = 256;

export class PeerFormats {
  constructor(
    private readonly db: Store,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Remembers the formats of the distributions in a catalog or dataset `participantId` sent us. */
  async learn(participantId: string, catalogOrDataset: unknown): Promise<void> {
    const forms = distributionFormats(catalogOrDataset);
    if (forms.size === 0) return;
    const at = this.now().toISOString();
    await this.db.transaction(async (tx) => {
      for (const wire of forms) {
        await tx.run(
          `INSERT INTO peer_formats (participant_id, name, wire, updated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (participant_id, name) DO UPDATE SET wire = excluded.wire, updated_at = excluded.updated_at`,
          [participantId, readFormat(wire), wire, at],
        );
      }
    });
  }

  /** Format `name` as `participantId` writes it, or in Shuyu's form when it never showed us. */
  async wireForm(participantId: string, name: string): Promise<string> {
    const row = await this.db.get<{ wire: string }>(
      'SELECT wire FROM peer_formats WHERE participant_id = ? AND name = ?',
      [participantId, readFormat(name)],
    );
    return row?.wire ?? wireFormat(name);
  }
}

/** The format strings of every distribution in a compacted catalog or dataset (nested catalogs too). */
export function distributionFormats(body: unknown): Set<string> {
  const found = new Set<string>();
  const visit = (node: unknown, depth: number): void => {
    if (depth > 6 || found.size >= MAX_FORMATS) return;
    for (const item of list(node)) {
      if (item === null || typeof item !== 'object') continue;
      const record = item as Record<string, unknown>;
      for (const distribution of list(record.distribution ?? record['dcat:distribution'])) {
        const format =
          (distribution as Record<string, unknown> | null)?.format ??
          (distribution as Record<string, unknown> | null)?.['dct:format'];
        const value =
          typeof format === 'object' && format !== null ? (format as { '@id'?: unknown })['@id'] : format;
        if (typeof value === 'string' && value.length > 0 && value.length <= MAX_LENGTH) found.add(value);
      }
      for (const key of ['dataset', 'dcat:dataset', 'catalog', 'dcat:catalog']) visit(record[key], depth + 1);
    }
  };
  visit(body, 0);
  return found;
}

function list(value: unknown): unknown[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}
