import { findRedisServer } from '../../emulator/redis/servers';

// CI installs redis-server (.ci/install-redis.sh): there a missing one fails these tests instead of skipping.
export const redisAvailable = findRedisServer() !== undefined || process.env.CI === 'true';
