export { MotherDuckTokenConnector, type MotherDuckConnector } from './motherduck-connector';
export { MotherDuckSessionError, withMotherDuckDatabase, type MotherDuckStage } from './motherduck-session';
export { motherDuckDatabase, useDatabaseSql } from './motherduck-database';
