export * from './create-secret';
export * from './delete-secret';
export * from './list-secrets';
export * from './secret-access';
export * from './update-secret';
