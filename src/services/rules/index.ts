export * from './rule-kind';
