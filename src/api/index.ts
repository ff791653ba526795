export { createApp, type ApiDeps } from './app';
export { API_PREFIX } from './constants';
export { startApiServer, type ApiServer } from './server';
export { openApiDocument } from './openapi';
