/** Public surface of the API area. */
export { buildApi, type ApiDeps, type RouteModule } from './server.ts';
export { ROUTES } from './routes/index.ts';
