/** Where the tests find the shared services (checked, or started, by global-setup.mjs before any test). */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
