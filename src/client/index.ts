/** Public surface of the REST client. */
export { IngotClient, ApiError, type ClientOptions } from './client.ts';
