// Which credentials a DSP request's decision reads, so the verifier asks the caller's Credential Service for
// those only (DCP: scopes from the policy at hand; identity/dcp/policy-scopes.ts maps policies to scopes):
//   - catalog and dataset requests: every access policy of our offers (which of them the caller may see);
//   - a contract request: the requested offer's access policy (may it see the offer) and contract policy;
//   - a transfer request, and a consumer restarting a transfer: the agreement's policy (the use-time check);
//   - every other message: membership only (the handlers read no claim beyond who is calling).
// Runs after the caller's ID token is verified; the handler itself still parses and judges the message.
import type { Request } from 'express';
import { compilePolicy, type Policy } from '../../policies/index.js';
import { MEMBERSHIP_SCOPES, scopesForPolicies } from '../identity/dcp/policy-scopes.js';
import type { ControlPlane } from '../control-plane/index.js';
import { parsedBody } from './http.js';
import { DCAT_AP_PATH } from './catalog/harvest.js';

const MAX_CACHED_AGREEMENTS = 1000;

export function dspCredentialScopes(
  plane: Pick<ControlPlane, 'catalog' | 'negotiations' | 'transfers'>,
): (req: Request) => Promise<readonly string[] | undefined> {
  // Agreements never change: their policy model is analysed once.
  const agreements = new Map<string, Promise<Policy | undefined>>();
  const agreementPolicy = async (agreementId: string): Promise<Policy | undefined | null> => {
    let policy = agreements.get(agreementId);
    if (policy === undefined) {
      const negotiation = await plane.negotiations.findByAgreementId('provider', agreementId);
      if (negotiation?.agreement == null) return null; // no such agreement: the handler refuses anyway
      if (agreements.size >= MAX_CACHED_AGREEMENTS) agreements.clear();
      policy = compilePolicy(negotiation.agreement).then((compiled) => compiled.policy.policy);
      agreements.set(agreementId, policy);
    }
    return policy;
  };
  const forAgreement = async (agreementId: string | undefined): Promise<readonly string[]> => {
    const policy = agreementId === undefined ? null : await agreementPolicy(agreementId);
    return policy === null ? MEMBERSHIP_SCOPES : scopesForPolicies([policy]);
  };

  return async (req) => {
    const path = req.path;
    // The DCAT-AP harvest view (mounted at the root, not under the DSP base) shows the same catalog.
    if (path === '/catalog/request' || path.startsWith('/catalog/datasets/') || path === DCAT_AP_PATH) {
      const snapshot = await plane.catalog.snapshot();
      return scopesForPolicies([...snapshot.accessPolicies.values()].map((p) => p.compiled.policy));
    }
    if (req.method !== 'POST') return MEMBERSHIP_SCOPES;
    if (/^\/negotiations\/(request|[^/]+\/request)$/.test(path)) {
      const parsed = await parsedBody('ContractRequestMessage', req);
      const offerId = parsed.ok ? parsed.message.offer['@id'] : undefined;
      const resolved = typeof offerId === 'string' ? await plane.catalog.offerById(offerId) : undefined;
      if (resolved === undefined) return MEMBERSHIP_SCOPES; // no such offer: refused whatever the claims
      const entry = (await plane.catalog.snapshot()).offersById.get(resolved.offer.id);
      return scopesForPolicies([entry?.access.compiled.policy, resolved.contractPolicy.policy]);
    }
    if (path === '/transfers/request') {
      const parsed = await parsedBody('TransferRequestMessage', req);
      return forAgreement(parsed.ok ? parsed.message.agreementId : undefined);
    }
    const start = /^\/transfers\/([^/]+)\/start$/.exec(path);
    if (start) {
      const id = safeDecode(start[1] ?? '');
      // A malformed id is refused by the route (its own 400); no claims are needed to say so.
      if (id === undefined) return MEMBERSHIP_SCOPES;
      const record = await plane.transfers.get(id);
      return forAgreement(record?.role === 'provider' ? record.agreementId : undefined);
    }
    return MEMBERSHIP_SCOPES;
  };
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
