export * from './crypto';
export * from './envelope';
export * from './keys';
export * from './known-values';
export * from './redact';
export * from './schemas';
export * from './store';
export * from './transport';
