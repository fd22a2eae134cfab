// Repositories of the risk service; exported through the lib index.
export * from './risk-reference.kinds';
export * from './risk-assessment-record.model';
export * from './risk-assessment-record.repository';
export * from './risk-assessment-record.mongo-repository';
