// The participant's management API.
export {
  createManagementRouter,
  MANAGEMENT_PATH,
  METRICS_OPENAPI,
  type ManagementRouterOptions,
} from './router.js';
export { managementOpenApi, type OpenApiExtension } from './openapi.js';
export { ensureManagementApiKey, requireApiKey, MANAGEMENT_API_KEY_FILE } from './api-key.js';
export { managementProblem } from './errors.js';
export { ManagementApiError, ManagementClient } from './client.js';
