export * from './config-access';
export * from './config-object-store';
export * from './team-settings';
export * from './prepare-run-config';
export * from './skills';
