// DCAT-AP 3.0 metadata inside the DSP 2025-1 catalog: the publisher as a foaf:Agent, a vCard contact
// point, themes, spatial and temporal coverage, typed dates, licence, media types, catalog title,
// description, homepage and language (docs/catalog-metadata.md lists every property).
//
// Written so that JSON-LD expansion with the DSP context alone keeps every term: that context declares
// only the xsd, dct, dcat, odrl and dspace prefixes, so foaf, vCard, SKOS and RDFS keys are full IRIs.
// Controlled-vocabulary IRIs (IANA media types, EU data themes, languages, licences, regions) carry the
// class DCAT-AP's range shapes ask for (dct:MediaType, skos:Concept, ...): a validator then needs no
// EU vocabulary loaded to accept them.

import type { Json, JsonObject } from '../../policies/jsonld/canonicalize.js';
import type { Sector } from './types.js';

export const FOAF = 'http://xmlns.com/foaf/0.1/';
export const VCARD = 'http://www.w3.org/2006/vcard/ns#';
export const SKOS = 'http://www.w3.org/2004/02/skos/core#';
const RDFS_RESOURCE = 'http://www.w3.org/2000/01/rdf-schema#Resource';
export const IANA_MEDIA_TYPES = 'https://www.iana.org/assignments/media-types/';
export const EU_DATA_THEME = 'http://publications.europa.eu/resource/authority/data-theme/';
const EU_LANGUAGE = 'http://publications.europa.eu/resource/authority/language/';
const EU_COUNTRY = 'http://publications.europa.eu/resource/authority/country/';
/** Shuyu's sectors and regions (ISO 3166-2 codes below the country) as concepts and places. */
export const SHUYU_SECTOR = 'https://w3id.org/shuyu/v1/sector/';
export const SHUYU_REGION = 'https://w3id.org/shuyu/v1/region/';

/** Who publishes: the member's registration (its membership credential), the defaults for every asset. */
export interface PublisherProfile {
  /** The organisation's name (foaf:name). */
  readonly name: string;
  /** The unified social credit code (统一社会信用代码, dct:identifier). */
  readonly identifier?: string;
  /** The organisation's web site (the catalog's foaf:homepage). */
  readonly homepage?: string;
  /** The member's contact: an e-mail address or a telephone number (the default contact point). */
  readonly contact?: string;
  /** The member's sector: its EU data theme and Shuyu sector are the default themes. */
  readonly sector?: Sector;
  /** ISO 3166-1/-2 codes (CN, CN-BJ): the default spatial coverage. */
  readonly regions?: readonly string[];
  /** Languages of the metadata, EU authority codes (ENG, ZHO). Default ENG. */
  readonly languages?: readonly string[];
}

/** The EU data theme of each Shuyu sector, with the theme's English label. */
export const SECTOR_THEMES: Readonly<Record<Sector, { code: string; label: string }>> = {
  medical: { code: 'HEAL', label: 'Health' },
  finance: { code: 'ECON', label: 'Economy and finance' },
  energy: { code: 'ENER', label: 'Energy' },
  education: { code: 'EDUC', label: 'Education, culture and sport' },
};

/** Labels of the EU data themes (a theme must carry skos:prefLabel: the shapes check it). */
export const EU_THEME_LABELS: Readonly<Record<string, string>> = {
  AGRI: 'Agriculture, fisheries, forestry and food',
  ECON: 'Economy and finance',
  EDUC: 'Education, culture and sport',
  ENER: 'Energy',
  ENVI: 'Environment',
  GOVE: 'Government and public sector',
  HEAL: 'Health',
  INTR: 'International issues',
  JUST: 'Justice, legal system and public safety',
  REGI: 'Regions and cities',
  SOCI: 'Population and society',
  TECH: 'Science and technology',
  TRAN: 'Transport',
};

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const PHONE = /^\+?[0-9][0-9 ()-]{3,}$/;

/** An e-mail address or a telephone number: what a contact point can link to. */
export function isContact(value: string): boolean {
  return EMAIL.test(value.trim()) || PHONE.test(value.trim());
}

/**
 * One value as itself, several as an array: the form JSON-LD compaction gives a property the context
 * does not declare a set, so a page reads the same as sent and after expand → compact.
 */
export function oneOrMany(values: readonly JsonObject[]): JsonObject | JsonObject[] {
  return values.length === 1 ? (values[0] as JsonObject) : [...values];
}

/** A foaf:Agent; `id` is the member's DID when the agent is the member. */
export function agent(name: string, identifier?: string, id?: string): JsonObject {
  return {
    ...(id === undefined ? {} : { '@id': id }),
    '@type': `${FOAF}Agent`,
    [`${FOAF}name`]: name,
    ...(identifier === undefined ? {} : { 'dct:identifier': identifier }),
  };
}

