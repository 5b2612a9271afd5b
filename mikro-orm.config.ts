/**
 * Entry point for the MikroORM CLI, which loads this file by name. It reads the database settings
 * through the service's own configuration (DATABASE_URL with its sslmode, DATABASE_CA_FILE), so
 * the CLI connects exactly as the service does.
 */

import { loadConfig } from './src/config/config.ts';
import { ormConfig } from './src/platform/database/orm-config.ts';

export { type OrmConfigOptions, ormConfig } from './src/platform/database/orm-config.ts';

const { database } = loadConfig();

export default ormConfig(database.url, { tls: database.tls });
