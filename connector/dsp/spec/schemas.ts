// The DSP 2025-1 JSON schemas as modules: imported (not read from disk at run time) so they travel
// with the compiled code into dist/ and load once per process. See README.md for provenance.

import catalogError from './schemas/catalog-error-schema.json' with { type: 'json' };
import catalogRequestMessage from './schemas/catalog-request-message-schema.json' with { type: 'json' };
import catalog from './schemas/catalog-schema.json' with { type: 'json' };
import context from './schemas/context-schema.json' with { type: 'json' };
import contractAgreementMessage from './schemas/contract-agreement-message-schema.json' with { type: 'json' };
import contractAgreementVerificationMessage from './schemas/contract-agreement-verification-message-schema.json' with { type: 'json' };
import contractNegotiationError from './schemas/contract-negotiation-error-schema.json' with { type: 'json' };
import contractNegotiationEventMessage from './schemas/contract-negotiation-event-message-schema.json' with { type: 'json' };
import contractNegotiation from './schemas/contract-negotiation-schema.json' with { type: 'json' };
import contractNegotiationTerminationMessage from './schemas/contract-negotiation-termination-message-schema.json' with { type: 'json' };
import contractOfferMessage from './schemas/contract-offer-message-schema.json' with { type: 'json' };
import contractRequestMessage from './schemas/contract-request-message-schema.json' with { type: 'json' };
import contract from './schemas/contract-schema.json' with { type: 'json' };
import dataAddress from './schemas/data-address-schema.json' with { type: 'json' };
import datasetRequestMessage from './schemas/dataset-request-message-schema.json' with { type: 'json' };
import dataset from './schemas/dataset-schema.json' with { type: 'json' };
import didService from './schemas/did-service-schema.json' with { type: 'json' };
import protocolVersion from './schemas/protocol-version-schema.json' with { type: 'json' };
import transferCompletionMessage from './schemas/transfer-completion-message-schema.json' with { type: 'json' };
import transferError from './schemas/transfer-error-schema.json' with { type: 'json' };
import transferProcess from './schemas/transfer-process-schema.json' with { type: 'json' };
import transferRequestMessage from './schemas/transfer-request-message-schema.json' with { type: 'json' };
import transfer from './schemas/transfer-schema.json' with { type: 'json' };
import transferStartMessage from './schemas/transfer-start-message-schema.json' with { type: 'json' };
import transferSuspensionMessage from './schemas/transfer-suspension-message-schema.json' with { type: 'json' };
import transferTerminationMessage from './schemas/transfer-termination-message-schema.json' with { type: 'json' };

/** Every 2025-1 schema file, each with its absolute `$id`; cross-file `$ref`s resolve among them. */
export const DSP_SCHEMAS: readonly object[] = [
  catalogError,
  catalogRequestMessage,
  catalog,
  context,
  contractAgreementMessage,
  contractAgreementVerificationMessage,
  contractNegotiationError,
  contractNegotiationEventMessage,
  contractNegotiation,
  contractNegotiationTerminationMessage,
  contractOfferMessage,
  contractRequestMessage,
  contract,
  dataAddress,
  datasetRequestMessage,
  dataset,
  didService,
  protocolVersion,
  transferCompletionMessage,
  transferError,
  transferProcess,
  transferRequestMessage,
  transfer,
  transferStartMessage,
  transferSuspensionMessage,
  transferTerminationMessage,
];
