export * from './create-integration';
export * from './delete-integration';
export * from './get-integration';
export * from './integration-context';
export * from './integration-item';
export * from './update-integration';
export * from './validate-integration';
