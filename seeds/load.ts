// Reads the four sector data spaces in seeds/sectors/*.json into what the running system needs: each
// member's application to the authority and the assets and offers its connector publishes. Contracts
// name a template in policies/templates/ or a file in seeds/contracts/; sample data is generated.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PublisherProfile } from '../connector/assets/dcat-ap.js';
import type { AssetInput, OfferInput, Sector, TemporalCoverage } from '../connector/assets/types.js';
import type { ApplicationRequest } from '../catalog/authority/types.js';
import { accessPolicy, type AccessRule } from './access-policies.js';
import { generateCsv, type SampleSpec } from './sample-data.js';

interface SeedOfferFile {
  id: string;
  /** A template name (policies/templates/<name>.json) or a seed contract (seeds/contracts/<name>.json). */
  contract: string;
  access: AccessRule;
  approval?: 'automatic' | 'manual';
}

interface SeedDatasetFile {
  id: string;
  title: string;
  description: string;
  keywords: string[];
  dataGrade: string;
  licence: string;
  /** The period the data covers (DCAT-AP dct:temporal). */
  temporal?: TemporalCoverage;
  sample: SampleSpec;
  offers: SeedOfferFile[];
}

interface SeedMemberFile {
  key: string;
  organisationName: string;
  registrationNumber: string;
  roles: string[];
  dataGradeClearance: string;
  contact: string;
  datasets: SeedDatasetFile[];
}

interface SectorFile {
  sector: Sector;
  title: string;
  /** Where the sector's members are (ISO 3166-2): their datasets' default spatial coverage. */
  regions?: string[];
  members: SeedMemberFile[];
}

export interface SeedDataset {
  readonly asset: AssetInput;
  readonly offers: readonly OfferInput[];
}

export interface SeedMember {
  /** Unique across the seeds: the connector's data directory name. */
  readonly key: string;
  readonly sector: Sector;
  readonly organisationName: string;
  /** The member's registration as its catalog's DCAT-AP publisher (what its connector is given). */
  readonly publisher: PublisherProfile;
  readonly application: ApplicationRequest;
  readonly datasets: readonly SeedDataset[];
}

export class SeedError extends Error {}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SeedError(`${file}: ${(error as Error).message}`);
  }
}

function contractPolicy(root: string, name: string, where: string): unknown {
  for (const file of [
    join(root, 'policies', 'templates', `${name}.json`),
    join(root, 'seeds', 'contracts', `${name}.json`),
  ]) {
    if (existsSync(file)) return readJson(file);
  }
  throw new SeedError(
    `${where}: contract "${name}" is neither policies/templates/${name}.json nor seeds/contracts/${name}.json`,
  );
}

/** Every seed member of every sector, in a stable order (sector files by name, members as listed). */
export function loadSeeds(root: string): SeedMember[] {
  const dir = join(root, 'seeds', 'sectors');
  const members: SeedMember[] = [];
  const keys = new Set<string>();
  for (const name of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const file = join(dir, name);
    const sector = readJson(file) as SectorFile;
    sector.members.forEach((member, i) => {
      const where = `${file} /members/${i}`;
      if (keys.has(member.key)) throw new SeedError(`${where}: member key "${member.key}" is used twice`);
      keys.add(member.key);
      members.push({
        key: member.key,
        sector: sector.sector,
        organisationName: member.organisationName,
        publisher: {
          name: member.organisationName,
          identifier: member.registrationNumber,
          contact: member.contact,
          sector: sector.sector,
          ...(sector.regions ? { regions: sector.regions } : {}),
        },
        application: {
          organisationName: member.organisationName,
          registrationNumber: member.registrationNumber,
          sectors: [{ sector: sector.sector, roles: member.roles }] as ApplicationRequest['sectors'],
          dataGradeClearance: member.dataGradeClearance as ApplicationRequest['dataGradeClearance'],
          contact: member.contact,
        },
        datasets: member.datasets.map((dataset, j) => ({
          asset: {
            id: dataset.id,
            title: dataset.title,
            description: dataset.description,
            keywords: dataset.keywords,
            sector: sector.sector,
            dataGrade: dataset.dataGrade,
            format: 'text/csv',
            licence: dataset.licence,
            publisher: member.organisationName,
            ...(dataset.temporal ? { temporal: dataset.temporal } : {}),
            dataAddress: { kind: 'inline', data: generateCsv(dataset.sample) },
          },
          offers: dataset.offers.map((offer) => ({
            id: offer.id,
            assetSelector: { assetIds: [dataset.id] },
            accessPolicy: accessPolicy(offer.access, `urn:shuyu:seed:${member.key}:${offer.id}`),
            contractPolicy: contractPolicy(root, offer.contract, `${where}/datasets/${j}`),
            approval: offer.approval ?? 'automatic',
          })),
        })),
      });
    });
  }
  return members;
}
