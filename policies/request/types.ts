// The evaluation request (the "evaluation context" of the ODRL formal semantics): who asks, to do
// what, with what, and the facts the constraints read. docs/policies.md documents every field.

/** Claims of the requester's verified credentials, as connector/identity produces them. */
export interface RequestClaims {
  readonly participantId?: string;
  /** Types of the verified credentials held, e.g. MembershipCredential, SectorCredential. */
  readonly credentialTypes?: readonly string[];
  readonly dataSpace?: string;
  /** Role in the data space (participant, catalog, admin). */
  readonly memberRole?: string;
  readonly organisationName?: string;
  readonly registrationNumber?: string;
  readonly sectors?: readonly string[];
  readonly sectorRoles?: readonly string[];
  readonly dataGradeClearance?: string;
}

/** Facts about the asset the request is about. */
export interface RequestAsset {
  readonly dataGrade?: string;
  /** Asset collections the target belongs to (matched against rule targets). */
  readonly partOf?: readonly string[];
}

export type DutyState = 'fulfilled' | 'violated';

export interface EvaluationRequest {
  /** The action asked for (an ODRL action: use, read, distribute, ...). Required. */
  readonly action: string;
  /** The requesting party (participant DID). */
  readonly assignee?: string;
  /** Party collections the requester belongs to. */
  readonly assigneeOf?: readonly string[];
  /** The party whose policy this is (the provider), when known. */
  readonly assigner?: string;
  /** The asset asked for (dataset id). */
  readonly target?: string;
  readonly asset?: RequestAsset;
  readonly claims?: RequestClaims;
  /** When: ISO date-time (no zone = UTC), epoch milliseconds or Date. Default: now. */
  readonly time?: string | number | Date;
  readonly purpose?: string | readonly string[];
  /** Where the data will be used: ISO 3166 codes (CN, CN-BJ). */
  readonly spatial?: string | readonly string[];
  readonly recipient?: string | readonly string[];
  readonly industry?: string | readonly string[];
  /** Uses of the action so far including this one. */
  readonly count?: number;
  /** Time since the first use (xsd:duration or seconds). */
  readonly elapsedTime?: string | number;
  /** Accumulated time of use (xsd:duration or seconds). */
  readonly meteredTime?: string | number;
  /** Amount paid or offered, with its currency. */
  readonly payAmount?: number | string | { readonly amount: number | string; readonly unit?: string };
  readonly fileFormat?: string | readonly string[];
  readonly language?: string | readonly string[];
  readonly deliveryChannel?: string | readonly string[];
  readonly virtualLocation?: string | readonly string[];
  readonly systemDevice?: string | readonly string[];
  readonly product?: string | readonly string[];
  readonly version?: string;
  readonly percentage?: number | string;
  /** Duty outcomes reported so far, by duty uid or by duty action. */
  readonly duties?: Readonly<Record<string, DutyState>>;
  /** Values of rightOperandReference IRIs. */
  readonly references?: Readonly<Record<string, unknown>>;
  /**
   * Operands decided later, at use time (e.g. at contract negotiation: purpose, spatial, count,
   * elapsedTime). When the request gives no value for one of them, its constraints count as satisfiable:
   * they hold in permissions and duties and do not trigger prohibitions. A value given is evaluated as usual.
   */
  readonly deferred?: readonly string[];
}
