export * from './audit-page';
export * from './list-audit-events';
export * from './list-run-audit-events';
export * from './schemas';
