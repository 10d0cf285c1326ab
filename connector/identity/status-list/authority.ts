// The issuer side of Bitstring Status List: one revocation list and one suspension list, indexes allocated at
// random (so an index says nothing about issuance order), bits set and cleared, and the list credentials
// (re-)issued after each change. The state is a plain JSON object so a database can hold it later.
import { randomInt } from 'node:crypto';
import { systemClock, toXsdDateTime, type Clock } from '../clock.js';
import { issueCredentialDataIntegrity } from '../credentials/issue-di.js';
import { issueCredentialJwt } from '../credentials/issue-jwt.js';
import type { CredentialFormat, StatusListEntry, StatusPurpose } from '../credentials/types.js';
import type { DocumentLoader } from '../document-loader/loader.js';
import { VC_CONTEXT_V2_URL } from '../document-loader/loader.js';
import { StatusListError } from '../errors.js';
import type { DidSigner } from '../signer.js';
import { isRecord } from '../util/json.js';
import { MIN_STATUS_LIST_LENGTH, StatusBitstring } from './bitstring.js';

export const STATUS_PURPOSES: readonly StatusPurpose[] = ['revocation', 'suspension'];

export interface StatusListAuthorityState {
  version: 1;
  issuer: string;
  length: number;
  lists: Record<StatusPurpose, { url: string; encodedList: string }>;
  /** Which indexes have been handed out (same encoding as the lists). */
  allocated: string;
  allocatedCount: number;
}

export interface CreateStatusListAuthorityOptions {
  issuer: string;
  revocationListUrl: string;
  suspensionListUrl: string;
  /** Bits per list; default and minimum 131072 (the spec's herd-privacy minimum). */
  length?: number;
}

export interface StatusAllocation {
  readonly index: number;
  /** Put this into the credential's `credentialStatus`. */
  readonly credentialStatus: StatusListEntry[];
}

export interface UnsignedStatusListCredential {
  '@context': string[];
  id: string;
  type: string[];
  issuer: string;
  validFrom: string;
  validUntil?: string;
  credentialSubject: {
    id: string;
    type: 'BitstringStatusList';
    statusPurpose: StatusPurpose;
    encodedList: string;
  };
}

export interface IssueListCredentialOptions {
  format?: CredentialFormat;
  /** How long verifiers may rely on this list; default 1 day. Re-issue before it runs out. */
  validForMs?: number;
  clock?: Clock;
  documentLoader?: DocumentLoader;
}

function stateInvalid(reason: string): StatusListError {
  return new StatusListError('ERR_STATUS_LIST_INVALID', `The status list state is invalid: ${reason}.`);
}

function assertHttpsUrl(url: string, what: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StatusListError('ERR_STATUS_LIST_INVALID', `${what} "${url}" is not a URL.`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new StatusListError('ERR_STATUS_LIST_INVALID', `${what} must be an http(s) URL.`);
  }
}

export class StatusListAuthority {
  readonly issuer: string;
  readonly length: number;
  readonly #urls: Record<StatusPurpose, string>;
  readonly #lists: Record<StatusPurpose, StatusBitstring>;
  readonly #allocated: StatusBitstring;
  #allocatedCount: number;

  private constructor(state: {
    issuer: string;
    urls: Record<StatusPurpose, string>;
    lists: Record<StatusPurpose, StatusBitstring>;
    allocated: StatusBitstring;
    allocatedCount: number;
  }) {
    this.issuer = state.issuer;
    this.#urls = state.urls;
    this.#lists = state.lists;
    this.#allocated = state.allocated;
    this.#allocatedCount = state.allocatedCount;
    this.length = state.allocated.length;
  }

  static create(options: CreateStatusListAuthorityOptions): StatusListAuthority {
    const length = options.length ?? MIN_STATUS_LIST_LENGTH;
    if (length < MIN_STATUS_LIST_LENGTH) {
      throw new StatusListError(
        'ERR_STATUS_LIST_INVALID',
        `A status list needs at least ${MIN_STATUS_LIST_LENGTH} entries for herd privacy.`,
      );
    }
    assertHttpsUrl(options.revocationListUrl, 'revocationListUrl');
    assertHttpsUrl(options.suspensionListUrl, 'suspensionListUrl');
    if (options.revocationListUrl === options.suspensionListUrl) {
      throw new StatusListError(
        'ERR_STATUS_LIST_INVALID',
        'Revocation and suspension lists need different URLs.',
      );
    }
    return new StatusListAuthority({
      issuer: options.issuer,
      urls: { revocation: options.revocationListUrl, suspension: options.suspensionListUrl },
      lists: { revocation: StatusBitstring.create(length), suspension: StatusBitstring.create(length) },
      allocated: StatusBitstring.create(length),
      allocatedCount: 0,
    });
  }

  static fromState(state: unknown): StatusListAuthority {
    if (
      !isRecord(state) ||
      state.version !== 1 ||
      typeof state.issuer !== 'string' ||
      !isRecord(state.lists)
    ) {
      throw stateInvalid('expected {version: 1, issuer, lists, allocated}');
    }
    const urls = {} as Record<StatusPurpose, string>;
    const lists = {} as Record<StatusPurpose, StatusBitstring>;
    for (const purpose of STATUS_PURPOSES) {
      const list = state.lists[purpose];
      if (!isRecord(list) || typeof list.url !== 'string' || typeof list.encodedList !== 'string') {
        throw stateInvalid(`the ${purpose} list is missing`);
      }
      urls[purpose] = list.url;
      lists[purpose] = StatusBitstring.decode(list.encodedList, Number(state.length) || undefined);
    }
    if (typeof state.allocated !== 'string' || typeof state.allocatedCount !== 'number') {
      throw stateInvalid('the allocation map is missing');
    }
    const allocated = StatusBitstring.decode(state.allocated, Number(state.length) || undefined);
    if (lists.revocation.length !== allocated.length || lists.suspension.length !== allocated.length) {
      throw stateInvalid('the lists have different lengths');
    }
    if (
      !Number.isInteger(state.allocatedCount) ||
      state.allocatedCount < 0 ||
      state.allocatedCount > allocated.length
    ) {
      throw stateInvalid('allocatedCount is out of range');
    }
    return new StatusListAuthority({
      issuer: state.issuer,
      urls,
      lists,
      allocated,
      allocatedCount: state.allocatedCount,
    });
  }

