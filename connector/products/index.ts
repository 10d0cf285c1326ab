// Data-product registration from the provider's side: apply at the authority, keep its decisions, and put
// the registration on the datasets' DSP entries (connector/assets: `https://w3id.org/shuyu/v1#registration`).
export { PRODUCT_MIGRATIONS, type ProductRegistration } from './store.js';
export { ProductRegistrations, type ProductRegistrationsOptions } from './service.js';
export { productRoutes, PRODUCTS_OPENAPI } from './routes.js';
