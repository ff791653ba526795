export * from './agent-api';
export * from './agent-config';
export * from './errors';
export * from './model-id';
export * from './run';
export * from './run-state';
export * from './limits';
export * from './environment';