  toState(): StatusListAuthorityState {
    return {
      version: 1,
      issuer: this.issuer,
      length: this.length,
      lists: {
        revocation: { url: this.#urls.revocation, encodedList: this.#lists.revocation.encode() },
        suspension: { url: this.#urls.suspension, encodedList: this.#lists.suspension.encode() },
      },
      allocated: this.#allocated.encode(),
      allocatedCount: this.#allocatedCount,
    };
  }

  listUrl(purpose: StatusPurpose): string {
    return this.#urls[purpose];
  }

  /** Hands out a random unused index and the credentialStatus entries (revocation and suspension) for it. */
  allocate(): StatusAllocation {
    if (this.#allocatedCount >= this.length) {
      throw new StatusListError(
        'ERR_STATUS_LIST_FULL',
        `All ${this.length} status indexes are allocated; create a new pair of lists for further credentials.`,
      );
    }
    let index = randomInt(this.length);
    // Linear probing from a random start keeps allocation O(1) on average until the list is nearly full.
    while (this.#allocated.get(index)) index = (index + 1) % this.length;
    this.#allocated.set(index, true);
    this.#allocatedCount += 1;
    return { index, credentialStatus: this.entriesFor(index) };
  }

  entriesFor(index: number): StatusListEntry[] {
    this.#assertAllocated(index);
    return STATUS_PURPOSES.map((purpose) => ({
      id: `${this.#urls[purpose]}#${index}`,
      type: 'BitstringStatusListEntry',
      statusPurpose: purpose,
      statusListIndex: String(index),
      statusListCredential: this.#urls[purpose],
    }));
  }

  /** Revocation is permanent (the spec says it cannot be undone). */
  revoke(index: number): void {
    this.#assertAllocated(index);
    this.#lists.revocation.set(index, true);
  }

  suspend(index: number): void {
    this.#assertAllocated(index);
    this.#lists.suspension.set(index, true);
  }

  /** Lifts a suspension. A revoked credential cannot be reinstated. */
  reinstate(index: number): void {
    this.#assertAllocated(index);
    if (this.#lists.revocation.get(index)) {
      throw new StatusListError(
        'ERR_STATUS_REVOCATION_PERMANENT',
        `Credential status ${index} is revoked; revocation is permanent, issue a new credential instead.`,
        { details: { index } },
      );
    }
    this.#lists.suspension.set(index, false);
  }

  statusOf(index: number): { revoked: boolean; suspended: boolean } {
    this.#assertAllocated(index);
    return { revoked: this.#lists.revocation.get(index), suspended: this.#lists.suspension.get(index) };
  }

  /** The unsigned BitstringStatusListCredential for `purpose` as of now. */
  listCredential(purpose: StatusPurpose, options: { clock?: Clock; validForMs?: number } = {}) {
    const now = (options.clock ?? systemClock)();
    const url = this.#urls[purpose];
    const credential: UnsignedStatusListCredential = {
      '@context': [VC_CONTEXT_V2_URL],
      id: url,
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      issuer: this.issuer,
      validFrom: toXsdDateTime(now),
      validUntil: toXsdDateTime(new Date(now.getTime() + (options.validForMs ?? 86_400_000))),
      credentialSubject: {
        id: `${url}#list`,
        type: 'BitstringStatusList',
        statusPurpose: purpose,
        encodedList: this.#lists[purpose].encode(),
      },
    };
    return credential;
  }

  /** Signs the current list for `purpose`: a `vc+jwt` string (default) or a Data Integrity secured object. */
  async issueListCredential(
    purpose: StatusPurpose,
    signer: DidSigner,
    options: IssueListCredentialOptions = {},
  ): Promise<string | Record<string, unknown>> {
    if (signer.did !== this.issuer) {
      throw new StatusListError(
        'ERR_STATUS_LIST_ISSUER_MISMATCH',
        `Status lists of ${this.issuer} must be signed by that DID, not by ${signer.did}.`,
      );
    }
    const { clock, documentLoader } = options;
    const credential = this.listCredential(purpose, {
      ...(clock ? { clock } : {}),
      ...(options.validForMs !== undefined ? { validForMs: options.validForMs } : {}),
    });
    if (options.format === 'data-integrity') {
      return issueCredentialDataIntegrity(credential, signer, {
        ...(clock ? { clock } : {}),
        ...(documentLoader ? { documentLoader } : {}),
      });
    }
    return issueCredentialJwt(credential, signer, clock ? { clock } : {});
  }

  #assertAllocated(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.length || !this.#allocated.get(index)) {
      throw new StatusListError(
        'ERR_STATUS_INDEX_INVALID',
        `Status index ${String(index)} was never allocated by this authority; check the credential's statusListIndex.`,
        { details: { index: String(index) } },
      );
    }
  }
}
