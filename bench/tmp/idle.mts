await import('../../src/bin/service.ts');
await import('fastify'); await import('kysely'); await import('better-sqlite3'); await import('pino');
if (global.gc) global.gc();
const m = process.memoryUsage(); console.log('modules loaded', (m.rss/1048576).toFixed(1), 'heapUsed', (m.heapUsed/1048576).toFixed(1), 'heapTotal', (m.heapTotal/1048576).toFixed(1), 'external', (m.external/1048576).toFixed(1));
