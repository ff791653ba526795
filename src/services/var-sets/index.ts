export * from './var-set-kind';
export * from './attach-var-sets';
