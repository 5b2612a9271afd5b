/**
 * Entry point for the MikroORM CLI, which loads this file by name. It is the one file outside
 * `src/config/` allowed to read the environment; the service itself calls `ormConfig` with its
 * validated configuration instead.
 */
import { ormConfig } from './src/adapters/db/orm-config.ts';

export { type OrmConfigOptions, ormConfig } from './src/adapters/db/orm-config.ts';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/invoice_finance_sync';

export default ormConfig(process.env.DATABASE_URL || DEFAULT_DATABASE_URL);
