export * from './api-key-access';
export * from './api-key-item';
export * from './create-api-key';
export * from './expire-api-key';
export * from './list-api-keys';
export * from './schemas';