/** A vcard:Kind from an e-mail address (mailto: IRI) or a telephone number (tel: IRI). */
export function contactPoint(name: string, contact: string): JsonObject | undefined {
  const value = contact.trim();
  const [key, iri] = EMAIL.test(value)
    ? [`${VCARD}hasEmail`, `mailto:${value}`]
    : PHONE.test(value)
      ? [`${VCARD}hasTelephone`, `tel:${value.replace(/[ ()]/g, '')}`]
      : [];
  if (key === undefined || iri === undefined) return undefined;
  return { '@type': `${VCARD}Kind`, [`${VCARD}fn`]: name, [key]: { '@id': iri } };
}

/**
 * A theme: an EU data theme code (HEAL), a Shuyu sector (medical) or any absolute IRI, as a
 * skos:Concept. Unknown bare codes are refused by validation before they get here.
 */
export function theme(value: string): JsonObject {
  const sector = SECTOR_THEMES[value as Sector];
  if (sector !== undefined) return concept(`${SHUYU_SECTOR}${value}`, value);
  const label = EU_THEME_LABELS[value];
  if (label !== undefined) return concept(`${EU_DATA_THEME}${value}`, label);
  const code = value.startsWith(EU_DATA_THEME) ? value.slice(EU_DATA_THEME.length) : undefined;
  return concept(value, (code && EU_THEME_LABELS[code]) ?? value.replace(/^.*[/#]/, ''));
}

function concept(iri: string, label: string): JsonObject {
  return {
    '@id': iri,
    '@type': `${SKOS}Concept`,
    [`${SKOS}prefLabel`]: { '@value': label, '@language': 'en' },
  };
}

/** The default themes of a sector: its EU data theme and the Shuyu sector. */
export function sectorThemes(sector: Sector): string[] {
  return [SECTOR_THEMES[sector].code, sector];
}

/** A place: an ISO 3166 country (the EU country authority) or subdivision (Shuyu's region IRI), or an IRI. */
export function location(value: string): JsonObject {
  const iri = value.includes(':')
    ? value
    : value === 'CN'
      ? `${EU_COUNTRY}CHN`
      : `${SHUYU_REGION}${encodeURIComponent(value)}`;
  return { '@id': iri, '@type': 'dct:Location' };
}

/** dct:PeriodOfTime from ISO dates (YYYY-MM-DD) or date-times; either end may be open. */
export function periodOfTime(period: { readonly start?: string; readonly end?: string }): JsonObject {
  return {
    '@type': 'dct:PeriodOfTime',
    ...(period.start === undefined ? {} : { 'dcat:startDate': temporal(period.start) }),
    ...(period.end === undefined ? {} : { 'dcat:endDate': temporal(period.end) }),
  };
}

/** An xsd:date for a date, an xsd:dateTime for a date-time. */
export function temporal(value: string): JsonObject {
  return { '@value': value, '@type': /^\d{4}-\d{2}-\d{2}$/.test(value) ? 'xsd:date' : 'xsd:dateTime' };
}

/** The IANA IRI of a media type (text/csv), as a dct:MediaType. */
export function mediaType(value: string): JsonObject {
  const iri = value.includes('://') ? value : `${IANA_MEDIA_TYPES}${value.toLowerCase()}`;
  return { '@id': iri, '@type': 'dct:MediaType' };
}

/** The media type (text/csv) of a wire value: a plain string or an IANA IRI, as either form. */
export function mediaTypeName(value: string): string {
  return value.startsWith(IANA_MEDIA_TYPES) ? value.slice(IANA_MEDIA_TYPES.length) : value;
}

export function licenceDocument(iri: string): JsonObject {
  return { '@id': iri, '@type': 'dct:LicenseDocument' };
}

export function language(code: string): JsonObject {
  return { '@id': `${EU_LANGUAGE}${code.toUpperCase()}`, '@type': 'dct:LinguisticSystem' };
}

export function homepage(iri: string): JsonObject {
  return { '@id': iri, '@type': `${FOAF}Document` };
}

/**
 * An IRI under a property whose range DCAT-AP gives as rdfs:Resource (accessURL): the shapes check the
 * class literally and a SHACL engine infers nothing, so the node says it.
 */
export function resource(iri: string): JsonObject {
  return { '@id': iri, '@type': RDFS_RESOURCE };
}

/** A transfer type IRI (dspace:HttpData-PULL) as a dct:MediaTypeOrExtent, for a DataService's dct:format. */
export function transferFormat(wire: string): JsonObject {
  return { '@id': wire, '@type': 'dct:MediaTypeOrExtent' };
}

/** The catalog's own DCAT-AP properties (title, description, publisher, homepage, language). */
export function catalogMetadata(
  profile: PublisherProfile,
  publisherId: string,
  endpointURL?: string,
): Record<string, Json> {
  // Without a homepage of its own, the organisation's connector (the origin of its DSP endpoint).
  const site =
    profile.homepage ?? (endpointURL === undefined ? undefined : `${new URL(endpointURL).origin}/`);
  return {
    'dct:title': `${profile.name}: data catalog`,
    'dct:description': `Datasets ${profile.name} offers in the data space, with the terms of use of each.`,
    'dct:publisher': agent(profile.name, profile.identifier, publisherId),
    ...(site === undefined ? {} : { [`${FOAF}homepage`]: homepage(site) }),
    'dct:language': oneOrMany((profile.languages ?? ['ENG']).map(language)),
  };
}
