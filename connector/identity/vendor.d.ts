// Minimal typings for the untyped @digitalbazaar packages and JSON-LD context packages, covering only what the
// identity library calls. Results the library does not control are typed `unknown` and narrowed at use.

declare module '@digitalbazaar/ed25519-multikey' {
  export interface Signer {
    readonly id: string;
    readonly algorithm: string;
    sign(options: { data: Uint8Array }): Promise<Uint8Array>;
  }
  export interface KeyPair {
    id?: string;
    controller?: string;
    publicKeyMultibase: string;
    publicKey: Uint8Array;
    secretKey?: Uint8Array;
    signer(): Signer;
  }
  export function from(key: Record<string, unknown>): Promise<KeyPair>;
  export function fromJwk(options: {
    jwk: Record<string, unknown>;
    secretKey?: boolean;
    id?: string;
    controller?: string;
  }): Promise<KeyPair>;
}

declare module '@digitalbazaar/did-method-key' {
  export class DidKeyDriver {
    use(options: {
      multibaseMultikeyHeader: string;
      fromMultibase: (options: { publicKeyMultibase: string }) => Promise<unknown>;
    }): void;
    get(options: { did?: string; url?: string }): Promise<unknown>;
  }
  export function driver(): DidKeyDriver;
}

declare module '@digitalbazaar/data-integrity' {
  export class DataIntegrityProof {
    constructor(options: { signer?: unknown; cryptosuite: unknown; date?: Date | string });
  }
}

declare module '@digitalbazaar/eddsa-rdfc-2022-cryptosuite' {
  export const cryptosuite: unknown;
}

declare module '@digitalbazaar/vc' {
  type DocumentLoader = (url: string) => Promise<unknown>;
  export interface VerifyResult {
    verified: boolean;
    error?: unknown;
    results?: unknown[];
  }
  export class CredentialIssuancePurpose {
    constructor(options?: { controller?: Record<string, unknown>; date?: Date | string });
  }
  export function issue(options: {
    credential: Record<string, unknown>;
    suite: unknown;
    documentLoader: DocumentLoader;
    now?: Date | string;
    maxClockSkew?: number;
  }): Promise<unknown>;
  export function verifyCredential(options: {
    credential: Record<string, unknown>;
    suite: unknown;
    documentLoader: DocumentLoader;
    purpose?: unknown;
    now?: Date | string;
    maxClockSkew?: number;
    checkStatus?: (options: unknown) => Promise<{ verified: boolean }>;
  }): Promise<VerifyResult>;
}

declare module '@digitalbazaar/vc-bitstring-status-list' {
  export function decodeList(options: {
    encodedList: string;
  }): Promise<{ getStatus(index: number): boolean }>;
}

declare module '@digitalbazaar/credentials-context' {
  export const contexts: Map<string, Record<string, unknown>>;
}

declare module '@digitalbazaar/vc-bitstring-status-list-context' {
  export const contexts: Map<string, Record<string, unknown>>;
}

declare module '@digitalbazaar/data-integrity-context' {
  const contextPackage: { contexts: Map<string, Record<string, unknown>> };
  export default contextPackage;
}

declare module '@digitalbazaar/multikey-context' {
  const contextPackage: { contexts: Map<string, Record<string, unknown>> };
  export default contextPackage;
}

declare module 'did-context' {
  const contextPackage: { contexts: Map<string, Record<string, unknown>> };
  export default contextPackage;
}
